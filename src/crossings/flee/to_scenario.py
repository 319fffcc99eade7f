"""Flee case -> the land-network section of a Crossings scenario (places and links).

Reads the case with `crossings.flee.reader.read_case` (the same reader the Flee engine uses) and returns a
validated `LandNetwork`; `flee_network_yaml` gives the YAML text to paste under `land_network:`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from crossings.scenario.schema import LandNetwork


def land_network_from_flee(case_dir: str | Path) -> LandNetwork:
    from crossings.flee.reader import read_case

    case = read_case(case_dir)
    places: list[dict[str, Any]] = []
    for i, name in enumerate(case.loc_names):
        cday = int(case.loc_conflict_date[i])
        places.append({
            "name": name, "kind": case.loc_kind[i], "country": case.loc_country[i],
            "lat": float(case.loc_lat[i]), "lon": float(case.loc_lon[i]),
            "population": max(int(case.loc_popcap[i]), 0),
            "conflict_date": case.start + dt.timedelta(days=cday) if case.loc_kind[i] == "conflict" and cday >= 0
            else None,
        })
    links = [{"from": case.loc_names[a], "to": case.loc_names[b], "distance_km": float(km)}
             for a, b, km in zip(case.route_a, case.route_b, case.route_km, strict=True)]
    return LandNetwork.model_validate({"places": places, "links": links})


def flee_network_yaml(case_dir: str | Path) -> str:
    net = land_network_from_flee(case_dir)
    return yaml.safe_dump({"land_network": net.model_dump(by_alias=True, exclude_none=True, mode="json")},
                          sort_keys=False)

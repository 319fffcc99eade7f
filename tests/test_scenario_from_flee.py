"""Flee cases import into the scenario's land-network section."""

from __future__ import annotations

import pytest
import yaml

from crossings.core.observed import flee_case_dir
from crossings.flee.to_scenario import flee_network_yaml, land_network_from_flee
from crossings.scenario.schema import LandNetwork


@pytest.mark.parametrize("case", ["mali2012", "burundi2015", "car2013", "ssudan2013"])
def test_flee_case_imports(case: str) -> None:
    net = land_network_from_flee(flee_case_dir(case))
    names = {p.name for p in net.places}
    assert len(names) == len(net.places) and net.links
    assert all(ln.from_ in names and ln.to in names for ln in net.links)
    assert any(p.kind == "camp" for p in net.places)


def test_yaml_round_trip() -> None:
    text = flee_network_yaml(flee_case_dir("mali2012"))
    net = LandNetwork.model_validate(yaml.safe_load(text)["land_network"])
    assert net == land_network_from_flee(flee_case_dir("mali2012"))


def test_unknown_link_end_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown place"):
        LandNetwork.model_validate({"places": [{"name": "a", "kind": "town"}],
                                    "links": [{"from": "a", "to": "b", "distance_km": 3}]})

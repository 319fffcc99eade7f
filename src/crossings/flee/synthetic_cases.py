"""Synthetic Flee-format cases, one feature (or a few) each, for differential tests against flee 3.1.

Not real data: 15 places in three invented countries, ~3,000 agents over 150 days, so one flee 3.1 run takes
seconds. `write_feature_case(root, feature)` writes the base case changed by one entry of FEATURES; each
entry exercises an input the four bundled validation cases do not (closures of every type, conflicts.csv
onsets and ends, markers and forwarding hubs, binding capacities, registration corrections, summed series,
empty populations, link attributes, formatting variants, rule variants). Names have several letters on
purpose: flee 3.1 compares some names by identity, and CPython caches one-letter strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from crossings.core.observed import flee_ruleset

DAYS = 150
HOME, NEXT, FAR = "Aland", "Bland", "Cland"

# name, region, country, latitude, longitude, location_type, conflict_date, population
BASE_LOCATIONS: list[list[str]] = [
    ["Arba", "North", HOME, "10.0", "20.0", "conflict_zone", "0", "40000"],
    ["Bekor", "North", HOME, "10.5", "20.6", "conflict_zone", "0", "25000"],
    ["Celo", "East", HOME, "10.9", "21.3", "conflict_zone", "40", "15000"],
    ["Dumo", "North", HOME, "10.2", "19.4", "town", "0", "8000"],
    ["Eruk", "West", HOME, "10.6", "18.9", "town", "0", "3000"],
    ["Fanta", "East", HOME, "11.0", "20.8", "town", "0", "12000"],
    ["Gondo", "West", HOME, "10.8", "18.6", "town", "0", "2000"],
    ["Hubro", "West", HOME, "9.5", "19.0", "town", "0", "6000"],
    ["Idpa", "South", HOME, "9.0", "19.6", "idpcamp", "0", "900"],
    ["Jeru", "Border", NEXT, "11.1", "18.2", "town", "0", "5000"],
    ["Kampa", "Border", NEXT, "11.5", "18.0", "camp", "0", "1500"],
    ["Kampb", "Inland", NEXT, "12.8", "17.5", "camp", "0", ""],
    ["Lima", "Coast", FAR, "11.9", "22.0", "town", "0", "3000"],
    ["Kampc", "Coast", FAR, "12.2", "22.3", "camp", "0", "1200"],
    ["Kampd", "Far", FAR, "16.0", "25.0", "camp", "0", "0"],
]
# name1, name2, distance (km), forced_redirection
BASE_ROUTES: list[list[str]] = [
    ["Arba", "Dumo", "80", "0"], ["Arba", "Bekor", "120", "0"], ["Bekor", "Fanta", "60", "0"],
    ["Dumo", "Eruk", "40", "0"], ["Eruk", "Gondo", "30", "0"], ["Gondo", "Jeru", "50", "0"],
    ["Dumo", "Hubro", "100", "0"], ["Hubro", "Jeru", "90", "0"], ["Hubro", "Idpa", "70", "0"],
    ["Fanta", "Celo", "50", "0"], ["Celo", "Lima", "150", "0"], ["Jeru", "Kampa", "60", "0"],
    ["Jeru", "Kampb", "200", "0"], ["Lima", "Kampc", "40", "0"], ["Lima", "Kampd", "700", "0"],
    ["Fanta", "Idpa", "110", "0"], ["Celo", "Kampc", "400", "0"],
]
CAMPS = ["Idpa", "Kampa", "Kampb", "Kampc", "Kampd"]
# observation day -> count (day 60 is below day 30 on purpose: a "refugee debt")
TOTAL = {0: 300, 30: 1300, 60: 1200, 100: 2600, 149: 3400}
CAMP_SERIES = {
    "Idpa": {0: 50, 50: 300, 149: 600},
    "Kampa": {0: 100, 40: 500, 100: 1100, 149: 1300},
    "Kampb": {0: 50, 60: 300, 149: 700},
    "Kampc": {0: 80, 70: 400, 149: 700},
    "Kampd": {0: 20, 149: 100},
}


@dataclass
class Spec:
    """Everything a case is written from; features edit a copy of the base."""

    locations: list[list[str]] = field(default_factory=lambda: [r[:] for r in BASE_LOCATIONS])
    loc_extra_header: list[str] = field(default_factory=list)
    routes: list[list[str]] = field(default_factory=lambda: [r[:] for r in BASE_ROUTES])
    route_extra_header: list[str] = field(default_factory=list)
    closures: list[str] = field(default_factory=list)
    conflicts: dict[str, list[float]] | None = None  # location -> intensity per day
    corrections: list[str] = field(default_factory=list)
    layout_extra: dict[str, list[tuple[str, dict[int, int]]]] = field(default_factory=dict)
    camp_series: dict[str, dict[int, int]] = field(default_factory=lambda: {k: dict(v) for k, v in CAMP_SERIES.items()})
    total: dict[int, int] = field(default_factory=lambda: dict(TOTAL))
    rules_base: str = "simsetting.yml"
    rules_patch: dict[str, dict[str, object]] = field(default_factory=dict)
    comment_lines: bool = False
    date_format: str = "iso"
    trailing_spaces: bool = False


def _on(days: int, start: int, end: int = DAYS, value: float = 1.0) -> list[float]:
    return [value if start <= t < end else 0.0 for t in range(days)]


def base_conflicts() -> dict[str, list[float]]:
    return {"Arba": _on(DAYS, 0), "Bekor": _on(DAYS, 0), "Celo": _on(DAYS, 40)}


def _date(day: int, fmt: str = "iso") -> str:
    import datetime as dt

    d = dt.date(2020, 1, 1) + dt.timedelta(days=day)
    return d.isoformat() if fmt == "iso" else f"{d.year}-{d.month}-{d.day}"


def _csv(rows: list[list[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in rows)


def _series_text(points: dict[int, int], fmt: str = "iso") -> str:
    return "".join(f"{_date(d, fmt)},{v}\n" for d, v in sorted(points.items()))


def write_spec(root: str | Path, spec: Spec) -> Path:
    case = Path(root)
    inp, src = case / "input_csv", case / "source_data"
    inp.mkdir(parents=True, exist_ok=True)
    src.mkdir(parents=True, exist_ok=True)
    pad = " " if spec.trailing_spaces else ""
    note = "# synthetic case for differential tests: not real data\n" if spec.comment_lines else ""
    def padded(cell: str) -> str:  # flee 3.1 reads an all-blank population as int(" "), so pad only values
        return cell + pad if cell else cell

    loc_rows = [[*r[:6], padded(r[6]), padded(r[7]), *r[8:]] for r in spec.locations]
    head = "#name,region,country,latitude,longitude,location_type,conflict_date,population"
    head += "".join("," + h for h in spec.loc_extra_header)
    (inp / "locations.csv").write_text(head + "\n" + note + _csv(loc_rows))
    rhead = "#name1,name2,distance,forced_redirection" + "".join("," + h for h in spec.route_extra_header)
    route_rows = [[r[0], r[1], padded(r[2]), *r[3:]] for r in spec.routes]
    (inp / "routes.csv").write_text(rhead + "\n" + note + _csv(route_rows))
    (inp / "sim_period.csv").write_text(f"StartDate,{_date(0, spec.date_format)}\nLength,{DAYS}\n")
    (inp / "closures.csv").write_text("#closure_type,name1,name2,closure_start,closure_end\n"
                                      + "".join(c + "\n" for c in spec.closures))
    conf = spec.conflicts if spec.conflicts is not None else base_conflicts()
    names = list(conf)
    lines = ["#Day," + ",".join(names)]
    lines += [f"{t}," + ",".join(f"{conf[n][t]:g}" for n in names) for t in range(DAYS)]
    (inp / "conflicts.csv").write_text("\n".join(lines) + "\n")
    if spec.corrections:
        (inp / "registration_corrections.csv").write_text("".join(c + "\n" for c in spec.corrections))
    layout = ["total,refugees.csv"]
    (src / "refugees.csv").write_text(_series_text(spec.total, spec.date_format))
    for camp, pts in spec.camp_series.items():
        files = [f"{camp.lower()}.csv"]
        (src / files[0]).write_text(_series_text(pts, spec.date_format))
        for fname, extra in spec.layout_extra.get(camp, []):
            (src / fname).write_text(_series_text(extra, spec.date_format))
            files.append(fname)
        layout.append(",".join([camp, *files]))
    (src / "data_layout.csv").write_text("\n".join(layout) + "\n")
    rules = yaml.safe_load(flee_ruleset(spec.rules_base).read_text())
    for section, patch in spec.rules_patch.items():
        rules.setdefault(section, {}).update(patch)
    (case / "simsetting.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    return case


def _loc(spec: Spec, name: str) -> list[str]:
    return next(r for r in spec.locations if r[0] == name)


# ------------------------------------------------------------------ features (each edits a base Spec)

def _closure(rows: list[str]) -> Callable[[Spec], None]:
    def f(s: Spec) -> None:
        s.closures = rows
    return f


def _both(*steps: Callable[[Spec], None]) -> Callable[[Spec], None]:
    def f(s: Spec) -> None:
        for step in steps:
            step(s)
    return f


def _rules(base: str, **patch: dict[str, object]) -> Callable[[Spec], None]:
    def f(s: Spec) -> None:
        s.rules_base = base
        s.rules_patch = dict(patch)
    return f


def _conflict_changes(s: Spec) -> None:
    s.conflicts = {
        "Arba": _on(DAYS, 0),
        "Bekor": [1.0 if t < 70 else 0.0 for t in range(DAYS)],              # ends from exactly 1: removed
        "Celo": [0.5 if 40 <= t < 90 else 0.0 for t in range(DAYS)],          # ends from 0.5: stays a zone
        "Fanta": [0.0 if t < 20 else (0.3 if t < 60 else 1.0) for t in range(DAYS)],  # a town turns conflict
        "Dumo": [1.0 if 30 <= t < 60 or t >= 100 else 0.0 for t in range(DAYS)],      # on, off, on again
    }


def _markers(s: Spec) -> None:
    _loc(s, "Gondo")[5] = "marker"
    _loc(s, "Gondo")[7] = "0"
    _loc(s, "Hubro")[5] = "forwarding_hub"
    s.locations.append(["Mark2", "West", HOME, "10.3", "18.3", "marker", "0", "0"])
    s.routes += [["Eruk", "Mark2", "20", "0"], ["Mark2", "Gondo", "25", "0"]]


def _capacity(s: Spec) -> None:
    for name, cap in (("Kampa", "400"), ("Kampb", "300"), ("Kampc", "250"), ("Idpa", "200"), ("Kampd", "60")):
        _loc(s, name)[7] = cap


def _regcorr(s: Spec) -> None:
    s.camp_series["Kampa"] = {0: 100, 40: 700, 60: 520, 100: 1100, 149: 1300}
    s.corrections = ["Kampa,2020-03-01,normalize", "Kampc,2020-03-11,normalize"]  # day 60, day 70
    s.layout_extra = {"Kampb": [("kampb-outside.csv", {0: 10, 30: 60, 90: 200, 149: 250})]}


def _pop0(s: Spec) -> None:
    _loc(s, "Dumo")[7] = "0"
    _loc(s, "Eruk")[7] = ""
    _loc(s, "Jeru")[7] = "0"
    _loc(s, "Kampb")[7] = ""


def _link_attrs(s: Spec) -> None:
    s.route_extra_header = ["max_move_speed", "walk_probability"]
    for r in s.routes:  # flee 3.1 reads these with float(), so every row needs values
        r += ["200", "0"]
    s.routes[0][4] = "40"       # Arba-Dumo slow road
    s.routes[1][5] = "0.5"      # Arba-Bekor often walked
    s.routes[14][4] = "100"     # Lima-Kampd: 700 km at 100 km/day
    s.routes[12][5] = "1.0"     # Jeru-Kampb always walked


def _forced_redirection(s: Spec) -> None:
    s.routes[6][3] = "1"   # Dumo-Hubro: flee 3.1 creates this link pair twice
    s.routes[11][3] = "1"  # Jeru-Kampa
    s.routes[13][3] = "2"  # Lima-Kampc: created once, in reverse order
    s.routes[3][3] = ""    # Dumo-Eruk: empty = 0


def _unpadded_dates(s: Spec) -> None:
    s.date_format = "unpadded"


def _other_type(s: Spec) -> None:
    _loc(s, "Hubro")[5] = "city"  # no known type: flee 3.1 keeps move chance 1.0 and no flags


def _closure_oddities(s: Spec) -> None:
    s.closures = ["location,Nowhere,,10,20", "border,Aland,Bland,10,20", "camp,Kampb,,40,-1"]
    s.rules_patch = {"move_rules": {"some_future_key": 3}, "new_section": {"x": 1}}


def _random40(s: Spec) -> None:
    """40 places on a random planar-ish graph with every feature at once (fixed generator: same case every time)."""
    import numpy as np

    rng = np.random.default_rng(40)
    n = 40
    lat, lon = 8.0 + 6.0 * rng.random(n), 18.0 + 6.0 * rng.random(n)
    kinds = (["conflict_zone"] * 6 + ["town"] * 18 + ["marker"] * 3 + ["forwarding_hub"] * 2 + ["camp"] * 8
             + ["idpcamp"] * 3)
    names = [f"Place{i:02d}" for i in range(n)]
    country = [HOME if lon[i] < 21.0 else (NEXT if lat[i] < 11.0 else FAR) for i in range(n)]
    s.locations = []
    for i in range(n):
        k = kinds[i]
        cdate = str(int(rng.integers(20, 80))) if k == "conflict_zone" and i >= 4 else "0"
        pop = str(int(rng.integers(300, 1500))) if "camp" in k else ("0" if k == "marker" else str(int(rng.integers(0, 50000))))
        s.locations.append([names[i], "R", country[i], f"{lat[i]:.3f}", f"{lon[i]:.3f}", k, cdate, pop])
    s.locations.sort(key=lambda r: r[2] != HOME)  # home country first (flee: country of the first row)
    km = 111.0 * np.hypot(lat[:, None] - lat[None, :], (lon[:, None] - lon[None, :]) * np.cos(np.radians(11.0)))
    seen: set[tuple[int, int]] = set()
    for i in range(n):  # each place to its 2-3 nearest neighbours
        for j in np.argsort(km[i])[1:2 + int(rng.integers(1, 3))]:
            a, b = sorted((i, int(j)))
            if (a, b) not in seen:
                seen.add((a, b))
                s.routes.append([names[a], names[b], f"{km[a, b] * 1.3:.0f}", "0"])
    s.routes = s.routes[len(BASE_ROUTES):]
    camps = [names[i] for i in range(n) if "camp" in kinds[i]]
    s.camp_series = {c: {0: int(rng.integers(0, 60)), 75: int(rng.integers(100, 400)),
                         149: int(rng.integers(200, 900))} for c in camps}
    s.total = {0: sum(v[0] for v in s.camp_series.values()), 60: 2500, 149: 5000}
    conflict = [names[i] for i in range(6)]
    s.conflicts = {c: _on(DAYS, 0 if i < 4 else 30 + 5 * i) for i, c in enumerate(conflict)}
    s.conflicts[names[6]] = _on(DAYS, 50, 120, 0.5)  # a town in conflict for a while
    s.closures = [f"location,{names[10]},,30,70", f"camp,{camps[0]},,0,60", f"country,{HOME},{FAR},40,-1"]
    s.rules_base = "modern125.yml"
    s.rules_patch = {"move_rules": {"awareness_level": 2}}


def _formatting(s: Spec) -> None:
    s.comment_lines = True
    s.trailing_spaces = True
    s.loc_extra_header = ["note", "conflict_intensity"]
    for r in s.locations:  # flee 3.1 reads conflict_intensity with float(), so conflict zones need a value
        r += ["x", {"Bekor": "0.6", "Arba": "1"}.get(r[0], "")]
    s.conflicts = {"Arba": _on(DAYS, 0), "Celo": _on(DAYS, 40)}  # Bekor keeps its attribute intensity


def _conflict_driven(mode: str, rate: float) -> Callable[[Spec], None]:
    def f(s: Spec) -> None:
        s.rules_patch = {"spawn_rules": {"conflict_driven_spawning": {"spawn_mode": mode,
                                                                      "displaced_per_conflict_day": rate}}}
    return f


FEATURES: dict[str, Callable[[Spec], None]] = {
    "base": lambda s: None,
    "rules_classic125": _rules("classic125.yml"),
    "rules_modern125": _rules("modern125.yml"),
    "rules_v1": _rules("simsetting.yml", move_rules={"use_v1_rules": True}),
    "awareness2": _rules("modern125.yml", move_rules={"awareness_level": 2}),
    "close_country": _closure(["country,Aland,Bland,20,90"]),
    "close_country_forever": _closure(["country,Aland,Cland,30,-1"]),
    "close_location": _closure(["location,Jeru,,25,80", "location,Lima,,50,-1"]),
    "close_link": _closure(["link,Hubro,Jeru,10,100"]),
    "close_short_windows": _closure(["location,Lima,,20,22", "location,Lima,,40,41", "country,Bland,Aland,30,32",
                                     "location,Jeru,,60,61", "camp,Kampc,,70,71"]),
    "close_camp": _closure(["camp,Kampa,,30,90", "idpcamp,Idpa,,20,-1"]),
    "open_camp_late": _closure(["camp,Gondo,,-1,60"]),
    "conflict_changes": _conflict_changes,
    "markers_hubs": _markers,
    "capacity_binding": _capacity,
    "registration_corrections": _regcorr,
    "population_zero": _pop0,
    "link_attributes": _link_attrs,
    "formatting": _formatting,
    "forced_redirection": _forced_redirection,
    "unpadded_dates": _unpadded_dates,
    "other_location_type": _other_type,
    "closure_and_key_oddities": _closure_oddities,
    "hasten": _rules("simsetting.yml", optimisations={"hasten": 3}),
    "random40_everything": _random40,
    "rules_validation": _rules("validation_simsetting.yml"),
    "markers_awareness2": _both(_markers, _rules("modern125.yml", move_rules={"awareness_level": 2})),
    "awareness3": _rules("simsetting.yml", move_rules={"awareness_level": 3}),
    "misc_rules": _rules("simsetting.yml",
                         spawn_rules={"insert_day0": False, "conflict_zone_spawning_only": False},
                         move_rules={"weight_softening": 0.2, "weight_power": 1.5, "foreign_weight": 2.0,
                                     "capacity_buffer": 0.7, "distance_power": 1.3, "idpcamp_movechance": 0.3}),
    "stay_close_to_home": _rules("simsetting.yml", move_rules={"stay_close_to_home": True}),
    "remove_forced_redirection": _both(_forced_redirection, _closure(["remove_forced_redirection,Dumo,Hubro,30,60"])),
    "conflict_driven_constant": _conflict_driven("constant", 6),
    "conflict_driven_pop_ratio": _conflict_driven("pop_ratio", 0.0002),
    "take_from_population": _rules("simsetting.yml", spawn_rules={"take_from_population": True}),
    "movechance_pop_scale": _rules("simsetting.yml", move_rules={"movechance_pop_scale_factor": 0.3}),
    "pop_loc_weight": _both(_pop0, _rules("simsetting.yml", move_rules={"use_pop_for_loc_weight": True})),
}


def write_feature_case(root: str | Path, feature: str, hasten: int | None = None) -> Path:
    """The base case changed by FEATURES[feature], written to `root`; `hasten` scales it down (fast tests)."""
    spec = Spec()
    FEATURES[feature](spec)
    if hasten is not None:
        spec.rules_patch = {**spec.rules_patch, "optimisations": {"hasten": hasten}}
    return write_spec(root, spec)

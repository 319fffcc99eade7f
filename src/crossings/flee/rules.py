"""Flee 3.1's rule file (simsetting.yml), read as flee/SimulationSettings.py::ReadFromYML reads it.

Every move/spawn key flee 3.1 reads is a field here with Flee's default. Keys that only Flee HEAD reads
(HEAD_ONLY_KEYS, listed in docs/flee_engine.md) are accepted and ignored; any other key is ignored too, as
flee 3.1 ignores it, but with a warning (FleeRules.warnings), so a typo never silently falls back to a default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from crossings.core.errors import InputError

SPAWN_KEYS = {
    "take_from_population": "take_from_population",
    "insert_day0": "insert_day0",
    "conflict_zone_spawning_only": "conflict_zone_spawning_only",
    "camps_are_sicks": "camps_are_sinks",  # sic: flee 3.1 reads this spelling
    "read_from_agents_csv_file": "read_from_agents_csv_file",
    "conflict_spawn_decay": "conflict_spawn_decay",
    "flood_zone_spawning_only": "flood_zone_spawning_only",
}
MOVE_KEYS = {
    "max_move_speed": "max_move_speed", "max_walk_speed": "max_walk_speed",
    "max_crossing_speed": "max_crossing_speed", "foreign_weight": "foreign_weight",
    "camp_weight": "camp_weight", "conflict_weight": "conflict_weight",
    "conflict_movechance": "conflict_movechance", "camp_movechance": "camp_movechance",
    "idpcamp_movechance": "idpcamp_movechance", "default_movechance": "default_movechance",
    "awareness_level": "awareness_level", "capacity_buffer": "capacity_buffer",
    "avoid_short_stints": "avoid_short_stints", "start_on_foot": "start_on_foot",
    "use_v1_rules": "use_v1_rules", "softening": "softening", "weight_softening": "weight_softening",
    "weight_power": "weight_power", "distance_power": "distance_power",
    "stay_close_to_home": "stay_close_to_home", "home_distance_power": "home_distance_power",
    "use_pop_for_loc_weight": "use_pop_for_loc_weight", "pop_power_for_loc_weight": "pop_power_for_loc_weight",
    "movechance_pop_base": "movechance_pop_base", "movechance_pop_scale_factor": "movechance_pop_scale_factor",
    "ChildrenAvoidHazards": "children_avoid_hazards", "BoysTakeRisk": "boys_take_risk",
    "MatchCampEthnicity": "match_camp_ethnicity", "MatchTownEthnicity": "match_town_ethnicity",
    "MatchConflictEthnicity": "match_conflict_ethnicity",
}
# Read only by Flee HEAD (or FabFlee); flee 3.1 ignores them, and so do we.
HEAD_ONLY_KEYS = {
    "": {"number_of_steps", "conflict_input_file", "flood_rules", "log_levels"},
    "spawn_rules": {"sum_from_camps", "conflict_spawn_decay_interval", "empty_camps_on_day0",
                    "flood_driven_spawning", "flood_spawn_decay", "camps_are_sinks", "spawn_from_file",
                    "agent_file"},
    "move_rules": {"capacity_scaling", "fixed_routes", "two_system_decision_making", "max_flood_level",
                   "flood_movechances", "flood_loc_weights", "flood_link_weights", "flood_forecaster",
                   "flood_forecaster_timescale", "flood_forecaster_end_time", "flood_awareness_weights",
                   "flood_forecaster_weights", "route_pruning", "route_pruning_threshold",
                   "marker_forward_penalty", "weather_source_files", "dynamic_movechance",
                   "ElderlyAvoidHazards", "WomenAvoidHazards", "major_routes", "economic_pull",
                   "use_route_pruning", "stay_on_route"},
    "optimisations": set(),
}


@dataclass(frozen=True)
class FleeRules:
    # spawn_rules
    take_from_population: bool = False
    insert_day0: bool = True
    conflict_zone_spawning_only: bool = True
    camps_are_sinks: bool = False
    read_from_agents_csv_file: bool = False
    flood_zone_spawning_only: bool = False
    conflict_spawn_decay: tuple[float, ...] | None = None
    conflict_driven_spawning: bool = False
    conflict_spawn_mode: str = "constant"
    displaced_per_conflict_day: float = 500.0
    # move_rules
    max_move_speed: float = 360.0
    max_walk_speed: float = 35.0
    max_crossing_speed: float = 20.0  # read but unused by flee 3.1
    foreign_weight: float = 1.0
    camp_weight: float = 1.0
    conflict_weight: float = 1.0 / 3.16227766017  # Flee's sqrt_ten constant
    conflict_movechance: float = 1.0
    camp_movechance: float = 0.001
    idpcamp_movechance: float = 0.1
    default_movechance: float = 0.3
    awareness_level: int = 1
    capacity_buffer: float = 0.9
    avoid_short_stints: bool = False
    start_on_foot: bool = False
    use_v1_rules: bool = False
    softening: float = 10.0
    weight_softening: float = 0.0
    weight_power: float = 1.0
    distance_power: float = 1.0
    stay_close_to_home: bool = False
    home_distance_power: float = 0.5
    use_pop_for_loc_weight: bool = False
    pop_power_for_loc_weight: float = 0.1
    movechance_pop_base: float = 10000.0
    movechance_pop_scale_factor: float = 0.0
    children_avoid_hazards: bool = False
    boys_take_risk: bool = False
    match_camp_ethnicity: bool = False
    match_town_ethnicity: bool = False
    match_conflict_ethnicity: bool = False
    # optimisations
    hasten: int = 1
    # keys flee 3.1 would ignore silently (reported, not compared)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def decay(self, days_since: int) -> float:
        """Flee's get_conflict_decay: multiplier per 30-day bucket since the conflict started."""
        d = self.conflict_spawn_decay
        if not d:
            return 1.0
        return float(d[min(int(days_since / 30), len(d) - 1)])


_TYPES = {f.name: f.type for f in fields(FleeRules)}


def _coerce(file: str, key: str, name: str, value: Any) -> Any:
    t = _TYPES[name]
    try:
        if t == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("true", "1", "yes")
            return bool(value)
        if t == "int":
            return int(value)
        if t == "float":
            v = float(value)
            if not math.isfinite(v):
                raise ValueError
            return v
    except (TypeError, ValueError):
        raise InputError(file, key, f"expected a {t}, got {value!r}") from None
    return value


def _section(file: str, data: dict[str, Any], name: str) -> dict[str, Any]:
    sec = data.get(name)
    if sec is None:
        return {}
    if not isinstance(sec, dict):
        raise InputError(file, name, f"expected a mapping, got {type(sec).__name__}")
    return sec


def load_rules(path: str | Path | None) -> FleeRules:
    """Rules from a simsetting.yml (None: Flee's defaults)."""
    if path is None:
        return FleeRules()
    import yaml

    from crossings.scenario.yaml_loader import NoDatesLoader  # bounded: depth, aliases, duplicate keys

    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=NoDatesLoader)  # noqa: S506 (a SafeLoader)
    except OSError as err:
        raise InputError(str(p), "", f"cannot read rules file ({err.strerror})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise InputError(str(p), where, "not valid YAML") from None
    return rules_from_dict(data or {}, str(p))


def rules_from_dict(data: dict[str, Any], file: str = "<rules>") -> FleeRules:
    if not isinstance(data, dict):
        raise InputError(file, "", "expected a YAML mapping at top level")
    known_top = {"spawn_rules", "move_rules", "optimisations"} | HEAD_ONLY_KEYS[""]
    # flee 3.1 ignores keys it does not know; so do we, but say so (a typo should not pass unnoticed)
    unknown = [f"{file}: {k}: unknown key ignored (flee 3.1 sections: log_levels, spawn_rules, move_rules, "
               "optimisations)" for k in data if k not in known_top]
    kw: dict[str, Any] = {}
    for section, table in (("spawn_rules", SPAWN_KEYS), ("move_rules", MOVE_KEYS)):
        sec = _section(file, data, section)
        for k, v in sec.items():
            key = f"{section}.{k}"
            if section == "spawn_rules" and k == "conflict_driven_spawning":
                kw.update(_conflict_driven(file, key, v))
            elif k in table:
                name = table[k]
                if name == "conflict_spawn_decay":
                    kw[name] = _decay(file, key, v)
                else:
                    kw[name] = _coerce(file, key, name, v)
            elif k not in HEAD_ONLY_KEYS[section]:
                unknown.append(f"{file}: {key}: unknown key ignored (not read by flee 3.1; see docs/flee_engine.md)")
    opt = _section(file, data, "optimisations")
    for k, v in opt.items():
        if k != "hasten":
            unknown.append(f"{file}: optimisations.{k}: unknown key ignored (flee 3.1 reads only 'hasten')")
            continue
        kw["hasten"] = _coerce(file, "optimisations.hasten", "hasten", v)
    rules = FleeRules(**kw, warnings=tuple(unknown))
    if rules.use_v1_rules:  # Flee overrides these five after reading (SimulationSettings.ReadFromYML)
        rules = replace(rules, max_move_speed=200.0, start_on_foot=False, avoid_short_stints=False,
                        camp_weight=2.0, conflict_weight=0.25)
    _check(file, rules)
    return rules


def _decay(file: str, key: str, v: Any) -> tuple[float, ...] | None:
    if v is None:
        return None
    if isinstance(v, dict):
        v = [v[k] for k in sorted(v)]
    if not isinstance(v, list):
        raise InputError(file, key, "expected a list of multipliers, e.g. [1.0, 1.0, 1.0, 0.5, 0.1]")
    try:
        return tuple(float(x) for x in v)
    except (TypeError, ValueError):
        raise InputError(file, key, "every multiplier must be a number") from None


def _conflict_driven(file: str, key: str, v: Any) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise InputError(file, key, "expected a mapping with spawn_mode and displaced_per_conflict_day")
    mode = str(v.get("spawn_mode", "constant"))
    if mode.lower() not in ("constant", "pop_ratio", "poisson"):
        raise InputError(file, f"{key}.spawn_mode", f"expected constant, pop_ratio or Poisson, got {mode!r}")
    default = 0.01 if mode == "pop_ratio" else 500
    try:
        rate = float(v.get("displaced_per_conflict_day", default))
    except (TypeError, ValueError):
        raise InputError(file, f"{key}.displaced_per_conflict_day", "expected a number") from None
    if mode != "pop_ratio":
        rate = float(int(rate))  # flee 3.1 reads it with int() outside pop_ratio mode
    return {"conflict_driven_spawning": True, "conflict_spawn_mode": mode.lower(), "displaced_per_conflict_day": rate}


def _check(file: str, r: FleeRules) -> None:
    if r.hasten < 1:
        raise InputError(file, "optimisations.hasten", "must be >= 1")
    if r.awareness_level < 0:
        raise InputError(file, "move_rules.awareness_level", "must be >= 0")
    if r.max_move_speed <= 0 or r.max_walk_speed <= 0:
        raise InputError(file, "move_rules.max_move_speed", "speeds must be > 0")
    if not 0.0 <= r.capacity_buffer < 1.0:
        raise InputError(file, "move_rules.capacity_buffer", "must be in [0, 1)")
    if r.flood_zone_spawning_only:
        raise InputError(file, "spawn_rules.flood_zone_spawning_only", "flood rules are not supported")
    if r.read_from_agents_csv_file:
        raise InputError(file, "spawn_rules.read_from_agents_csv_file", "agents.csv input is not supported")
    if r.children_avoid_hazards or r.boys_take_risk:
        raise InputError(file, "move_rules.ChildrenAvoidHazards",
                         "needs per-agent age/gender from demographics files, which are not supported")

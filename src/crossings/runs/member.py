"""One ensemble member as a vector: the scenario's monthly `simulated` column for one seed (and parameter draw).

The parent prepares once (`prepare_members`): reads the YAML files, validates, builds the sea arrays and runs
the first member through `run_scenario` to get the table's layout (key columns and observed values) and the
index arrays that put a sea outcome's daily series into that layout. Workers get this `MemberSpec` once and,
per seed, only simulate and aggregate with numpy (no YAML, no pandas for the sea part). The sea arrays do not
depend on the seed, so they are built once; a member with its own parameters (parameter uncertainty) applies
its overrides to the already-read raw dict and builds its own arrays. Asylum rows come from the asylum
outcome's monthly table, in the order of the layout (checked).

A member's vector equals `run_scenario(...).monthly["simulated"]` exactly (tests/test_ensemble_member.py).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.calendar import date_index
from crossings.scenario.load import load_raw, validate
from crossings.scenario.overrides import apply_overrides
from crossings.scenario.schema import Scenario
from crossings.sea.model import SeaArrays, build
from crossings.sea.outcome import SeaOutcome


def _place_col(cols: Sequence[str]) -> str:
    return "place" if "place" in cols else "route"


def _rule(measure: str) -> str:
    """How a month aggregates the daily values: sum, last (stocks) or mean."""
    from crossings.core.measures import period_rule

    return period_rule(measure)


@dataclass
class SeaLayout:
    """Where each sea row of the monthly table comes from: rows n_sea first rows of the table, in the order
    (place, measure, month). `places` lists, per place, the route indices summed into it."""

    n_rows: int
    places: list[list[int]]
    measures: list[str]
    month_starts: np.ndarray  # first day index of each month
    month_ends: np.ndarray  # last day index of each month


@dataclass
class MemberSpec:
    """Everything a worker needs, sent once (pickled once per worker, or one Ray object)."""

    path: str
    raw: dict[str, Any]  # after bases and the fitted file, before any override
    overrides: list[dict[str, Any]]  # per member (seed order)
    seeds: list[int]
    baseline: bool  # also run each member with every lever off and return the difference
    scenario: Scenario | None  # shared scenario when members have no own overrides
    arrays: SeaArrays | None  # its sea arrays (built once), None when the scenario has an asylum part
    arrays_base: SeaArrays | None
    scenario_base: Scenario | None
    layout: SeaLayout
    n_rows: int  # rows of the monthly table
    first_scenario: Scenario | None = None  # the first member's (for data versions)
    asylum_keys: pd.DataFrame | None = None  # key columns of the asylum rows (checked per member)
    profile: dict[str, float] = field(default_factory=dict)


def scenario_for(spec_raw: Mapping[str, Any], path: str, overrides: Mapping[str, Any],
                 baseline: bool = False) -> Scenario:
    """As crossings.runs.runner.prepare, from an already-read raw dict (no file is read again)."""
    raw = copy.deepcopy(dict(spec_raw))
    if overrides:
        apply_overrides(raw, {k: v for k, v in overrides.items() if k != "fitted_file"})
    if baseline:
        for lever in (raw.get("levers") or {}).values():
            if isinstance(lever, dict):
                lever["enabled"] = False
    sc = validate(raw, path)
    if baseline and sc.asylum is not None:
        from crossings.asylum.simulate import strip_levers

        sc.asylum = strip_levers(sc.asylum)
    return sc


def _sea_layout(template: pd.DataFrame, sea: SeaOutcome) -> SeaLayout:
    """The sea rows of the template (first, ordered by place, measure, month) and how to compute them."""
    pc = _place_col(list(template.columns))
    months = sorted(template["month"].unique())
    dates = date_index(sea.start, sea.n_days)
    month_of_day = np.array(dates.strftime("%Y-%m"))
    starts = np.searchsorted(month_of_day, months, side="left")
    ends = np.searchsorted(month_of_day, months, side="right") - 1
    routes = list(sea.routes)
    from crossings.sea.outcome import MEASURES, STOCKS

    sea_measures = [*MEASURES, *STOCKS]
    t_place, t_measure = template[pc].to_numpy(), template["measure"].to_numpy()
    places: list[list[int]] = []
    names: list[str] = []
    measures: list[str] = []
    i, n_m = 0, len(months)
    while i < len(template) and t_measure[i] in sea_measures:  # one (place, measure) block of months at a time
        p, m = str(t_place[i]), str(t_measure[i])
        if p not in names:
            names.append(p)
            places.append([routes.index(p)] if p in routes else
                          [j for j, r in enumerate(routes) if sea.destination_of_route[r] == p])
        if len(names) == 1:
            measures.append(m)
        i += n_m
    n_sea = len(names) * len(measures) * n_m
    # the expected key order, checked against the template (a change in the runner's table must not slip by)
    want_p = np.repeat(np.array(names, dtype=object), len(measures) * n_m)
    want_m = np.tile(np.repeat(np.array(measures, dtype=object), n_m), len(names))
    want_t = np.tile(np.array(months, dtype=object), len(names) * len(measures))
    head = template.iloc[:n_sea]
    if not (np.array_equal(head[pc].to_numpy(dtype=object), want_p)
            and np.array_equal(head["measure"].to_numpy(dtype=object), want_m)
            and np.array_equal(head["month"].to_numpy(dtype=object), want_t)):
        raise RuntimeError("the monthly table's sea rows are not in (place, measure, month) order")
    return SeaLayout(n_sea, places, measures, starts.astype(np.int64), ends.astype(np.int64))


def sea_vector(sea: SeaOutcome, lay: SeaLayout) -> np.ndarray:
    """The sea rows of the monthly table, as results.sea_daily + to_monthly compute them (same sums)."""
    blocks = []
    for p in lay.places:
        for m in lay.measures:
            table: dict[str, np.ndarray] = getattr(sea, m)
            series = [table[sea.routes[j]] for j in p]
            daily = series[0] if len(series) == 1 else np.sum(series, axis=0)
            rule = _rule(m)
            if rule == "last":
                blocks.append(daily[lay.month_ends])
            else:
                s = np.add.reduceat(daily, lay.month_starts)
                blocks.append(s / (lay.month_ends - lay.month_starts + 1) if rule == "mean" else s)
    return np.concatenate(blocks).astype(np.float64, copy=False)


def prepare_members(path: str | Path, seeds: Sequence[int], overrides: Sequence[Mapping[str, Any]],
                    baseline: bool = False) -> tuple[MemberSpec, pd.DataFrame]:
    """The spec sent to workers, and the monthly table of the first member (its key columns and observed)."""
    from crossings.runs.runner import run_scenario

    t0 = time.perf_counter()
    common = overrides[0] if overrides else {}
    fitted = {"fitted_file": common["fitted_file"]} if "fitted_file" in common else None
    raw = load_raw(path, fitted)
    first = run_scenario(path, seed=int(seeds[0]), overrides=dict(overrides[0]))
    template = first.monthly.drop(columns=["simulated"])
    assert first.sea is not None
    lay = _sea_layout(first.monthly, first.sea)
    same = all(dict(o) == dict(common) for o in overrides)
    sc = scenario_for(raw, str(path), common) if same else None
    sc_base = scenario_for(raw, str(path), common, baseline=True) if same and baseline else None
    plain = sc is not None and sc.asylum is None
    asylum_keys = template.iloc[lay.n_rows:].drop(columns=["observed"]).reset_index(drop=True)
    spec = MemberSpec(
        path=str(path), raw=raw, overrides=[dict(o) for o in overrides], seeds=[int(s) for s in seeds],
        baseline=baseline, scenario=sc, arrays=build(sc) if plain and sc is not None else None,
        arrays_base=build(sc_base) if plain and sc_base is not None else None, scenario_base=sc_base,
        layout=lay, n_rows=len(template), first_scenario=first.scenario, asylum_keys=asylum_keys if len(asylum_keys) else None)
    spec.profile["prepare_s"] = time.perf_counter() - t0
    return spec, template


def _one(spec: MemberSpec, i: int, baseline: bool, prof: dict[str, float]) -> np.ndarray:
    from crossings.runs.runner import run_sea_and_asylum
    from crossings.sea.simulate import simulate

    seed = spec.seeds[i]
    t0 = time.perf_counter()
    arrays = spec.arrays_base if baseline else spec.arrays
    sc = spec.scenario_base if baseline else spec.scenario
    if sc is None:
        sc = scenario_for(spec.raw, spec.path, spec.overrides[i], baseline)
    t1 = time.perf_counter()
    asylum = None
    if arrays is not None:
        sea = simulate(arrays, seed)
    elif sc.asylum is None:
        sea = simulate(build(sc), seed)
    else:
        sea, asylum = run_sea_and_asylum(sc, seed)
    t2 = time.perf_counter()
    vec = np.empty(spec.n_rows)
    vec[:spec.layout.n_rows] = sea_vector(sea, spec.layout)
    if spec.n_rows > spec.layout.n_rows:
        if asylum is None:
            raise RuntimeError("the first member had asylum rows; this one has none")
        m = asylum.monthly
        keys = spec.asylum_keys
        assert keys is not None
        if len(m) != len(keys) or not m[list(keys.columns)].reset_index(drop=True).equals(keys):
            raise RuntimeError("a member's asylum table does not have the first member's rows")
        vec[spec.layout.n_rows:] = m["simulated"].to_numpy(dtype=np.float64)
    t3 = time.perf_counter()
    for k, v in (("scenario_s", t1 - t0), ("simulate_s", t2 - t1), ("tables_s", t3 - t2)):
        prof[k] = prof.get(k, 0.0) + v
    return vec


def run_members(spec: MemberSpec, index: Sequence[int]) -> dict[str, Any]:
    """Members `index` (positions in spec.seeds): their monthly vectors (and lever-on minus all-off vectors)."""
    prof: dict[str, float] = {}
    on = np.stack([_one(spec, i, False, prof) for i in index])
    out: dict[str, Any] = {"index": np.asarray(index, dtype=np.int64), "monthly": on, "profile": prof}
    if spec.baseline:
        out["effect"] = on - np.stack([_one(spec, i, True, prof) for i in index])
    return out

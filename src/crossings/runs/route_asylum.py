"""The route system feeding an asylum system: Frontex routes -> the onward leg -> the Channel -> the UK.

One coupled run (`coupled_run`): the route system (scenarios/europe.yaml; agents or mean-field) gives persons per
route and day; its fitted onward leg (land/onward.py) gives the people reaching northern France; they replace
the asylum scenario's fitted regional inflow (uk_asylum.yaml extends channel.yaml), so its crossing process
(weather, launches, French prevention, boats) lands them in the UK; the UK asylum system then takes its
small-boat arrivals from that sea run (inflows.arrivals_from = "sea") instead of the Home Office's daily series.
A lever of the route system (`--set levers.eu_tunisia_mou.enabled=false`) thus reaches awaiting decisions,
hotels and cost. The onward shares stay as fitted in a counterfactual (a lever moves the people, not the share).

`python -m crossings.runs.route_asylum scenarios/europe.yaml scenarios/uk_asylum.yaml --out out/coupled`
Italy's reception system from the central Mediterranean's persons (`coupled_route_run`):
`python -m crossings.runs.route_asylum scenarios/europe.yaml scenarios/italy_albania.yaml --route central_mediterranean
--destination italy --out out/coupled_italy`
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from crossings.calibrate.europe_onward import with_fed_inflow
from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.land.onward import feed_daily, feeding_routes, monthly_rows, params_of, reach_daily
from crossings.land.simulate import persons_by_route, run_daily
from crossings.runs.runner import prepare, run_sea_and_asylum
from crossings.scenario.routes import EuropeScenario, fitted_path, load_europe
from crossings.scenario.schema import Scenario
from crossings.sea.model import build
from crossings.sea.simulate import simulate

Engine = Literal["agents", "meanfield"]


@dataclass
class Coupled:
    monthly: pd.DataFrame  # tidy: the leg's northern_france rows, the sea's and the asylum system's
    reach: np.ndarray  # people reaching the leg's place per day over the asylum scenario's days
    sea: Any  # SeaOutcome
    asylum: Any  # AsylumOutcome
    europe: EuropeScenario
    scenario: Scenario


def _europe(path: str | Path, overrides: Mapping[str, Any] | None, onward: bool = True) -> EuropeScenario:
    over = dict(overrides or {})
    # a lever's `enabled` is a default the file need not write: switched here, every other key by load_europe
    switch = {k.split(".")[1]: v for k, v in over.items() if k.startswith("levers.") and k.endswith(".enabled")}
    sc = load_europe(path, {k: v for k, v in over.items() if not (k.startswith("levers.") and k.endswith(".enabled"))})
    for name, on in switch.items():
        if name not in sc.levers:
            raise InputError(str(path), f"levers.{name}", "no such lever")
        sc.levers[name] = sc.levers[name].model_copy(update={"enabled": bool(on)})
    if onward and (sc.onward is None or not sc.onward_fitted):
        raise InputError(str(path), "onward", f"no fitted onward leg (python -m crossings.calibrate.europe_onward {path})")
    return sc


def coupled_run(europe: str | Path, asylum: str | Path, seed: int = 1,
                overrides: Mapping[str, Any] | None = None, engine: Engine = "agents") -> Coupled:
    """The asylum scenario fed by the route system's onward leg (overrides: key paths of the route system)."""
    sc_e = _europe(europe, overrides)
    sc = prepare(asylum)
    if sc.asylum is None:
        raise InputError(str(asylum), "asylum", "no asylum section")
    a = build(sc)
    regions = [p.name for p in sc.places if p.kind == "region"]
    if sc_e.onward is None or sc_e.onward.place not in regions:
        raise InputError(str(asylum), "places", f"the onward leg's place is not one of its regions {regions}")
    system, out, _ = run_daily(sc_e, sc_e.fit.start, sc.end, seed, agents=engine == "agents")
    feed = feed_daily(persons_by_route(out, system), list(sc_e.routes), feeding_routes(sc_e))
    reach_all = reach_daily(feed, system.dates, params_of(sc_e.onward_fitted))
    region = regions.index(sc_e.onward.place)
    a_fed = with_fed_inflow(a, region, system.dates, reach_all)
    reach = a_fed.inflow[region]
    dests = {k: d.model_copy(update={"inflows": d.inflows.model_copy(update={"arrivals_from": "sea"})})
             for k, d in sc.asylum.destinations.items()}
    fed = sc.model_copy(update={"asylum": sc.asylum.model_copy(update={"destinations": dests})})
    from crossings.asylum.simulate import run_asylum

    sea = simulate(a_fed, seed, "meanfield" if engine == "meanfield" else "numba")
    assert fed.asylum is not None
    outcome = run_asylum(fed.asylum, sea, seed)
    if any(np.any(np.asarray(v) < 1.0) for v in (outcome.departure_multiplier or {}).values()):
        raise InputError(str(asylum), "levers", "a deterrence lever feeds back on departures; the coupled run does not "
                         "carry that loop yet")
    months = np.arange(np.datetime64(sc.start, "D"), np.datetime64(sc.start, "D") + a.n_days)
    arr = pd.Series(np.sum([sea.arrivals[r] for r in sea.routes], axis=0)).groupby(
        months.astype("datetime64[M]").astype(str)).sum()
    sea_rows = pd.DataFrame({"month": arr.index, "place": "uk", "place_kind": "destination", "is_total": True,
                             "measure": "arrivals", "unit": "people", "simulated": arr.to_numpy(),
                             "observed": np.nan})
    leg = monthly_rows(sc_e.onward.place, system.dates, reach_all, sc.start)
    tab = pd.concat([leg, sea_rows, outcome.monthly], ignore_index=True)
    return Coupled(tab, reach, sea, outcome, sc_e, fed)


def coupled_route_run(europe: str | Path, asylum: str | Path, route: str = "central_mediterranean",
                      destination: str = "italy", seed: int = 1, overrides: Mapping[str, Any] | None = None,
                      engine: Engine = "agents") -> Coupled:
    """An asylum destination whose sea arrivals are a route's persons in the route system (Italy from the central
    Mediterranean: Frontex's route counts Italy's and Malta's landings, so Malta's few are in). A deterrence
    lever's multiplier thins those arrivals in a second pass (the runner's two passes with a sea model)."""
    from types import SimpleNamespace

    from crossings.asylum.simulate import run_asylum

    sc_e = _europe(europe, overrides, onward=False)
    if route not in sc_e.routes:
        raise InputError(str(europe), "--route", f"no route {route!r}")
    sc = prepare(asylum)
    if sc.asylum is None or destination not in sc.asylum.destinations:
        raise InputError(str(asylum), "--destination", f"no asylum destination {destination!r}")
    system, out, _ = run_daily(sc_e, sc_e.fit.start, sc.end, seed, agents=engine == "agents")
    persons = persons_by_route(out, system)[list(sc_e.routes).index(route)]
    i0 = int((np.datetime64(sc.start, "D") - system.dates[0]).astype(int))
    n_days = (sc.end - sc.start).days + 1
    arrivals = persons[i0:i0 + n_days].astype(np.float64)
    dests = {k: d.model_copy(update={"inflows": d.inflows.model_copy(update={"arrivals_from": "sea"})})
             for k, d in sc.asylum.destinations.items() if k == destination}
    cfg = sc.asylum.model_copy(update={"destinations": dests})

    def sea_of(arr: np.ndarray) -> Any:
        return SimpleNamespace(start=sc.start, n_days=n_days, routes=[route], destination_of_route={route: destination},
                               arrivals={route: arr})

    sea = sea_of(arrivals)
    outcome = run_asylum(cfg, sea, seed)
    mult = np.asarray(outcome.departure_multiplier.get(destination, np.ones(n_days)))
    if np.any(mult < 1.0):  # people deterred do not set out: the route's arrivals thinned, the asylum run again
        sea = sea_of(arrivals * mult)
        outcome = run_asylum(cfg, sea, seed)
    days = np.arange(np.datetime64(sc.start, "D"), np.datetime64(sc.start, "D") + n_days)
    arr = pd.Series(sea.arrivals[route]).groupby(days.astype("datetime64[M]").astype(str)).sum()
    rows = pd.DataFrame({"month": arr.index, "place": route, "place_kind": "route", "is_total": False,
                         "measure": "persons", "unit": "people", "simulated": arr.to_numpy(), "observed": np.nan})
    fed = sc.model_copy(update={"asylum": cfg})
    return Coupled(pd.concat([rows, outcome.monthly], ignore_index=True), arrivals, sea, outcome, sc_e, fed)


def observed_arrivals_run(asylum: str | Path, seed: int = 1) -> Any:
    """The asylum scenario as shipped (small-boat arrivals from the Home Office series): the reference."""
    _, outcome = run_sea_and_asylum(prepare(asylum), seed)
    return outcome


def stock_at_quarter_ends(monthly: pd.DataFrame, measure: str, place: str = "uk") -> pd.Series:
    """A stock's value at each quarter's last month (the asylum tables' month = the month's last day)."""
    m = monthly[(monthly.measure == measure) & (monthly.place == place)].set_index("month")["simulated"]
    return m[m.index.str[5:7].isin(["03", "06", "09", "12"])]


def main(argv: list[str] | None = None) -> int:
    """Run an asylum scenario fed by a route system's onward leg; write monthly tables and a manifest."""
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("europe", type=Path)
    ap.add_argument("asylum", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engine", choices=("agents", "meanfield"), default="agents")
    ap.add_argument("--route", default=None,
                    help="feed the asylum destination --destination with this route's persons instead of the "
                         "onward leg (e.g. central_mediterranean with italy_albania.yaml)")
    ap.add_argument("--destination", default="italy")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a route-system key path, e.g. levers.eu_tunisia_mou.enabled=false")
    a = ap.parse_args(argv)
    import yaml

    t0 = time.perf_counter()
    try:
        bad = [s for s in a.set if "=" not in s]
        if bad:
            raise InputError("command line", "--set", f"{bad[0]!r}: expected KEY=VALUE")
        over = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in a.set)}
        res = (coupled_route_run(a.europe, a.asylum, a.route, a.destination, a.seed, over, a.engine) if a.route
               else coupled_run(a.europe, a.asylum, a.seed, over, a.engine))
    except InputError as err:  # one line, exit 2, nothing written
        print(f"crossings.runs.route_asylum: error: {err}", file=sys.stderr)
        return 2
    files = [a.europe, fitted_path(a.europe), a.asylum]
    if res.europe.onward is not None:
        files.append(a.europe.with_name(res.europe.onward.fitted_file))
    manifest = make_manifest(
        scenario=f"{a.asylum} fed by {a.europe}", scenario_hash=hash_files([f for f in files if f.exists()]),
        seed=a.seed, wall_s=time.perf_counter() - t0,
        data_versions={f: obs.data_version(f) for f in ("frontex_detections_monthly_by_route",
                                                         "uk_small_boats_monthly", "uk_asylum_quarterly")},
        extra={"command": "route_asylum", "engine": a.engine, "overrides": {k: str(v) for k, v in over.items()},
               "coupling": (f"route system persons of {a.route} -> the asylum destination {a.destination}'s sea "
                            "arrivals (arrivals_from sea)" if a.route else
                            "route system persons -> onward leg (land/onward.py) -> the asylum scenario's crossing "
                            "process in place of its fitted inflow -> asylum arrivals_from sea"),
               "asylum_summary": res.asylum.summary})
    write_outputs(a.out, {"monthly": res.monthly}, manifest, parquet=False)
    place, measure = (a.route, "persons") if a.route else ("uk", "arrivals")
    year_end = {y: float(res.monthly[(res.monthly.place == place) & (res.monthly.measure == measure)
                                     & res.monthly.month.str.startswith(str(y))].simulated.sum())
                for y in range(res.scenario.start.year, res.scenario.end.year + 1)}
    print(f"wrote {a.out}: {place} {measure} by year " + ", ".join(f"{y} {v:,.0f}" for y, v in year_end.items())
          + f" ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

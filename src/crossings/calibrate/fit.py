"""Fit a sea scenario's free parameters to its observed series, and write the fitted-values file.

Method (docs/sea_model.md, "Fitting"):
1. Directly from data, where a parameter is observed: the Channel's crossing-window probability per
   calendar month = share of days with at least one arrival in that month, over the fit-window years
   from 2022 (when enough people wait that a good day nearly always shows arrivals); the weather
   persistence = lag-1 autocorrelation of that day-with-arrivals indicator over the same days, each
   day centred on its month's share (windows come in spells: Met Office red/amber/green ratings).
   The spread of boat sizes (people_per_boat.cv) = pooled within-year coefficient of variation of the
   people on days with exactly one boat arriving (HO daily series; the only days that show a single
   boat's size), years 2022-2024 of the fit window (2021's boats grew within the year, which would
   count as spread): each size divided by its year's mean, sqrt(sum of squared deviations from 1 /
   (days - years)).
   In the model a window day can still show no arrivals (every boat stopped on the beach, or too few
   people for a full boat), so that share estimates P(window) x P(arrival | window), not P(window).
   A simulated-method-of-moments step (after step 3) makes the estimator consistent with the model:
   P(arrival | window) per calendar month is measured on agent runs of the fitted scenario (seeds
   1-8, window days of the same years), the window probability is set to share / P(arrival | window)
   (capped at 1); likewise the persistence is scaled by observed / simulated lag-1 statistic (the same
   statistic, on the simulated arrivals); step 2 is redone at the kept launch share; SMM_ROUNDS times.
2. Penalised least squares (scipy.optimize.least_squares, trust-region reflective, bounds) on the
   mean-field model: residuals log(sim + 10) - log(obs + 10) of every monthly observed series in the
   fit window (deaths and interceptions weighted 0.5: lumpy, and counted with repeats), plus the log
   annual sums of each series except deaths over years with >= 10 observed months (weight 12), plus
   every observed total inside the window (weight 12 x sqrt(share of a year covered)), plus a
   roughness penalty on the second differences of each yearly-knot curve (weight 0.05).
3. The launch share (chance that each full boat launches on a window day) is profiled: for each value on a grid, the
   step-2 fit is redone and the agent model (seed 1) is run; the value with the lowest step-2 objective
   evaluated on the agent run, plus the log gap between the simulated and observed ratio of the
   95th-percentile day to the mean day of daily arrivals as one more residual (weight W_TOTAL), is kept.
4. Window quality (weather.quality_shape = k, Channel: the only route with daily boat counts), by
   simulated method of moments: for k on QUALITY_GRID, steps 2-3 and the SMM weather correction are
   redone with k fixed; the k whose agent runs (seeds 1-8, days from 2022) give the share of days with
   boats that had exactly one boat closest to the observed share (HO daily boats) is kept. That
   moment is not the 95th-percentile day that docs/validation.md checks.
With `--fit-end D` (an out-of-sample `fit_to_<year>` file) every other input the scenario YAML read off data
(deaths blocks, people per boat, the Channel deal's size, the days of the daily moments) is first re-derived from
the data before D + 1 day by calibrate/origin_inputs.py, the function a forecast origin uses (forecasting/origin.py
fit_at_origin): the YAML's numbers come from the whole data window, so the profile of steps 3-4 would otherwise
see data after D, and the back-test's origins reuse that profile. The re-derived values are applied in the fit,
written among the values and listed under `inputs_at_origin`.
The result is a YAML file {values: {key.path: value}, method, window, residual summary} next to the
scenario (default: the scenario's `fitted_file`); `--output` writes elsewhere, leaving the shipped fit.

Usage: python -m crossings.calibrate.fit scenarios/central_med.yaml [--fit-start D] [--fit-end D] [--output F] [--cold]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from crossings.calibrate.deaths import deaths_values
from crossings.calibrate.fitspec import has_fit
from crossings.calibrate.moments import (
    _p95_ratio,
    arrival_given_window,
    channel_one_boat,
    corrected_weather,
    direct_estimates,
    simulated_one_boat,
)
from crossings.calibrate.origin_inputs import origin_inputs
from crossings.calibrate.problem import W_TOTAL, Problem
from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.core.output import write_generated_yaml
from crossings.scenario.load import _unalias, fitted_path, load_raw, read_yaml, validate
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays

AGENT_SKIP = frozenset({"deaths"})  # measures left out of agent-run scores (lumpy: see _fit_given)


def _least_squares() -> Any:
    """scipy is needed only to refit (the `fit` extra): imported here so that running scenarios and Flee cases
    never loads it (numba imports scipy.linalg at start-up when scipy is installed, ~0.2 s)."""
    try:
        from scipy.optimize import least_squares
    except ImportError:
        raise InputError("crossings.calibrate.fit", "", "refitting needs scipy: pip install 'crossings[fit]'") from None
    return least_squares


LAUNCH_GRID = (0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.0)
SMM_ROUNDS = 2  # fixed-point rounds of the weather correction (the second moves window shares by <= 0.015)
QUALITY_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)  # window quality shapes tried (step 4)


def fit(path: Path, fit_start: dt.date | None, fit_end: dt.date | None, verbose: bool = True,
        cold: bool = False) -> dict[str, Any]:
    # start from the YAML + the current fitted file (warm), or from the YAML alone (cold: used for
    # out-of-sample fits, so nothing fitted on later data leaks in through the starting point)
    raw0 = load_raw(path, {"fitted_file": None}) if cold else load_raw(path)
    # out of sample: the YAML's data-derived inputs as known the day after the window (module docstring); applied
    # to raw0 in place before the Problem reads its bounds and the direct estimates read the daily moments' days
    known = origin_inputs(raw0, fit_end + dt.timedelta(days=1)) if fit_end is not None else {}
    sc0 = validate(_unalias(raw0), str(path))
    if not has_fit(raw0):
        raise InputError(str(path), "fit.free", "the scenario declares no free parameters to fit (see docs/scenario_format.md, `fit:`)")
    p = Problem(path, raw0, fit_start or sc0.start, fit_end or sc0.end)
    # model inputs only: `fit.*` (the daily moments' first day) is a setting of this fit, already used above
    fixed: dict[str, Any] = {k: v for k, v in known.items() if not k.startswith("fit.")}
    fixed.update(direct_estimates(p))
    weather = fixed.get(f"sea_links.{p.routes[0]}.weather.by_month")
    rho = fixed.get(f"sea_links.{p.routes[0]}.weather.persistence")
    # the deaths process (incident season and crowding, the latent year driver's variance, people lost per
    # incident) by penalised maximum likelihood on the incident data of the window (calibrate/deaths.py); the
    # incident level stays free in step 2 (the mean-field uses the driver's mean, 1). origin_inputs already gave
    # them for the scenario's start to fit_end: estimated again only for another window (~50 s on central_med)
    if fit_end is None or p.start != sc0.start:
        fixed.update(deaths_values(raw0, p.start, p.end))
    lo = np.array([f.lo for f in p.frees])
    hi = np.array([f.hi for f in p.frees])
    x0 = np.clip(np.array([f.x0 for f in p.frees]), lo, hi)
    one = channel_one_boat(p)
    best_k: tuple[float, float, Any] | None = None
    for k in QUALITY_GRID if one is not None else (None,):  # step 4: window quality by SMM (docstring)
        fixed_k = fixed if k is None else {**fixed, **{f"sea_links.{r}.weather.quality_shape": k for r in p.routes}}
        agent_cost, sol, extra = _fit_given(p, fixed_k, weather, rho, lo, hi, x0, verbose)
        if one is None:
            break
        sim = simulated_one_boat(p, p.scenario(sol.x, extra))
        if verbose:
            print(f"quality_shape {k:.2f}: one-boat share of days with boats {sim:.3f} (observed {one:.3f}), "
                  f"agent cost {agent_cost:.3f}", flush=True)
        if best_k is None or abs(sim - one) < best_k[0]:
            best_k = (abs(sim - one), agent_cost, (sol, extra))
    if best_k is not None:
        _, agent_cost, (sol, extra) = best_k
    vals = {k: _rounded(v) for k, v in {**extra, **p.values(sol.x)}.items()}
    inputs = {} if fit_end is None else {
        "inputs_at_origin": {"origin": (fit_end + dt.timedelta(days=1)).isoformat(),
                             "source": "crossings/calibrate/origin_inputs.py: data before the origin only",
                             "values": {k: v.isoformat() if isinstance(v, dt.date) else _rounded(v)
                                        for k, v in known.items()}}}
    return {
        "scenario": str(path.name),
        "fit_window": {"start": p.start.isoformat(), "end": p.end.isoformat()},
        "start": "cold (scenario YAML values)" if cold else "warm (previous fitted values)",
        "method": "see crossings/calibrate/fit.py and docs/sea_model.md: direct estimates, penalised least squares "
                  "on log monthly counts with the mean-field model, launch share profiled on the agent model, "
                  "window quality by simulated method of moments on single-boat days (Channel)",
        "cost": round(float(sol.cost), 4),
        "agent_cost": round(agent_cost, 4),  # the profile's criterion (see the module docstring, step 3)
        "n_residuals": int(sol.fun.size),
        "data_versions": {f: obs.data_version(f) for f in sorted({o["file"] for o in p.raw.get("observed", [])})},
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **inputs,
        "values": vals,
    }


def _fit_given(p: Problem, fixed: dict[str, Any], weather: list[float] | None, rho: float | None, lo: np.ndarray,
               hi: np.ndarray, x0: np.ndarray, verbose: bool) -> tuple[float, Any, dict[str, Any]]:
    """Steps 2, 3 and the SMM weather correction with `fixed` held: (agent cost, least-squares solution, extra)."""
    daily = p.obs_d[p.obs_d["measure"] == "arrivals"]
    target = _p95_ratio(daily.groupby("date")["observed"].sum().to_numpy()) if len(daily) else None
    best: tuple[float, float, Any] | None = None
    for h in LAUNCH_GRID:
        extra = {**fixed, **{f"sea_links.{r}.launch_share": h for r in p.routes}}
        sol = _least_squares()(p.residuals, x0, bounds=(lo, hi), args=(extra,), method="trf", x_scale="jac",
                            max_nfev=150, ftol=1e-6, xtol=1e-6)
        sc = p.scenario(sol.x, extra)
        out = run_arrays(build(sc), 1, "numba")
        routes = daily["place"].iloc[0] if len(daily) else p.routes[0]
        ratio = _p95_ratio(p.series(out, routes, "arrivals"))
        gap = abs(np.log(ratio / target)) if target else 0.0
        # judged on the agent model (what ships): the same objective plus the p95/mean gap as one more
        # residual; the mean-field misses the day-to-day lumpiness that the launch share controls (with
        # an interception capacity, lumpier days mean a lower intercepted share)
        # one agent run's deaths come in lumps (one wreck can be a month's toll): noise for the launch share,
        # which the deaths do not inform, so the agent-run score leaves them out (AGENT_SKIP)
        agent = (0.5 * float(np.sum(p.residuals(sol.x, extra, "numba", AGENT_SKIP) ** 2))
                 + 0.5 * float(W_TOTAL * gap) ** 2)
        if verbose:
            print(f"  launch_share {h:.2f}: cost {sol.cost:9.3f}, p95/mean {ratio:5.2f} (observed "
                  f"{target if target is None else round(target, 2)}), agent cost {agent:9.3f}", flush=True)
        if best is None or agent < best[0]:
            best = (agent, h, (sol, extra))
        x0 = sol.x
    assert best is not None
    agent_cost, h, (sol, extra) = best
    for _ in range(SMM_ROUNDS):  # SMM weather correction (module docstring)
        if weather is None:
            break
        q, lag1 = arrival_given_window(p, p.scenario(sol.x, extra))
        w2 = corrected_weather(weather, q)
        extra = {**extra, **{f"sea_links.{r}.weather.by_month": w2 for r in p.routes}}
        if rho is not None and lag1 > 0:  # persistence: the same statistic on simulated arrivals = observed
            cur = float(extra[f"sea_links.{p.routes[0]}.weather.persistence"])
            rho2 = round(min(max(cur * rho / lag1, 0.0), 0.95), 4)
            extra = {**extra, **{f"sea_links.{r}.weather.persistence": rho2 for r in p.routes}}
        sol = _least_squares()(p.residuals, sol.x, bounds=(lo, hi), args=(extra,), method="trf", x_scale="jac",
                               max_nfev=150, ftol=1e-6, xtol=1e-6)
        agent_cost = 0.5 * float(np.sum(p.residuals(sol.x, extra, "numba", AGENT_SKIP) ** 2))
        if verbose:
            print(f"  SMM weather: P(arrival | window) {np.round(q, 3).tolist()} -> by_month {w2}; simulated "
                  f"lag-1 {lag1:.3f} (observed {rho}) -> persistence {extra.get(f'sea_links.{p.routes[0]}.weather.persistence')}",
                  flush=True)
    return agent_cost, sol, extra


def _rounded(v: Any) -> Any:
    """5 significant digits: enough for the fit's precision, readable in the file."""
    if isinstance(v, list):
        return [_rounded(x) for x in v]
    return float(f"{v:.5g}") if isinstance(v, float) else v


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crossings.calibrate.fit", description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--fit-start")
    ap.add_argument("--fit-end")
    ap.add_argument("--output", help="where to write (default: the scenario's fitted_file)")
    ap.add_argument("--cold", action="store_true", help="start from the YAML values, not the current fit")
    a = ap.parse_args(argv)
    path = Path(a.scenario)
    try:
        result = fit(path, _date(a.fit_start), _date(a.fit_end), cold=a.cold)
        target = Path(a.output) if a.output else fitted_path(path, read_yaml(path))
    except InputError as err:
        print(f"crossings.calibrate.fit: error: {err}", file=sys.stderr)
        return 2
    if target is None:
        print("crossings.calibrate.fit: error: no --output and the scenario has no fitted_file", file=sys.stderr)
        return 2
    write_generated_yaml(target, "python -m crossings.calibrate.fit", result)
    print(f"wrote {target} (cost {result['cost']}, window {result['fit_window']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The mechanism as known at a forecast origin: the scenario's free parameters re-estimated from data before it.

At an origin inside the data the fit is step 2 of calibrate/fit.py (penalised least squares of the mean-field
model on log monthly counts) on [scenario start, origin - 1 day], with the direct estimates of step 1 (the
Channel's window shares, persistence and boat-size spread) from the same window; the launch share and window
quality (the agent-model profile of steps 3-4, too slow to repeat at every origin) come from the newest shipped
`<stem>.fit_to_<year>.yaml` whose window ends before the origin (the same fit command on earlier data), else
they stay at the scenario's own values. Every other input read off data (deaths blocks, boat sizes, the
Channel deal's size, the days of the daily moments) is re-derived from data before the origin too
(calibrate/origin_inputs.py). Inflow knots and lever schedules after the window repeat the last
value inside it (calibrate/fitspec.py), so nothing after the origin is fitted. A rolling back-test may start
each origin from the previous origin's estimate (`x0`): that uses earlier data only.

At an origin on or after the end of the shipped fit's window, the shipped fitted file is already conditioned on
data before the origin and is used as it is.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from crossings.calibrate.moments import direct_estimates
from crossings.calibrate.origin_inputs import origin_inputs
from crossings.calibrate.problem import Problem
from crossings.scenario.load import fitted_path, load_raw, read_yaml

MAX_NFEV = 60  # least-squares evaluations per origin (warm starts converge within this; measured in the docs)


@dataclass
class OriginFit:
    origin: dt.date
    values: dict[str, Any]  # key path -> value, applied over the scenario without its fitted file
    x: np.ndarray | None  # the free-parameter vector (None: the shipped fit)
    seconds: float
    source: str  # what the parameters are conditioned on, for the manifest
    extra: dict[str, Any] = field(default_factory=dict)


def shipped_fit_end(path: Path) -> dt.date | None:
    """Last day of the shipped fitted file's window (None without one)."""
    fp = fitted_path(path, read_yaml(path))
    if fp is None or not fp.exists():
        return None
    return dt.date.fromisoformat(str(read_yaml(fp)["fit_window"]["end"]))


def future_levers_off(raw: dict[str, Any], origin: dt.date) -> dict[str, Any]:
    """Overrides switching off the levers that start on or after the origin (unknown at the origin)."""
    out: dict[str, Any] = {}
    for name, lv in (raw.get("levers") or {}).items():
        if isinstance(lv, dict) and "start" in lv and dt.date.fromisoformat(str(lv["start"])) >= origin:
            out[f"levers.{name}.enabled"] = False
    return out


# what the fit profiles on the agent model (calibrate/fit.py steps 3-4), too slow to redo at every origin
PROFILED = (".launch_share", ".weather.quality_shape")


def profiled_before(path: Path, origin: dt.date) -> tuple[dict[str, Any], str | None]:
    """The agent-model-profiled values (launch share, window quality) of the newest `<stem>.fit_to_<year>.yaml`
    beside the scenario whose window ends before the origin (the same fit command on earlier data), and its file
    name; none: ({}, None), and the scenario's own values stay."""
    best: tuple[dt.date, Path, dict[str, Any]] | None = None
    for f in sorted(path.parent.glob(f"{path.stem}.fit_to_*.yaml")):
        if ".uncertainty." in f.name:
            continue
        d = read_yaml(f)
        end = dt.date.fromisoformat(str((d.get("fit_window") or {}).get("end")))
        if str(d.get("scenario")) == path.name and end < origin and (best is None or end > best[0]):
            best = (end, f, d)
    if best is None:
        return {}, None
    return {k: v for k, v in (best[2].get("values") or {}).items() if str(k).endswith(PROFILED)}, best[1].name


def fit_at_origin(path: Path, origin: dt.date, x0: np.ndarray | None = None, max_nfev: int = MAX_NFEV,
                  known_levers_only: bool = False) -> OriginFit:
    """Parameters conditioned on data before `origin` (module docstring)."""
    t0 = time.perf_counter()
    end = shipped_fit_end(path)
    if end is not None and end < origin and not known_levers_only:
        return OriginFit(origin, {}, None, 0.0, f"shipped fitted file (window ends {end})")
    raw = load_raw(path, {"fitted_file": None})
    start = dt.date.fromisoformat(str(raw["start"]))
    off = future_levers_off(raw, origin) if known_levers_only else {}
    if off:
        from crossings.scenario.load import apply_overrides

        apply_overrides(raw, off)
    known = origin_inputs(raw, origin)  # data-derived inputs (deaths, boat sizes, ...) from data before the origin
    profiled, profiled_from = profiled_before(path, origin)
    p = Problem(path, raw, start, origin - dt.timedelta(days=1))
    fixed: dict[str, Any] = {**off, **known, **profiled, **direct_estimates(p, every_month=True)}
    lo = np.array([f.lo for f in p.frees])
    hi = np.array([f.hi for f in p.frees])
    start_x = x0 if x0 is not None and len(x0) == len(lo) else np.array([f.x0 for f in p.frees])
    sol = least_squares(p.residuals, np.clip(start_x, lo, hi), bounds=(lo, hi), args=(fixed,), method="trf",
                        x_scale="jac", max_nfev=max_nfev, ftol=1e-6, xtol=1e-6)
    vals = {**fixed, **p.values(sol.x)}
    launch = (f"; launch share and window quality from {profiled_from}" if profiled_from
              else "; launch share and window quality: the scenario's values (no earlier fit_to file)")
    return OriginFit(origin, vals, sol.x, time.perf_counter() - t0,
                     f"mean-field least squares on {start} .. {origin - dt.timedelta(days=1)}{launch}",
                     {"cost": float(sol.cost), "nfev": int(sol.nfev), "profiled_from": profiled_from})

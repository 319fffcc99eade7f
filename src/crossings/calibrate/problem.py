"""One fit's fixed problem: the base raw scenario, the window, the observed targets, and the weighted log
residuals of the mean-field (or agent) model against them. Used by the fit (calibrate/fit.py), the moments
(calibrate/moments.py) and the parameter uncertainty (calibrate/uncertainty.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import numpy as np

from crossings.calibrate.fitspec import Free, frees_for, knot_groups
from crossings.core.calendar import date_index
from crossings.scenario.load import _unalias, validate, validate_changed
from crossings.scenario.observed_series import observed_frames
from crossings.scenario.overrides import with_overrides
from crossings.sea.kernel import ARR, BOATS, DEATHS, DEP, INT, PREV, WAIT
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays

ROWS = {"arrivals": ARR, "departures": DEP, "boats": BOATS, "interceptions": INT, "deaths": DEATHS,
        "prevented": PREV, "waiting": WAIT}
WEIGHT = {"deaths": 0.5, "interceptions": 0.5}
W_TOTAL = 12.0
# Deaths come in lumps (one wreck can be a year's toll) and their rate per crossing moved with rescue
# capacity, so their annual sums do not set the level of the flows: deaths enter month by month only.
NO_ANNUAL = {"deaths"}
MIN_MONTHS = 10  # a year's sum is compared over its observed months when at least this many are observed
W_ROUGH = 0.05
OFFSET = 10.0


class Problem:
    """Everything fixed during one fit: the base raw scenario, the window, the observed targets."""

    def __init__(self, path: Path, raw: dict[str, Any], fit_start: dt.date, fit_end: dt.date) -> None:
        self.path, self.raw = path, raw
        self.raw["start"], self.raw["end"] = fit_start, fit_end
        sc = validate(_unalias(self.raw), str(path))
        self.start, self.end = sc.start, sc.end
        self.routes = [s.name for s in sc.sea_links]
        self.dest = {s.name: s.to for s in sc.sea_links}
        self.obs_d, obs_m = observed_frames(sc, str(path), sc.start, sc.end)
        self.obs_m = obs_m.dropna(subset=["observed"])
        months = date_index(sc.start, (sc.end - sc.start).days + 1).strftime("%Y-%m")
        self.month_labels, self.month_starts = np.unique(np.asarray(months), return_index=True)
        self.totals = [t for t in sc.observed_totals if t.start >= sc.start and t.end <= sc.end]
        self.frees: list[Free] = frees_for(self.raw)
        self.groups = knot_groups(self.frees)
        self.targets = self._targets()

    def _targets(self) -> list[tuple[str, str, np.ndarray, float, np.ndarray, list[tuple[np.ndarray, float]]]]:
        """The observed side of `residuals`, computed once (it is fixed during the fit; per evaluation it cost more
        than the model): per (place, measure) in groupby order, each observed month's position among the run's
        months (-1: not in the run), the weight, log(observed + OFFSET), and the years whose sums enter (their
        months and log(sum + OFFSET))."""
        where = {m: i for i, m in enumerate(self.month_labels)}
        out = []
        for (route, measure), g in self.obs_m.groupby(["place", "measure"]):
            pos = np.array([where.get(m, -1) for m in g["month"]], dtype=np.int64)
            w = WEIGHT.get(str(measure), 1.0)
            ob = g["observed"].to_numpy()
            years = g["month"].str[:4].to_numpy()
            annual = []
            for y in np.unique(years) if measure not in NO_ANNUAL else ():  # annual sums (same months)
                m = years == y
                if m.sum() >= MIN_MONTHS:
                    annual.append((m, float(np.log(ob[m].sum() + OFFSET))))
            out.append((str(route), str(measure), pos, w, np.log(ob + OFFSET), annual))
        return out

    def values(self, x: np.ndarray) -> dict[str, Any]:
        vals: dict[str, Any] = {}
        for f, v in zip(self.frees, x, strict=True):
            f.write(float(v), vals)
        return vals

    def scenario(self, x: np.ndarray, extra: dict[str, Any] | None = None) -> Any:
        # the base tree was validated in __init__: only the values set here need checking
        changed = {**self.values(x), **(extra or {})}
        return validate_changed(with_overrides(self.raw, changed, file="fit"), str(self.path), changed)

    def series(self, out: np.ndarray, route: str, measure: str) -> np.ndarray:
        rows = [i for i, r in enumerate(self.routes) if r == route or self.dest[r] == route]
        return out[ROWS[measure], rows].sum(axis=0)

    def residuals(self, x: np.ndarray, extra: dict[str, Any] | None = None,
                  mode: Literal["numba", "meanfield"] = "meanfield", skip: frozenset[str] = frozenset()) -> np.ndarray:
        """Weighted log residuals; `skip` leaves measures out (the agent-run scores leave out lumpy deaths)."""
        out = run_arrays(build(self.scenario(x, extra)), 1, mode)
        res = []
        for route, measure, pos, w, log_ob, annual in self.targets:
            if measure in skip:
                continue
            monthly = np.add.reduceat(self.series(out, route, measure), self.month_starts)
            sim = np.where(pos >= 0, monthly[pos], np.nan)  # a month outside the run: NaN, as a reindex gives
            res.append(w * (np.log(sim + OFFSET) - log_ob))
            for m, log_sum in annual:
                res.append(np.array([W_TOTAL * w * (np.log(sim[m].sum() + OFFSET) - log_sum)]))
        for t in self.totals:
            s = self.series(out, t.route, t.measure)
            a, b = (t.start - self.start).days, (t.end - self.start).days + 1
            # a total over part of a year says less about the level than a full year's: weight by the
            # square root of the share of the year it covers (the monthly series carry the shape)
            w = W_TOTAL * min(1.0, (b - a) / 365.0) ** 0.5
            res.append(np.array([w * (np.log(s[a:b].sum() + OFFSET) - np.log(t.value + OFFSET))]))
        for grp in self.groups:
            if len(grp) >= 3:
                res.append(W_ROUGH * np.diff(x[grp], n=2))
        return np.concatenate(res)

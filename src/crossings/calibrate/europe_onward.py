"""Fit the onward leg towards the Channel (land/onward.py) to the UK small-boat arrivals.

The route system's persons (mean-field at its fitted values) feed the leg; the leg's daily arrivals in
northern France replace channel.yaml's fitted regional inflow, and channel.yaml's fitted crossing process
(weather, launches, French prevention, boats: the sea mean-field) turns them into UK arrivals, compared with
the Home Office's monthly small-boat arrivals (uk_small_boats_monthly) by Poisson deviance (quasi-Poisson: the
dispersion phi = deviance / (months - parameters) scales the intervals).

Free: one logit share per calendar year with data (the latent random walk's values), the hazard's seasonal
amplitude and peak. The mean transit stay (lag_days) is profiled on a grid (LAG_GRID): the best is kept and the
profile is reported, because the data identify it only loosely. The walk's noise (rw_sd, for forecasts) is the
root mean square of the fitted yearly logit steps, so at a forecast origin it uses only the years before it.

`python -m crossings.calibrate.europe_onward scenarios/europe.yaml` writes the scenario's onward fitted file.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from crossings.core import observed as obs
from crossings.core.errors import InputError, guarded
from crossings.core.output import write_text_atomic
from crossings.land.meanfield import mean_field
from crossings.land.onward import OnwardParams, as_values, feed_daily, feeding_routes, reach_daily
from crossings.land.simulate import BURN_IN_DAYS, persons_by_route
from crossings.land.system import build
from crossings.scenario.load import load_scenario
from crossings.scenario.routes import EuropeScenario, load_europe
from crossings.sea.kernel import ARR
from crossings.sea.model import SeaArrays
from crossings.sea.model import build as sea_build
from crossings.sea.simulate import run_arrays

LAG_GRID = (15.0, 30.0, 60.0, 90.0, 180.0, 365.0)  # mean transit stays profiled (days)
OBSERVED = "uk_small_boats_monthly"  # HO SB_01 daily arrivals summed by month
LOGIT_BOUNDS = (-15.0, 5.0)
MIN_WEIGHT = 0.01  # a stay below this profile weight is left out of a forecast's mixture


@dataclass
class Crossing:
    """The crossing scenario's fitted sea process, built once (the leg's arrivals replace its inflow)."""

    arrays: SeaArrays
    region: int  # index of the leg's place among the scenario's regions
    source: str  # which fitted file


def crossing_model(sc: EuropeScenario, fitted_file: str | None = None) -> Crossing:
    if sc.onward is None:
        raise ValueError("the scenario has no onward block")
    path = Path(sc.onward.crossing)
    ch = load_scenario(path, {"fitted_file": fitted_file} if fitted_file else None)
    regions = [p.name for p in ch.places if p.kind == "region"]
    if sc.onward.place not in regions:
        raise ValueError(f"onward.place {sc.onward.place!r} is not a region of {path.name}")
    return Crossing(sea_build(ch), regions.index(sc.onward.place), fitted_file or str(ch.fitted_file))


def persons_daily(sc: EuropeScenario, params: Mapping[str, float], start: dt.date, end: dt.date
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(dates, persons (R, T)) of the route system's mean-field at `params`, from start - burn-in to end."""
    sys_ = build(sc, dict(params), start - dt.timedelta(days=BURN_IN_DAYS), end)
    mf = np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle()))
    return sys_.dates, persons_by_route(mf, sys_)


def with_fed_inflow(a: SeaArrays, region: int, dates: np.ndarray, reach: np.ndarray) -> SeaArrays:
    """The crossing scenario's arrays with the region's inflow replaced by the leg's daily reach (on the route
    system's days `dates`, which must cover the crossing scenario's)."""
    i0 = int((np.datetime64(a.start, "D") - dates[0]).astype(int))
    if i0 < 0 or i0 + a.n_days > len(dates):
        raise ValueError("the route system's days do not cover the crossing scenario's")
    inflow = a.inflow.copy()
    inflow[region] = reach[i0:i0 + a.n_days]
    return dataclasses.replace(a, inflow=inflow)


def crossing_arrivals(cr: Crossing, dates: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Daily expected arrivals at the destination over the crossing scenario's days, fed by `reach`."""
    out = run_arrays(with_fed_inflow(cr.arrays, cr.region, dates, reach), 0, "meanfield")
    return np.asarray(out[ARR].sum(axis=0))


def observed_months(start: dt.date, end: dt.date) -> pd.Series:
    ob = obs.load(OBSERVED)
    s = pd.Series(ob["people_arrived"].to_numpy(dtype=float), index=ob["month"].astype(str))
    first, last = str(np.datetime64(start, "M")), str(np.datetime64(end, "M"))
    return s[(s.index >= first) & (s.index <= last)]


def _deviance_residuals(o: np.ndarray, mu: np.ndarray) -> np.ndarray:
    mu = np.maximum(mu, 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(o > 0, o * np.log(np.where(o > 0, o, 1.0) / mu), 0.0)
    return np.sign(o - mu) * np.sqrt(np.maximum(2.0 * (term - (o - mu)), 0.0))


@dataclass
class OnwardFit:
    params: OnwardParams
    deviance: float
    phi: float  # quasi-Poisson dispersion
    n: int  # months
    cov: np.ndarray  # covariance of the yearly logits (phi x inverse information)
    profile: list[tuple[float, float]]  # (lag_days, deviance) over LAG_GRID
    months: list[str]
    simulated: np.ndarray  # monthly UK arrivals at the fit
    observed: np.ndarray
    crossing_source: str
    end: dt.date
    feed_dates: np.ndarray  # the route system's days the fit ran on (from its fit start)
    feed: np.ndarray  # the feeding routes' persons on those days (a forecast's history before its draws)
    # (weight, parameters, covariance of the logits) per profiled stay, weights exp(-Delta deviance / (2 phi)):
    # forecasts draw the stay too (fit_onward(average=True)); empty: the best stay only
    alternatives: list[tuple[float, OnwardParams, np.ndarray]] = field(default_factory=list)

    def share_interval(self, z: float = 1.6449) -> pd.DataFrame:
        se = np.sqrt(np.clip(np.diag(self.cov), 0.0, None))
        lg = self.params.logit
        f = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
        return pd.DataFrame({"year": self.params.years, "share": f(lg), "p05": f(lg - z * se),
                             "p95": f(lg + z * se), "logit_se": se})


class Problem:
    """The fit's pieces at one window: the leg's feed, the crossing process, the observed months."""

    def __init__(self, sc: EuropeScenario, params: Mapping[str, float], end: dt.date,
                 feeding: Sequence[str] | None = None, crossing_fitted_file: str | None = None) -> None:
        self.cr = crossing_model(sc, crossing_fitted_file)
        a = self.cr.arrays
        self.end = min(end, a.start + dt.timedelta(days=a.n_days - 1))
        self.dates, persons = persons_daily(sc, params, sc.fit.start, a.start + dt.timedelta(days=a.n_days - 1))
        self.feed = feed_daily(persons, list(sc.routes), list(feeding or feeding_routes(sc)))
        ob = observed_months(a.start, self.end)
        self.months = list(ob.index)
        self.obs = ob.to_numpy()
        cd = np.arange(np.datetime64(a.start, "D"), np.datetime64(a.start, "D") + a.n_days)
        cm = cd.astype("datetime64[M]").astype(str)
        self.month_of_day = pd.Index(self.months).get_indexer(cm)  # -1 after the window
        self.years = np.array(sorted({int(m[:4]) for m in self.months}))

    def params(self, th: np.ndarray, lag: float) -> OnwardParams:
        ny = len(self.years)
        return OnwardParams(self.years, th[:ny], lag, float(th[ny]), float(th[ny + 1]))

    def monthly(self, p: OnwardParams) -> np.ndarray:
        arr = crossing_arrivals(self.cr, self.dates, reach_daily(self.feed, self.dates, p))
        keep = self.month_of_day >= 0
        return np.bincount(self.month_of_day[keep], arr[keep], minlength=len(self.months))

    def residuals(self, th: np.ndarray, lag: float, walk: float = 0.0) -> np.ndarray:
        """Deviance residuals; with walk = sqrt(phi) / rw_sd > 0 also the random walk's steps, so the squared sum
        is phi x (deviance / phi + sum of squared steps / rw_sd^2): the walk's -2 log posterior in deviance units."""
        dev = _deviance_residuals(self.obs, self.monthly(self.params(th, lag)))
        return np.r_[dev, walk * np.diff(th[:len(self.years)])] if walk > 0.0 else dev

    def fit_lag(self, lag: float, walk: float = 0.0, x0: np.ndarray | None = None) -> Any:
        ny = len(self.years)
        start = np.r_[np.full(ny, -3.0), 0.5, 8.0] if x0 is None else x0
        lo = np.r_[np.full(ny, LOGIT_BOUNDS[0]), 0.0, 1.0]
        hi = np.r_[np.full(ny, LOGIT_BOUNDS[1]), 3.0, 13.0]
        return least_squares(self.residuals, np.clip(start, lo + 1e-9, hi - 1e-9), bounds=(lo, hi),
                             args=(lag, walk), x_scale=1.0)


def fit_onward(sc: EuropeScenario, params: Mapping[str, float] | None = None, end: dt.date | None = None,
               feeding: Sequence[str] | None = None, crossing_fitted_file: str | None = None,
               lags: Sequence[float] = LAG_GRID, average: bool = False) -> OnwardFit:
    """The leg's yearly shares, season and (profiled) transit stay on the UK arrivals up to `end`; with
    `average`, every stay within the profile's reach (weight >= MIN_WEIGHT) is fitted too, for forecasts."""
    pb = Problem(sc, params if params is not None else sc.fitted, end or sc.fit.end, feeding, crossing_fitted_file)
    runs = [(lag, pb.fit_lag(lag)) for lag in lags]
    profile = [(lag, float(2.0 * r.cost)) for lag, r in runs]
    lag, free = min(runs, key=lambda lr: lr[1].cost)
    ny = len(pb.years)
    n, k = len(pb.obs), len(free.x)
    phi = float(2.0 * free.cost) / max(n - k, 1)

    def with_walk(lag_l: float, free_l: Any) -> tuple[OnwardParams, np.ndarray]:
        steps = np.diff(free_l.x[:ny])
        rw_sd = float(np.sqrt(np.mean(steps ** 2))) if len(steps) else 0.0
        best = free_l
        if rw_sd > 0.0:  # the walk as a prior: a year the arrivals pin loosely (the last, under a long stay) leans
            best = pb.fit_lag(lag_l, np.sqrt(phi) / rw_sd, free_l.x)  # on its neighbours, not a free value
        cov = phi * np.linalg.pinv(best.jac.T @ best.jac)[:ny, :ny]
        return dataclasses.replace(pb.params(best.x, lag_l), rw_sd=rw_sd), cov

    p, cov = with_walk(lag, free)
    alternatives: list[tuple[float, OnwardParams, np.ndarray]] = []
    if average:
        w = np.array([np.exp(-(2.0 * r.cost - 2.0 * free.cost) / (2.0 * phi)) for _, r in runs])
        w /= w.sum()
        keep = [i for i in range(len(runs)) if w[i] >= MIN_WEIGHT]
        total = float(w[keep].sum())
        for i in keep:
            lag_i, free_i = runs[i]
            alternatives.append((float(w[i]) / total, *((p, cov) if lag_i == lag else with_walk(lag_i, free_i))))
    sim = pb.monthly(p)
    dev = float(np.sum(_deviance_residuals(pb.obs, sim) ** 2))
    return OnwardFit(p, dev, phi, n, cov, profile, pb.months, sim, pb.obs, pb.cr.source, pb.end, pb.dates, pb.feed,
                     alternatives)


def write_fitted(path: Path, res: OnwardFit, sc: EuropeScenario) -> Path:
    import yaml

    body = {
        "note": "calibrate/europe_onward.py: yearly logit shares of the route system's persons moving on to "
                f"{sc.onward.place if sc.onward else 'northern_france'}, quasi-Poisson on {OBSERVED} through the "
                f"crossing scenario's fitted sea process ({res.crossing_source})",
        "fitted_on": f"{res.months[0]} .. {res.months[-1]}",
        "deviance": round(res.deviance, 1), "phi": round(res.phi, 2), "months": res.n,
        "lag_profile": {f"{lag:g}": round(d, 1) for lag, d in res.profile},
        "data_versions": {OBSERVED: obs.data_version(OBSERVED)},
        "values": as_values(res.params),
    }
    text = "# Written by python -m crossings.calibrate.europe_onward; do not edit by hand (rerun it instead).\n"
    write_text_atomic(path, text + yaml.safe_dump(body, sort_keys=False, width=110))
    return path


def main(argv: list[str] | None = None) -> int:
    """Fit the onward leg of a route-system scenario and write its onward fitted file."""
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("scenario", type=Path)
    a = ap.parse_args(argv)

    def command() -> int:
        sc = load_europe(a.scenario)
        if sc.onward is None:
            raise InputError(str(a.scenario), "onward", "no onward block: nothing to fit")
        t0 = time.perf_counter()
        res = fit_onward(sc)
        target = write_fitted(a.scenario.with_name(sc.onward.fitted_file), res, sc)
        shares = ", ".join(f"{int(y)} {100 / (1 + np.exp(-v)):.2f}%" for y, v in zip(res.params.years,
                                                                                     res.params.logit, strict=True))
        print(f"wrote {target}: lag {res.params.lag_days:g} days, deviance {res.deviance:.0f}, phi {res.phi:.0f}, "
              f"rw_sd {res.params.rw_sd:.2f}; shares {shares} ({time.perf_counter() - t0:.0f} s)")
        return 0

    return guarded("crossings.calibrate.europe_onward", command)



def crossing_file_at(sc: EuropeScenario, origin: dt.date) -> tuple[str | None, str]:
    """The crossing scenario's fitted file known at a forecast origin: its `<name>.fit_to_<year>.yaml` when
    shipped, else its fitted file (said in the note when that file saw later data)."""
    if sc.onward is None:
        return None, ""
    path = Path(sc.onward.crossing)
    shipped = path.with_name(f"{path.stem}.fit_to_{origin.year - 1}.yaml")
    if shipped.exists():
        return shipped.name, f"{shipped.name} (fitted on data before {origin})"
    ch = load_scenario(path)
    after = ch.end >= origin
    return None, f"{ch.fitted_file}" + (" (fitted on data through its end: later than the origin)" if after else "")


class OnwardDraws:
    """A forecast's onward leg: per draw, the yearly logit shares (fitted at the origin; a draw > 0 adds their
    quasi-Poisson covariance) continue as a random walk with the origin fit's rw_sd; the leg runs on the draw's
    route-system persons. Normals: the caller's (seed, draw) stream, its own offset."""

    OFFSET = 5_000_000  # offset of this leg's normals in the forecast draw's stream

    def __init__(self, sc: EuropeScenario, res: OnwardFit, months: Sequence[str], n: int,
                 normals: Any) -> None:
        self.sc, self.res, self.months = sc, res, list(months)
        self.place = sc.onward.place if sc.onward else "northern_france"
        self.feeding = feeding_routes(sc)
        self.normals = normals  # normals(draw, n, offset) -> standard normals
        self.x = np.zeros((n, len(self.months)))
        self.keep_daily = False  # True: take() keeps each draw's (days, daily reach) in self.daily (back-tests)
        self.daily: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        last = int(res.params.years[-1])
        self.years_out = list(range(last + 1, int(self.months[-1][:4]) + 1))
        alts = res.alternatives or [(1.0, res.params, res.cov)]
        self.weights = np.cumsum([w for w, _, _ in alts])
        self.alts = [(q, np.linalg.cholesky(c + 1e-12 * np.eye(len(c)))) for _, q, c in alts]

    def path(self, k: int) -> OnwardParams:
        """Draw 0: the fit (best stay). A draw > 0: a stay by its profile weight, then its shares and walk."""
        p, root = self.res.params, self.alts[0][1]
        if k > 0:
            from scipy.special import ndtr

            u = float(ndtr(self.normals(k, 1, self.OFFSET + 2000)[0]))
            p, root = self.alts[min(int(np.searchsorted(self.weights, u * self.weights[-1])), len(self.alts) - 1)]
        lg = p.logit.copy()
        if k > 0:
            lg = lg + root @ self.normals(k, len(lg), self.OFFSET)
        steps = p.rw_sd * self.normals(k, len(self.years_out), self.OFFSET + 1000) if k > 0 else np.zeros(
            len(self.years_out))
        ext = np.r_[lg, lg[-1] + np.cumsum(steps)]
        return dataclasses.replace(p, years=np.r_[p.years, np.array(self.years_out, dtype=int)], logit=ext)

    def take(self, k: int, persons: np.ndarray, dates: np.ndarray) -> None:
        """The draw's leg on its persons, after the origin fit's persons before them (the transit stock at the
        origin holds people who set out up to a year or more earlier)."""
        before = self.res.feed_dates < dates[0]
        days = np.r_[self.res.feed_dates[before], dates]
        feed = np.r_[self.res.feed[before], feed_daily(persons, list(self.sc.routes), self.feeding)]
        reach = reach_daily(feed, days, self.path(k))
        if self.keep_daily:
            self.daily[k] = (days, reach)
        m = days.astype("datetime64[M]").astype(str)
        got = pd.Series(reach).groupby(m).sum()
        self.x[k] = got.reindex(self.months, fill_value=0.0).to_numpy()


if __name__ == "__main__":
    raise SystemExit(main())

"""`crossings forecast` for a route system (scenarios/europe.yaml): detections and persons per Frontex route.

Everything is conditioned on Frontex months before --from:
- parameters: the route system refitted on [fit start, origin - 1 day] from the problem's own starting values
  (calibrate/europe.fit; no later data, not even as a starting point), or a shipped `<name>.fit_to_<year>.yaml`
  made the same way for an origin on 1 January (scripts/make_europe.py writes europe.fit_to_2023.yaml), or the
  shipped fitted file when its window ends before the origin; levers starting on or after the origin are off;
- each draw: the route-year shocks, levers and onward shares from their Laplace posterior given the other
  parameters (FORECAST_KINDS says why these), a year
  after the last fitted one takes that year's demand times one past year's fitted change of demand (the same
  past year for every group: their changes move together) and holds its route shocks; the mean-field gives
  the expected daily flows; each month gets log-normal noise with the route's in-sample monthly log-residual
  sd (demand is annual in the model, months scatter around it).
- deaths (routes with an IOM MMP series, scenario's deaths block): rate and year variance fitted on the years
  before the origin against the origin fit's attempts (calibrate/europe_deaths.py); each draw takes (log rate,
  log phi) from their Laplace normal, a year factor Z ~ Gamma(mean 1, variance phi) per route and year, and
  Poisson(the draw's attempts x rate x Z) per month (land/deaths.py's process).
Random numbers: stream land.forecast (crossings.core.rng), keyed by (seed, draw).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.analysis.scoring import summary as quantiles
from crossings.calibrate.europe import BURN_IN_DAYS, FitResult, fit, laplace, monthly
from crossings.core import observed as obs
from crossings.core.errors import InputError, guarded
from crossings.core.measures import unit_of
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.core.rng import tick_key, uniform_np
from crossings.forecasting.args import month_start
from crossings.forecasting.drivers import standard_normals
from crossings.land.deaths import attempts, observed_annual, observed_value
from crossings.land.kernel import DET
from crossings.land.meanfield import mean_field
from crossings.land.simulate import observed_monthly, persons_by_route
from crossings.land.streams import FORECAST
from crossings.land.system import build, calendar
from crossings.scenario.routes import EuropeScenario, fitted_path, load_europe

# Which parameters a forecast draw takes from the Laplace posterior (given the rest): route-year shocks, levers
# and onward shares. Chosen by the rolling back-test (docs/europe.md) among: none, all route-side (+ seasons),
# levers, seasons + levers, shocks, shocks + levers + onward; mean CRPS was lowest on 6 of 7 routes for this one
# and the 90% band covered 42 of 56 route-years (all route-side: 36). Seasons' draws move a route's annual level
# through exp(), which the fit pins by demand and shocks together, so drawing them alone overstates it.
FORECAST_KINDS = ("shock", "lever", "onward")
MAX_NFEV = 40  # least-squares evaluations of a cold refit at the origin (the full fit converges in about 40)
DATA_FILES = ("frontex_detections_monthly_by_route", "frontex_detections_monthly_by_route_nationality")


def origin_date(value: str | None, sc: EuropeScenario) -> dt.date:
    if value is None:
        return dt.date(sc.fit.end.year + 1, 1, 1) if sc.fit.end.month == 12 else dt.date(
            sc.fit.end.year, sc.fit.end.month + 1, 1)
    d = month_start(value)
    if d <= sc.fit.start + dt.timedelta(days=730):
        raise InputError("--from", value, f"needs at least two years of data after {sc.fit.start}")
    return d


def known_at(sc: EuropeScenario, origin: dt.date) -> EuropeScenario:
    """The scenario as known at the origin: levers starting on or after it are off."""
    out = sc.model_copy(deep=True)
    for lv in out.levers.values():
        if lv.start >= origin:
            lv.enabled = False
    return out


def fit_to_path(path: Path, origin: dt.date) -> Path:
    return path.with_name(f"{path.stem}.fit_to_{origin.year - 1}.yaml")


def origin_fit(path: Path, sc: EuropeScenario, origin: dt.date, max_nfev: int = MAX_NFEV) -> tuple[FitResult, str]:
    """Parameters conditioned on data before the origin, with their Laplace covariance, and where they came from."""
    end = origin - dt.timedelta(days=1)
    if sc.fitted and sc.fit.end <= end:
        return laplace(sc), f"shipped fitted file (window ends {sc.fit.end})"
    shipped = fit_to_path(path, origin)
    if origin.month == 1 and shipped.exists():
        import yaml

        body = yaml.safe_load(shipped.read_text(encoding="utf-8"))
        if str(body.get("fitted_on", "")).endswith(str(end)):
            sc_o = sc.model_copy(update={"fitted": {k: float(v) for k, v in body["values"].items()}})
            return laplace(sc_o, sc.fit.start, end), f"{shipped.name} (fitted on {body['fitted_on']}, cold start)"
    res = fit(sc, sc.fit.start, end, max_nfev=max_nfev)
    return res, f"refitted on {sc.fit.start} .. {end} from the problem's starting values ({res.nfev} evaluations)"


def write_fit_to(path: Path, res: FitResult) -> Path:
    """Save an origin's fit as <name>.fit_to_<year>.yaml (the command then skips the refit)."""
    from crossings.calibrate.europe import write_fitted

    target = fit_to_path(path, res.problem.end + dt.timedelta(days=1))
    tmp = path.with_name("_fit_to_tmp.yaml")
    write_fitted(tmp, res, f"calibrate/europe.py fit on data before {res.problem.end + dt.timedelta(days=1)}, "
                           "cold start (crossings.forecasting.europe_forecast)")
    fitted_path(tmp).replace(target)
    return target


def _normals(seed: int, draw: int, n: int, offset: int) -> np.ndarray:
    return standard_normals(tick_key(seed, FORECAST, draw), offset, n)


def month_sd(res: FitResult) -> np.ndarray:
    """Each route's sd of log monthly residuals (route totals) at the fitted values: the months' noise."""
    p = res.problem
    sim = p.simulate_monthly(res.x).sum(axis=1)
    ob = p.obs.by_route_group.sum(axis=1)
    return np.std(np.log1p(sim) - np.log1p(ob), axis=1, ddof=1)


def draws(sc: EuropeScenario, res: FitResult, origin: dt.date, horizon: int, n: int, seed: int,
          parameters: bool = True, noise: bool = True, kinds: tuple[str, ...] = FORECAST_KINDS,
          onward: Any = None) -> tuple[list[str], np.ndarray]:
    """Forecast months and (draws, measure [detections, persons, deaths], route, month) monthly counts (deaths
    NaN on routes without an MMP series).

    parameters / noise False: every draw keeps the fitted values / no monthly noise (to measure what each adds)."""
    last = res.problem.end.year  # a year the window ends inside has its demand fitted from its months
    stop = (pd.Period(origin, freq="M") + horizon - 1).to_timestamp(how="end").date()
    years_out = list(range(last + 1, stop.year + 1))
    fitted_years = list(range(res.problem.start.year, last + 1))
    steps = list(zip(fitted_years[:-1], fitted_years[1:], strict=True))
    months = np.arange(np.datetime64(origin, "M"), np.datetime64(stop, "M") + 1)
    idx, root = res.conditional_root(kinds)  # FORECAST_KINDS given all the others
    cal = calendar(sc, dt.date(origin.year - 1, 1, 1) - dt.timedelta(days=BURN_IN_DAYS), stop,
                   fitted_years + years_out)
    sd_m = month_sd(res)
    routes = list(sc.routes)
    sc_o = known_at(sc, origin)
    run_from = dt.date(origin.year - 1, 1, 1)  # a year of run-in so the border stocks are those of the origin
    out = np.zeros((n, 3, len(routes), len(months)))
    dfit = _death_fits(sc, res)
    for k in range(n):
        x = res.x.copy()
        if k > 0 and parameters:
            x[idx] += root @ _normals(seed, k, len(idx), 0)
        p = res.problem.params(x)
        pick = uniform_np(tick_key(seed, FORECAST, k), np.arange(1_000_000, 1_000_000 + len(years_out)))
        for j, y in enumerate(years_out):
            a, b = steps[min(int(pick[j] * len(steps)), len(steps) - 1)]
            for g in sc.groups:
                p[f"demand.{g}.{y}"] = p[f"demand.{g}.{y - 1}"] + p[f"demand.{g}.{b}"] - p[f"demand.{g}.{a}"]
            for r in routes:
                p[f"shock.{r}.{y}"] = p.get(f"shock.{r}.{y - 1}", 0.0)
        sys_ = build(sc_o, p, run_from - dt.timedelta(days=BURN_IN_DAYS), stop, cal)
        mf = np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle()))
        det = monthly(mf[DET].sum(axis=0), sys_.dates, months)
        pers = monthly(persons_by_route(mf, sys_), sys_.dates, months)
        sd = sd_m[:, None] if noise else np.zeros((len(routes), 1))
        eps = np.exp(sd * _normals(seed, k, len(routes) * len(months), 2_000_000).reshape(len(routes), len(months))
                     - 0.5 * sd ** 2)
        out[k, 0], out[k, 1] = det * eps, pers * eps
        if onward is not None:  # the onward leg towards the Channel on this draw's persons (calibrate/europe_onward)
            onward.take(k, persons_by_route(mf, sys_), sys_.dates)
        out[k, 2] = _deaths_draw(dfit, seed, k, monthly(attempts(mf), sys_.dates, months) * eps, months,
                                 parameters and k > 0)
    return [str(m) for m in months], out


DEATHS_OFFSET = 3_000_000  # the deaths' uniforms under a draw's key (parameters, year factors, Poisson counts)


def _death_fits(sc: EuropeScenario, res: FitResult) -> dict[int, Any]:
    """Route index -> deaths fit on the years of the origin fit's window (none without a deaths block)."""
    if sc.deaths is None:
        return {}
    from crossings.calibrate.europe_deaths import fit_deaths

    fits = fit_deaths(sc, res.problem.params(res.x), res.problem.start, res.problem.end)
    return {list(sc.routes).index(r): f for r, f in fits.items()}


def _deaths_draw(fits: dict[int, Any], seed: int, k: int, att: np.ndarray, months: np.ndarray,
                 parameters: bool) -> np.ndarray:
    """(R, M) one draw's deaths: Laplace (log rate, log phi), a Gamma year factor per year, Poisson per month."""
    from crossings.core.rng import poisson
    from crossings.land.deaths import gamma_mean_one

    key = tick_key(seed, FORECAST, k)
    out = np.full(att.shape, np.nan)
    years = months.astype("datetime64[Y]").astype(int)
    ys = np.unique(years)
    for r, f in fits.items():
        theta = np.log([f.rate, f.dispersion])
        if parameters:
            w, V = np.linalg.eigh(f.cov)
            theta = theta + (V * np.sqrt(np.clip(w, 0.0, None))) @ _normals(seed, k, 2, DEATHS_OFFSET + 10 * r)
        u = uniform_np(key, np.arange(DEATHS_OFFSET + 1000 + 100 * r, DEATHS_OFFSET + 1000 + 100 * r + ys.size))
        z = gamma_mean_one(u, np.full(ys.size, np.exp(theta[1])))
        lam = att[r] * np.exp(theta[0]) * z[np.searchsorted(ys, years)]
        # index * 64 .. index * 64 + 63 of the key: far above every other use of it
        out[r] = [poisson(key, DEATHS_OFFSET + 10_000 * (r + 1) + h, float(v)) for h, v in enumerate(lam)]
    return out


def _place_rows(x: np.ndarray, months: list[str], base: dict[str, Any], observed_month: Callable[[int], float],
                observed_year: Callable[[list[int], str], float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One place and measure's monthly and annual rows from its draws x (draws, months): mean, p05..p95 and the
    observed value the callbacks give (month index; the year's month indices and the year)."""
    q = quantiles(x)
    rows_m = [{"month": month, **base, **{k: round(float(v[h]), 1) for k, v in q.items()},
               "observed": observed_month(h)} for h, month in enumerate(months)]
    rows_y = []
    for y in sorted({m[:4] for m in months}):
        sel = [h for h, m in enumerate(months) if m[:4] == y]
        qa = quantiles(x[:, sel].sum(axis=1))
        rows_y.append({"year": int(y), "months": len(sel), **base, **{k: round(float(v), 1) for k, v in qa.items()},
                       "observed": observed_year(sel, y)})
    return rows_m, rows_y


def tables(sc: EuropeScenario, months: list[str], x: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly and annual rows: month|year, place, place_kind, is_total, measure, unit, mean, p05..p95, observed."""
    ob = observed_monthly(sc).groupby(["month", "place"]).detections.sum()
    routes = list(sc.routes)
    rows_m: list[dict[str, Any]] = []
    rows_y: list[dict[str, Any]] = []
    obs_months = set(ob.index.get_level_values(0))
    dead = observed_annual(sc) if sc.deaths is not None else pd.DataFrame()
    for mi, measure in enumerate(("detections", "persons", "deaths")):
        for ri, route in enumerate(routes):
            if not np.isfinite(x[:, mi, ri, :]).all():  # deaths on a route without an MMP series: no rows
                continue

            def observed_month(h: int, measure: str = measure, route: str = route) -> float:
                month = months[h]
                return float(ob.get((month, route), 0.0)) if measure == "detections" and month in obs_months else np.nan

            def observed_year(sel: list[int], y: str, measure: str = measure, route: str = route) -> float:
                known = measure == "detections" and all(months[h] in obs_months for h in sel)
                o = float(sum(ob.get((months[h], route), 0.0) for h in sel)) if known else np.nan
                if measure == "deaths" and len(sel) == 12 and route in dead.index:
                    o = observed_value(dead, route, int(y))
                return o

            base = {"place": route, "place_kind": "route", "is_total": False, "measure": measure,
                    "unit": unit_of(measure)}
            m_rows, y_rows = _place_rows(x[:, mi, ri, :], months, base, observed_month, observed_year)
            rows_m += m_rows
            rows_y += y_rows
    return pd.DataFrame(rows_m), pd.DataFrame(rows_y)


def _onward_at(sc: EuropeScenario, res: FitResult, origin: dt.date, horizon: int, n: int, seed: int
               ) -> tuple[Any, dict[str, Any]]:
    """The onward leg fitted on UK arrivals before the origin (with the origin's route-system fit), and its draws
    (calibrate/europe_onward.OnwardDraws); none without a leg."""
    if sc.onward is None or not sc.onward_fitted:
        return None, {}
    from crossings.calibrate.europe_onward import OnwardDraws, crossing_file_at, fit_onward

    ch_file, ch_note = crossing_file_at(sc, origin)
    fit_o = fit_onward(sc, res.problem.params(res.x), origin - dt.timedelta(days=1), crossing_fitted_file=ch_file,
                       average=True)  # draws take the stay by its profile weight too
    stop = pd.Period(origin, freq="M") + horizon - 1
    months = [str(m) for m in pd.period_range(pd.Period(origin, freq="M"), stop, freq="M")]
    ow = OnwardDraws(sc, fit_o, months, n, lambda k, m, off: _normals(seed, k, m, off))
    return ow, {"place": ow.place, "fitted_on": f"{fit_o.months[0]} .. {fit_o.months[-1]}",
                "lag_days": fit_o.params.lag_days, "rw_sd": round(fit_o.params.rw_sd, 3),
                "lag_weights": {f"{q.lag_days:g}": round(w, 3) for w, q, _ in fit_o.alternatives},
                "crossing_process": ch_note,
                "draws": "yearly logit shares from their quasi-Poisson covariance, later years a random walk"}


def _onward_tables(ow: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leg's monthly and annual rows (measure onward_persons, no observed count exists)."""
    base = {"place": ow.place, "place_kind": "region", "is_total": False, "measure": "onward_persons",
            "unit": unit_of("onward_persons")}
    rows_m, rows_y = _place_rows(ow.x, ow.months, base, lambda h: np.nan, lambda sel, y: np.nan)
    return pd.DataFrame(rows_m), pd.DataFrame(rows_y)


def cmd_europe_forecast(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    path = Path(args.scenario)
    if getattr(args, "compare_baseline", False):
        raise InputError("--compare-baseline", "", "not available for a route system (see docs/europe.md's "
                                                   "counterfactuals)")
    sc = load_europe(path)
    origin = origin_date(args.origin, sc)
    res, source = origin_fit(path, sc, origin)
    ow, ow_note = _onward_at(sc, res, origin, args.horizon, args.draws, args.seed)
    months, x = draws(sc, res, origin, args.horizon, args.draws, args.seed, onward=ow)
    monthly_t, annual_t = tables(sc, months, x)
    if ow is not None:
        om, oa = _onward_tables(ow)
        monthly_t, annual_t = pd.concat([monthly_t, om], ignore_index=True), pd.concat([annual_t, oa], ignore_index=True)
    from crossings.forecasting.fan_chart import fan_chart_svg

    # observed detections, the months after the origin included where known (the fit never saw them)
    hist = observed_monthly(sc).assign(measure="detections").rename(columns={"detections": "observed"})
    charts = {f"fan_{r}.svg": fan_chart_svg(monthly_t, hist, r, "detections",
                                            f"{sc.name}: {r} detections from {origin:%Y-%m} ({args.draws} draws)")
              for r in sc.routes}
    files = [path] + [f for f in (fitted_path(path), fit_to_path(path, origin)) if f.exists()]
    manifest = make_manifest(
        scenario=str(path), scenario_hash=hash_files(files), seed=args.seed, wall_s=time.perf_counter() - t0,
        data_versions={f: obs.data_version(f) for f in DATA_FILES + (("deaths_missing_by_route_annual_iom_mmp",)
                                                                         if sc.deaths is not None else ())},
        extra={"command": "forecast", "forecast": {
            "origin": origin.isoformat(), "horizon_months": args.horizon, "draws": args.draws,
            "parameters": source, "fit_window": f"{res.problem.start} .. {res.problem.end}",
            "parameter_draws": f"{', '.join(FORECAST_KINDS)} from their Laplace posterior given the other "
                               "parameters (forecasting/europe_forecast.FORECAST_KINDS)",
            "after_data": "demand: last fitted year's times one past year's fitted change per draw; route shocks "
                          "held; monthly log-normal noise with the route's in-sample monthly log-residual sd",
            "levers_off_unknown_at_origin": [k for k, lv in sc.levers.items() if lv.start >= origin],
            "mechanism": "mean-field route system per draw (crossings.land.meanfield)",
            "deaths": "routes with an IOM MMP series: rate and year variance fitted on the years before the origin "
                      "(calibrate/europe_deaths.py), Laplace parameter draws, Gamma year factor, Poisson months",
            "stream": FORECAST, **({"onward": ow_note} if ow is not None else {})}})
    write_outputs(args.out, {"forecast_monthly": monthly_t, "forecast_annual": annual_t}, manifest,
                  parquet=not args.no_parquet, extra_files=charts)
    print(f"wrote {args.out} ({len(monthly_t)} monthly rows, {args.draws} draws, {time.perf_counter() - t0:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m crossings.forecasting.europe_forecast scenarios/europe.yaml --origin 2024-01-01`: fit on the
    data before the origin (cold start) and save <name>.fit_to_<year>.yaml for the command."""
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--origin", required=True)
    ap.add_argument("--max-nfev", type=int, default=MAX_NFEV)
    a = ap.parse_args(argv)

    def command() -> int:
        sc = load_europe(a.scenario)
        origin = origin_date(a.origin, sc)
        if origin.month != 1:
            raise InputError("command line", "--origin", f"a shipped origin fit starts on 1 January, not {a.origin}")
        t0 = time.perf_counter()
        res = fit(sc, sc.fit.start, origin - dt.timedelta(days=1), max_nfev=a.max_nfev)
        target = write_fit_to(a.scenario, res)
        print(f"wrote {target}: cost {res.cost:.2f}, {res.nfev} evaluations, {time.perf_counter() - t0:.0f} s")
        return 0

    return guarded("crossings.forecasting.europe_forecast", command)


if __name__ == "__main__":
    raise SystemExit(main())

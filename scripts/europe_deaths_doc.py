"""docs/europe.md's deaths sections (called by scripts/make_europe.py): the deaths process in sample, its rolling
one-year-ahead back-test against naive, and the check of the route system against central_med.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from crossings.calibrate.europe import BURN_IN_DAYS
from crossings.calibrate.europe_deaths import arrays, fit_deaths
from crossings.land.deaths import monthly_attempts, monthly_deaths, observed_annual
from crossings.land.meanfield import mean_field
from crossings.land.system import build
from crossings.scenario.routes import EuropeScenario

YEARS = list(range(2014, 2025))
SEEDS = 1000  # seeded runs of the deaths process for the in-sample bands


def fmt(v: float) -> str:
    return f"{v:,.0f}"


def in_sample(sc: EuropeScenario, lines: list[str], summary: dict[str, Any]) -> None:
    """Annual dead and missing per route 2014-2024 against the 90% band of 1,000 seeded runs of the deaths
    process (fitted rates and year variances, the fitted mean-field's attempts)."""
    start, end = dt.date(2014, 1, 1), dt.date(2024, 12, 31)
    fits = fit_deaths(sc, sc.fitted, start, end)
    rate, disp = arrays(sc, fits)
    sys_ = build(sc, sc.fitted, start - dt.timedelta(days=BURN_IN_DAYS), end)
    out = np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle()))
    months, att = monthly_attempts(sys_.dates, out, np.datetime64(start, "D"))
    yr = months.astype("datetime64[Y]").astype(int) + 1970
    sims = np.stack([monthly_deaths(s, att, months, rate, disp) for s in range(SEEDS)])
    annual = np.stack([sims[:, :, yr == y].sum(axis=2) for y in YEARS], axis=2)  # (seeds, R, years)
    att_y = np.stack([att[:, yr == y].sum(axis=1) for y in YEARS], axis=1)
    ob = observed_annual(sc)
    routes = list(sc.routes)
    lines += ["## Deaths on the routes", "",
              "Dead and missing (IOM Missing Migrants Project, `deaths_missing_by_route_annual_iom_mmp.csv`, "
              "source IOM_MMP_GIOCOPP; a minimum count) on the five routes MMP reports. Mechanism "
              "(`crossings.land.deaths`): a route-month's deaths ~ Poisson(attempts at the route's border x the "
              "route's rate x Z), Z ~ Gamma(mean 1, variance phi) shared by a calendar year's months: annual data "
              "identify a level per route and how far years scatter around it, nothing finer, and the year factor "
              "carries what moves the rate that the model does not (rescue capacity, single shipwrecks of hundreds, "
              "weather). Attempts: crossings plus detected attempts pushed back (the mean-field's; the Western "
              "Balkans' include the Eastern Mediterranean's onward people). Fit (`crossings.calibrate."
              "europe_deaths`): negative binomial penalised ML of (log rate, log phi) per route on the calendar "
              "years inside the window (priors: log rate ~ N(log 0.01, 3^2), log phi ~ the sea deaths fit's "
              "N(log 0.25, 1.5^2)). circular_albania_greece and eastern_borders: MMP has no series for them, so "
              "they get no deaths (no invented rate); deaths on the Belarus border and in the Balkans' forests are "
              "therefore missing from the system's total.", "",
              "| route | deaths per 1,000 attempts (90%) | year variance phi (90%) | deaths 2014-2024 observed | "
              "attempts 2014-2024 |", "|---|---|---|---|---|"]
    for r, f in fits.items():
        sd = np.sqrt(np.diag(f.cov))
        lo, hi = f.rate * np.exp(-1.645 * sd[0]), f.rate * np.exp(1.645 * sd[0])
        plo, phi_hi = f.dispersion * np.exp(-1.645 * sd[1]), f.dispersion * np.exp(1.645 * sd[1])
        ri = routes.index(r)
        lines.append(f"| {r} | {1000 * f.rate:.2f} ({1000 * lo:.2f}-{1000 * hi:.2f}) | {f.dispersion:.2f} "
                     f"({plo:.2f}-{phi_hi:.2f}) | {fmt(float(np.asarray(ob.loc[r].sum())))} | {fmt(att_y[ri].sum())} |")
    lines += ["", f"In sample: observed annual deaths against the 5-95% band of {SEEDS:,} seeded runs of the deaths "
              "process (fitted rate and phi; the fitted mean-field's attempts). Each cell: observed (p05-p95); "
              "**bold**: outside.", "",
              "| route | " + " | ".join(str(y) for y in YEARS) + " |", "|---|" + "---|" * len(YEARS)]
    inside = total = 0
    for r in fits:
        ri = routes.index(r)
        cells = []
        for yi, y in enumerate(YEARS):
            o = float(np.asarray(ob.loc[r, y]))
            q05, q95 = np.quantile(annual[:, ri, yi], [0.05, 0.95])
            ok = q05 <= o <= q95
            inside += ok
            total += 1
            c = f"{fmt(o)} ({fmt(q05)}-{fmt(q95)})"
            cells.append(c if ok else f"**{c}**")
        lines.append(f"| {r} | " + " | ".join(cells) + " |")
    summary["deaths_in_sample"] = f"{inside} of {total}"
    lines += ["", f"Observed inside the simulated 90% band: **{inside} of {total}** route-years (a 90% band should "
              f"hold about {0.9 * total:.0f}). The rates and phi were fitted on these same years, so this checks the "
              "year factor's spread, not a forecast.", ""]


def backtest_rows(sc: EuropeScenario, origin: int, x: np.ndarray, rng: np.random.Generator) -> list[dict[str, Any]]:
    """One origin's deaths rows: the forecast command's deaths draws x[:, 2] (members, R, months of the origin
    year) against observed, naive (last year's deaths; ensemble: times one past year-on-year change)."""
    import scoringrules as sr

    ob = observed_annual(sc)
    rows = []
    for ri, route in enumerate(sc.routes):
        if route not in ob.index or origin not in ob.columns:
            continue
        sims = x[:, 2, ri].sum(axis=1)
        if not np.isfinite(sims).all():  # no rate at this origin (no attempts in the years before it)
            rows.append({"origin": origin, "route": route, "observed": float(np.asarray(ob.loc[route, origin])), "model": np.nan})
            continue
        hist = ob.loc[route, list(range(2014, origin))].to_numpy(dtype=float)
        y = float(np.asarray(ob.loc[route, origin]))
        lg = np.log(np.maximum(hist, 1.0))
        naive_ens = hist[-1] * np.exp(rng.choice(np.diff(lg), sims.size))
        q = np.quantile(sims, [0.05, 0.5, 0.95])
        nq = np.quantile(naive_ens, [0.05, 0.95])
        rows.append({"origin": origin, "route": route, "observed": y, "model": float(q[1]), "naive": float(hist[-1]),
                     "model_p05": float(q[0]), "model_p95": float(q[2]), "naive_p05": float(nq[0]),
                     "naive_p95": float(nq[1]), "crps_model": float(sr.crps_ensemble(y, sims)),
                     "crps_naive": float(sr.crps_ensemble(y, naive_ens))})
    return rows


def backtest_text(df: pd.DataFrame, lines: list[str], summary: dict[str, Any], csv_name: str,
                  detections: pd.DataFrame | None = None) -> None:
    lines += ["### Deaths: rolling one-year-ahead back-test", "",
              "The same origins and origin fits as the detections' back-test (data before the origin only): at each "
              "origin the deaths rate and phi are refitted on the MMP years before it against that origin fit's "
              "attempts, and the forecast command's draws (`crossings forecast`, the deaths of "
              "forecasting/europe_forecast.py: Laplace draws of (log rate, log phi), a Gamma year factor, Poisson "
              "months, on each member's attempts) give the year's deaths. Naive: last year's deaths (ensemble: "
              "times one past year-on-year change of the route's deaths). CRPS in persons (scoringrules); 90% "
              f"coverage: observed inside the ensemble's 5-95%. Table: `docs/{csv_name}`.", "",
              "| route | CRPS model | CRPS naive | model beats naive (CRPS, years) | model's 90% covers | "
              "naive's 90% covers |", "|---|---|---|---|---|---|"]
    verdict = []
    missing = df[df.model.isna()]
    df = df[df.model.notna()]
    for route, d in df.groupby("route", sort=False):
        cm, cn = d.crps_model.mean(), d.crps_naive.mean()
        wins = int((d.crps_model < d.crps_naive).sum())
        cov_m = int(((d.model_p05 <= d.observed) & (d.observed <= d.model_p95)).sum())
        cov_n = int(((d.naive_p05 <= d.observed) & (d.observed <= d.naive_p95)).sum())
        lines.append(f"| {route} | {fmt(cm)} | {fmt(cn)} | {wins} of {len(d)} | {cov_m} of {len(d)} | "
                     f"{cov_n} of {len(d)} |")
        verdict.append(f"{route} {'beats' if cm < cn else 'does not beat'} naive ({fmt(cm)} vs {fmt(cn)})")
    cov_m = int(((df.model_p05 <= df.observed) & (df.observed <= df.model_p95)).sum())
    cov_n = int(((df.naive_p05 <= df.observed) & (df.observed <= df.naive_p95)).sum())
    summary["deaths_bt"] = (verdict, f"{cov_m} of {len(df)}", f"{cov_n} of {len(df)}")
    over = []
    both = n_dover = 0
    for route, d in df.groupby("route", sort=False):
        n_over = int((d.model > d.observed).sum())
        if detections is not None:
            det = detections[(detections.route == route) & detections.origin.isin(d.origin)]
            det_over = set(det.origin[det.model > det.observed])
            dover = set(d.origin[d.model > d.observed])
            both, n_dover = both + len(dover & det_over), n_dover + len(dover)
            over.append(f"{route} {n_over} of {len(d)} (detections {int((det.model > det.observed).sum())} of "
                        f"{len(det)})")
        else:
            over.append(f"{route} {n_over} of {len(d)}")
    gaps = "; ".join(f"{r} at {', '.join(str(o) for o in g.origin)}" for r, g in missing.groupby("route", sort=False))
    lines += ["", f"Plainly, on mean CRPS: {'; '.join(verdict)}. 90% coverage: model {cov_m} of {len(df)}, naive "
              f"{cov_n} of {len(df)} route-years."
              + (f" No deaths forecast (under one simulated attempt a year before the origin: the route was outside "
                 f"every group's choice set, so no rate can be fitted; left out of the scores): {gaps}." if gaps else "")
              + f" The model's bands are too wide ({cov_m} of {len(df)} where a 90% band should hold about "
              f"{0.9 * len(df):.0f}: the year factor's variance is fitted on years whose attempts the model already "
              f"misses, and the attempts' own forecast spread adds to it), naive's too narrow. The model's median is "
              f"above the observed deaths in: {'; '.join(over)}"
              + (f"; in {both} of the {n_dover} route-years where the deaths' median overshoots, the detections' "
                 "median (the attempts' forecast, back-test above) overshoots too" if detections is not None else "")
              + ". A constant rate per attempt also carries the earlier years' rate into years when rescue and "
              "interception changed it.", "", "| origin | route | observed | model median (5-95%) | naive |",
              "|---|---|---|---|---|"]
    for _, r in df.iterrows():
        lines.append(f"| {r.origin} | {r.route} | {fmt(r.observed)} | {fmt(r.model)} ({fmt(r.model_p05)}-"
                     f"{fmt(r.model_p95)}) | {fmt(r.naive)} |")
    lines.append("")


def _years(mask: pd.Series) -> str:
    ys = [str(y) for y, v in mask.items() if bool(v)]
    return ", ".join(ys) if ys else "no year"


def consistency(root: Any, lines: list[str], summary: dict[str, Any]) -> None:
    """The route system against central_med.yaml on the central Mediterranean (analysis/route_consistency.py;
    tests/test_europe_consistency.py holds the drift bound)."""
    from crossings.analysis.route_consistency import table

    tab = table(root / "scenarios" / "europe.yaml", root / "scenarios" / "central_med.yaml", list(range(2019, 2025)))
    lines += ["## The central Mediterranean in the route system and in central_med.yaml", "",
              "Two fitted models of the same crossings, fitted to two counts: the route system's "
              "central_mediterranean to Frontex's detections (sea landings in Italy and Malta), central_med.yaml's "
              "sea process (`scenarios/central_med.fitted.yaml`, mean of seeds 1-5, its own window 2019-2024) to the Italian "
              "ministry's sea arrivals. Route system: the mean-field with the fitted values; pushbacks are its "
              "detected attempts pushed back (the Italy-Libya MoU lever's fixed share 0.29 from July 2017: "
              "interceptions by Libya, R34); deaths its expected deaths (fitted rate x attempts). central_med: "
              "simulated arrivals, interceptions (Libya and Tunisia) and deaths at Italy. Gap: route system / "
              "central_med - 1 (models) against Frontex / ministry - 1 (data).", "",
              "| year | route system detections | Frontex detections | central_med arrivals | ministry arrivals | "
              "gap, models | gap, data | route system pushbacks | central_med interceptions | route system "
              "deaths | central_med deaths | MMP deaths |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    gaps = []
    for y, r in tab.iterrows():
        gm, gd = r.rs_detections / r.cm_arrivals - 1.0, r.frontex_detections / r.cm_arrivals_observed - 1.0
        gaps.append(abs(gm - gd))
        lines.append(f"| {y} | {fmt(r.rs_detections)} | {fmt(r.frontex_detections)} | {fmt(r.cm_arrivals)} | "
                     f"{fmt(r.cm_arrivals_observed)} | {gm:+.1%} | {gd:+.1%} | {fmt(r.rs_pushbacks)} | "
                     f"{fmt(r.cm_interceptions)} | {fmt(r.rs_deaths)} | {fmt(r.cm_deaths)} | {fmt(r.mmp_deaths)} |")
    summary["consistency"] = max(gaps)
    lines += ["", "Why the counts differ: Frontex's central Mediterranean route counts detections at the sea borders "
              "of Italy and Malta (its main input is the Italian landings), the ministry counts people landed in "
              "Italy only; so the data's gap is Malta's landings and reporting differences (22% in 2019, when "
              "Italy's landings were low and Malta's high; under 1% from 2021). The models' gap follows it: "
              f"the two differ by at most {max(gaps):.1%} in a year (tests/test_europe_consistency.py fails "
              "above 10%). Persons equal detections on this route (no chained route, interceptions are not "
              "detections). Where the two models part: interceptions (the route system holds Libya's share "
              "fixed and has none by Tunisia: its pushbacks are below central_med's interceptions by more than 10% "
              f"in {_years(tab.rs_pushbacks < 0.9 * tab.cm_interceptions)}) and deaths (central_med's incident "
              "process against the route system's constant rate per attempt: MMP's count is exceeded by more than "
              f"25% by the route system in {_years(tab.rs_deaths > 1.25 * tab.mmp_deaths)} and by central_med in "
              f"{_years(tab.cm_deaths > 1.25 * tab.mmp_deaths)}; it is undershot by more than 25% by the route "
              f"system in {_years(tab.rs_deaths < 0.75 * tab.mmp_deaths)} and by central_med in "
              f"{_years(tab.cm_deaths < 0.75 * tab.mmp_deaths)}).", "",
              "A real view (central_med's regional inflow read from the route system) would take: the route "
              "system's daily central_mediterranean choices (STARTS) split into central_med's two regions "
              "(north_africa, other_origins) by the origin groups' nationalities, fed in place of central_med's "
              "fitted inflow, and central_med's launch, prevention and interception parameters refitted on that "
              "inflow (they were fitted with its own). That refit rewrites central_med.fitted.yaml, which this "
              "session's posterior run depends on, so it is not done here; the table and the test keep the two "
              "consistent instead. channel.yaml is fed by the onward leg (docs/europe_onward.md).", ""]

"""Write docs/europe.md: the route system (scenarios/europe.yaml) against Frontex detections 2014-2024.

In-sample fit (annual within 15%, monthly MAPE), the shifts of 2016, 2017-2018 and the Atlantic, the
counterfactuals "no EU-Turkey statement" and "no Italy-Libya MoU" (first 12 months, Laplace posterior with
evidence priors, diversion shares, the outside option's profile likelihood), the 2024 forecast of
`crossings forecast`, a rolling one-year-ahead back-test (origins each January 2017-2024, refitted on earlier
data only) against naive and a log-linear trend, the Channel's implied onward share, and the agent run's speed.

    uv run --frozen python scripts/make_europe.py [--quick] [--reuse-backtest]

--quick: fewer parameter draws and fit evaluations (a smoke run, not for the docs). The back-test table
(docs/europe_backtest.csv) and the outside profile (docs/europe_outside_profile.csv; delete it to recompute,
~15 minutes) are reused when present with --reuse-backtest / always, respectively.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import europe_deaths_doc as deaths_doc  # scripts/europe_deaths_doc.py (this script's folder is on sys.path)
import numpy as np
import pandas as pd

from crossings.calibrate.europe import BURN_IN_DAYS, fit
from crossings.land.kernel import DET
from crossings.land.meanfield import mean_field
from crossings.land.simulate import observed_monthly, persons_by_route, run_daily
from crossings.land.system import build
from crossings.scenario.routes import EuropeScenario, load_europe

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "europe.yaml"
YEARS = list(range(2014, 2025))
ORIGINS = list(range(2017, 2025))
START, END = dt.date(2014, 1, 1), dt.date(2024, 12, 31)


def annual_observed(sc: EuropeScenario) -> pd.DataFrame:
    obs = observed_monthly(sc)
    obs["year"] = obs.month.str[:4].astype(int)
    return obs.groupby(["place", "year"]).detections.sum().unstack().reindex(index=list(sc.routes), columns=YEARS,
                                                                               fill_value=0.0)


def run_mf(sc: EuropeScenario, params: dict[str, float], start: dt.date, end: dt.date,
           off: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean-field from start (after the burn-in): daily detections (R, T), persons (R, T), dates."""
    sc2 = sc.model_copy(deep=True)
    for name in off:
        sc2.levers[name].enabled = False
    sys_ = build(sc2, params, start - dt.timedelta(days=BURN_IN_DAYS), end)
    out = np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle()))
    keep = sys_.dates >= np.datetime64(start, "D")
    return out[DET].sum(axis=0)[:, keep], persons_by_route(out, sys_)[:, keep], sys_.dates[keep]


def by_year(daily: np.ndarray, dates: np.ndarray, years: list[int]) -> np.ndarray:
    y = dates.astype("datetime64[Y]").astype(int) + 1970
    return np.stack([daily[:, y == yr].sum(axis=1) for yr in years], axis=1)


def by_month(daily: np.ndarray, dates: np.ndarray) -> pd.DataFrame:
    m = dates.astype("datetime64[M]").astype(str)
    return pd.DataFrame(daily.T, index=m).groupby(level=0).sum()


def _num(v: object) -> float:
    """A table cell as a float (pandas' scalar union is wider than float() accepts)."""
    return float(np.asarray(v, dtype=float))


def fmt(v: float) -> str:
    return f"{v:,.0f}"


def describe(sc: EuropeScenario, lines: list[str]) -> None:
    lines += [
        "## The model", "",
        "People of eight origin groups (built from Frontex's nationality file) set out each day (a fitted demand "
        "per group and year) and choose among the Frontex routes with a logit: a group-route intercept, a route's "
        "month-of-year and route-year utility (penalised, prior sd "
        f"{sc.fit.shock_sd}), and the levers in force; an outside option (stay or go elsewhere) competes, so a "
        "lever that lowers one route's utility sends part of its people to the group's other routes and part to "
        "the outside option. At each route's border a person tries with probability 1/mean stay a day; a "
        "detected attempt may be pushed back (levers with a known share), after which the person retries or "
        "chooses again (or gives up). People crossing the Eastern Mediterranean continue on the Western Balkans "
        "route with a fitted share (the Balkan closure lever moves it) and are detected there a second time; "
        "pushed-back attempts at land borders are detections too. Detection probability is 1: Frontex counts "
        "alone cannot separate undetected crossings from demand, so persons here are people detected at least "
        "once.", "",
        "Code: `crossings.land` (kernel.py: agents, one per person, numba; reference.py: numpy, tested "
        "bit-identical; meanfield.py: expected flows, tested against the mean of 200 seeds; system.py: scenario "
        "-> daily arrays; simulate.py: tidy monthly tables), `crossings.scenario.routes` (schema), "
        "`crossings.calibrate.europe` (fit), deaths: `crossings.land.deaths` (process) and "
        "`crossings.calibrate.europe_deaths` (fit). Random streams 69-79 (`crossings/land/streams.py`; 78: the "
        "forecast draws; 79 and 69: deaths and their year factor).", "",
        "Assumptions without a source (stated, not tuned to any one observed value): mean stays at the border "
        "(7 days at sea routes, 14 on land), retry after a pushback 0.8, the route-year shock prior sd, the "
        "residual weights of the fit (`calibrate/europe.py`). A group's choice set: routes holding at least "
        f"{sc.fit.min_share:.0%} of its detections in the fitted months.", "",
        "### Levers", "", "| lever | route | from | acts on | evidence | sources | note |", "|---|---|---|---|---|---|---|"]
    for name, lv in sc.levers.items():
        acts = ", ".join(f"{k} {'fitted' if v == 'fit' else v}" for k, v in
                         (("utility", lv.utility), ("pushback", lv.pushback), ("onward", lv.onward)) if v is not None)
        lines.append(f"| {name} | {lv.route} | {lv.start}{' to ' + str(lv.end) if lv.end else ''} | {acts} | "
                     f"{lv.evidence} | {lv.source} | {lv.note} |")
    lines.append("")


def in_sample(sc: EuropeScenario, lines: list[str]) -> None:
    det, _, dates = run_mf(sc, sc.fitted, START, END)
    sim = by_year(det, dates, YEARS)
    obs = annual_observed(sc).to_numpy()
    lines += ["## In sample: annual detections 2014-2024", "",
              "Mean-field with the fitted values (`scenarios/europe.fitted.yaml`). Each cell: simulated / observed "
              "(error %); **bold**: a route-year above 5,000 detections outside +-15%.", "",
              "| route | " + " | ".join(str(y) for y in YEARS) + " |", "|---|" + "---|" * len(YEARS)]
    n_big = n_ok = 0
    for r, route in enumerate(sc.routes):
        cells = []
        for j in range(len(YEARS)):
            err = 100.0 * (sim[r, j] / obs[r, j] - 1.0) if obs[r, j] > 0 else float("nan")
            big = obs[r, j] > 5000
            ok = abs(err) <= 15.0
            n_big += big
            n_ok += big and ok
            cell = f"{fmt(sim[r, j])} / {fmt(obs[r, j])} ({err:+.0f}%)"
            cells.append(f"**{cell}**" if big and not ok else cell)
        lines.append(f"| {route} | " + " | ".join(cells) + " |")
    SUMMARY["in_sample"] = f"{n_ok} of {n_big}"
    lines += ["", f"Route-years above 5,000 detections within 15%: **{n_ok} of {n_big}**"
              + (" (holds)." if n_ok == n_big else " (does not hold for all)."), ""]
    sim_m = by_month(det, dates)
    obs_m = observed_monthly(sc).pivot_table(index="month", columns="place", values="detections", aggfunc="sum")
    lines += ["Monthly MAPE per route, 2014-2024 (months with at least one observed detection):", "",
              "| route | monthly MAPE | months |", "|---|---|---|"]
    for r, route in enumerate(sc.routes):
        o = obs_m[route].reindex(sim_m.index).fillna(0.0)
        s = sim_m[r]
        ok = o > 0
        mape = 100.0 * float(np.mean(np.abs(s[ok] / o[ok] - 1.0)))
        lines.append(f"| {route} | {mape:.0f}% | {int(ok.sum())} |")
    lines.append("")


CF_LEVERS = (("eu_turkey_statement", dt.date(2016, 3, 20)), ("italy_libya_mou", dt.date(2017, 7, 1)))
PROFILE_CSV = ROOT / "docs" / "europe_outside_profile.csv"
OUTSIDE_VALUES = (-1.0, 0.5, 2.0, 3.5, 5.0, 6.5, 8.0)


def _root(cov: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(0.5 * (cov + cov.T))
    return V * np.sqrt(np.clip(w, 0.0, None))


def lever_effect(sc: EuropeScenario, params: dict[str, float], lever: str, start: dt.date) -> dict[str, float]:
    """A lever's first 12 months, on vs off: persons it kept off its route, the share of them that went to the
    group's other routes, its effect as a share of the route's flow without it, all-route detections."""
    r0 = list(sc.routes).index(sc.levers[lever].route)
    run0, stop = dt.date(start.year - 1, 1, 1), start + dt.timedelta(days=364)
    d_on, p_on, dates = run_mf(sc, params, run0, stop)
    d_off, p_off, _ = run_mf(sc, params, run0, stop, off=(lever,))
    span = dates >= np.datetime64(start, "D")
    on_r, off_r = p_on[:, span].sum(axis=1), p_off[:, span].sum(axis=1)
    kept = off_r[r0] - on_r[r0]
    other = (on_r.sum() - on_r[r0]) - (off_r.sum() - off_r[r0])
    return {"kept": kept, "divert": other / kept if kept > 0 else np.nan, "fall": kept / off_r[r0],
            "det": d_off[:, span].sum() - d_on[:, span].sum()}


def counterfactuals(sc: EuropeScenario, draws: int, lines: list[str]) -> None:
    from crossings.calibrate.europe import LEVER_EVIDENCE, laplace, lever_prior

    lap = laplace(sc)
    root = _root(lap.cov)
    rng = np.random.default_rng(20240101)  # the docs' draws only (a script, not the model)
    names = lap.names
    lines += ["## Counterfactuals: a lever switched off, with parameter intervals", "",
              "What each lever's effect is estimated from: the fit's demand is annual per origin group and the route "
              "shocks are annual, so a step change of a route's monthly detections at the lever's date, against "
              "the same group's other routes in the same year, is what moves the lever; a fall that began before "
              "the date (the Aegean's from October 2015, R22) goes to demand. Where a source reports the route's "
              "fall across the lever's date, that fall bounds the lever's own effect and is its PRIOR (a normal "
              "whose central 90% spans log(1 - fall) .. 0); other levers keep a weak prior (sd 2):", "",
              "| lever | published fall | sources | prior on utility (mean, sd) | fitted (Laplace sd) |",
              "|---|---|---|---|---|"]
    sd = np.sqrt(np.clip(np.diag(lap.cov), 0.0, None))
    for lv, (fall, src) in LEVER_EVIDENCE.items():
        m, s_ = lever_prior(lv)
        j = names.index(f"lever.{lv}.utility")
        lines.append(f"| {lv} | {fall:.0%} | {src} | {m:.2f}, {s_:.2f} | {lap.x[j]:.2f} ({sd[j]:.2f}) |")
    lines += ["", f"{draws} parameter draws from the Laplace posterior (the penalised fit's curvature, FULL "
              "covariance: a lever's draw moves with the route's shocks of the years around it, which it is "
              "confounded with); each "
              "draw runs the mean-field with all levers and with one lever off. Window: the lever's first 12 "
              "months; beyond a year the data cannot tell a lasting lever from a lasting change of the route's "
              "level (both are one step in the monthly series), so no longer-run figure is given. Persons: people "
              "crossing a route's border as their route (the Western Balkans' second count after the Eastern "
              "Mediterranean excluded). Diversion share: extra persons on the group's other routes per person "
              "the lever kept off its route. Intervals 5-95%.", "",
              "| counterfactual | route | persons kept off (median, 5-95%) | lever's share of the route's flow "
              "without it | diversion share | all-route detections higher | published fall |",
              "|---|---|---|---|---|---|---|"]
    for lever, start in CF_LEVERS:
        res: dict[str, list[float]] = {"kept": [], "divert": [], "fall": [], "det": []}
        for k in range(draws):
            x = lap.x + (root @ rng.standard_normal(len(names)) if k > 0 else 0.0)
            for key, v in lever_effect(sc, lap.problem.params(x), lever, start).items():
                res[key].append(v)
        e, dv, fl, dd = (np.nanpercentile(np.array(res[k]), [50, 5, 95]) for k in ("kept", "divert", "fall", "det"))
        fall, src = LEVER_EVIDENCE[lever]
        CF[lever] = {"kept": e, "divert": dv, "fall": fl}
        lines.append(f"| no {lever.replace('_', ' ')} (12 months from {start}) | {sc.levers[lever].route} | "
                     f"{fmt(e[0])} ({fmt(e[1])} to {fmt(e[2])}) | {fl[0]:.0%} ({fl[1]:.0%} to {fl[2]:.0%}) | "
                     f"{dv[0]:.3f} ({dv[1]:.3f} to {dv[2]:.3f}) | {fmt(dd[0])} ({fmt(dd[1])} to {fmt(dd[2])}) | "
                     f"up to {fall:.0%} ({src}) |")
    lines.append("")
    outside_profile(sc, lines)


def outside_profile(sc: EuropeScenario, lines: list[str]) -> None:
    """The outside option (who gives up instead of switching route) from a profile likelihood."""
    if not PROFILE_CSV.exists():
        _profile_table(sc).to_csv(PROFILE_CSV, index=False)
    df = pd.read_csv(PROFILE_CSV)
    best = df.cost.min()
    df["deviance"] = 2.0 * (df.cost - best) / df.s2
    inside = df[df.deviance <= 2.71].outside
    lines += ["### The outside option: what the data can and cannot tell", "",
              "The share of people a lever keeps off its route who go to another route (not home or elsewhere) is "
              "set by the outside option's utility. It is fitted, and its profile likelihood says how far the "
              "data pin it: the fit repeated with the outside utility held at each value (other parameters "
              f"refitted, warm, at most 20 evaluations each; `{PROFILE_CSV.relative_to(ROOT)}`). Deviance: "
              "2 x (cost - lowest cost) / residual variance (chi-square with 1 df: 2.71 is the 90% bound). "
              "Diversion shares and persons kept off at each profile point's fitted values (first 12 months).", "",
              "| outside utility | deviance | no EU-Turkey: kept off | diversion | no Italy-Libya: kept off | "
              "diversion |", "|---|---|---|---|---|---|"]
    for _, r in df.iterrows():
        lines.append(f"| {r.outside:.2f} | {r.deviance:.1f} | {fmt(r.kept_eu_turkey_statement)} | "
                     f"{r.divert_eu_turkey_statement:.3f} | {fmt(r.kept_italy_libya_mou)} | "
                     f"{r.divert_italy_libya_mou:.3f} |")
    SUMMARY["outside_90"] = (float(inside.min()), float(inside.max())) if len(inside) else None
    SUMMARY["profile"] = df
    at_edge = float(df.outside.to_numpy()[np.argmin(df.cost.to_numpy())]) == float(df.outside.max())
    lines += ["", "Outside utilities within the 90% profile bound: "
              + (f"{inside.min():.2f} to {inside.max():.2f} (of the values tried)." if len(inside) else "none.")
              + (" The lowest cost is at the largest value tried: within this model the data prefer the outside "
                 "option taking nearly everyone a lever keeps off its route (diversion near 0)." if at_edge else "")
              + " The deviance treats every residual as independent; monthly residuals are autocorrelated, so the "
              "true bound is wider than this one (it says which way the data lean, not a sharp limit).", ""]


def _profile_table(sc: EuropeScenario) -> pd.DataFrame:
    from crossings.calibrate.europe import profile_outside

    rows = []
    for v, res in zip(OUTSIDE_VALUES, profile_outside(sc, list(OUTSIDE_VALUES)), strict=True):
        n_prior = int(np.isfinite(res.problem.prior_sd).sum())
        fun = res.problem.residuals(res.x)
        n_data = len(fun) - n_prior
        row: dict[str, float] = {"outside": v, "cost": res.cost, "nfev": res.nfev,
                                 "s2": float(np.sum(fun[:n_data] ** 2) / (n_data - len(res.x)))}
        for lever, start in CF_LEVERS:
            eff = lever_effect(sc, res.params, lever, start)
            row[f"kept_{lever}"], row[f"divert_{lever}"] = eff["kept"], eff["divert"]
        rows.append(row)
        print(f"outside {v}: cost {res.cost:.2f} ({res.nfev} evaluations)", file=sys.stderr)
    return pd.DataFrame(rows)


CF: dict[str, dict[str, np.ndarray]] = {}
SD: dict[str, float] = {}
SUMMARY: dict[str, Any] = {}


def summary(lines: list[str]) -> None:
    from crossings.calibrate.europe import LEVER_EVIDENCE

    beats = ", ".join(SUMMARY.get("beats", [])) or "none"
    loses = ", ".join(SUMMARY.get("loses", [])) or "none"
    cf = "; ".join(f"no {lv.replace('_', ' ')}: {fmt(v['kept'][0])} persons kept off in 12 months "
                   f"(90% {fmt(v['kept'][1])} to {fmt(v['kept'][2])}), {v['fall'][0]:.0%} of the route's flow "
                   f"without it, diversion share {v['divert'][0]:.3f} ({v['divert'][1]:.3f} to {v['divert'][2]:.3f})"
                   for lv, v in CF.items())
    o90 = SUMMARY.get("outside_90")
    prof = SUMMARY.get("profile")
    dv = ""
    if prof is not None and o90 is not None:
        sel = prof[(prof.outside >= o90[0]) & (prof.outside <= o90[1])]
        dv = (f" Over the outside utilities the profile keeps at 90% ({o90[0]:.2f} to {o90[1]:.2f} of the values "
              f"tried) the diversion share is {sel.divert_eu_turkey_statement.min():.3f}-"
              f"{sel.divert_eu_turkey_statement.max():.3f} (EU-Turkey) and {sel.divert_italy_libya_mou.min():.3f}-"
              f"{sel.divert_italy_libya_mou.max():.3f} (Italy-Libya).")
    ch = SUMMARY.get("channel_share")
    lines += [
        "## What holds and what does not", "",
        f"- In sample, annual detections within 15% for every route-year above 5,000: "
        f"{SUMMARY.get('in_sample')} (route-year totals carry weight 8 in the fit, and each route-year has its "
        "own penalised shock: this is a fit, not a test). Monthly MAPE is 30-90%: demand is annual with a fixed "
        "month-of-year profile per route, so within-year surges (summer-autumn 2015, the Canaries in late 2020 "
        "and 2023) are missed.",
        f"- Counterfactuals, quotable with their caveats: {cf}. These now come from a Laplace posterior with the "
        "full covariance (the earlier independent-normal draws ignored that a lever trades off against the "
        "route's level in the years around it: correlation 0.36 with the 2015 shock for the EU-Turkey lever) "
        "and evidence priors bounded by the published "
        "falls; the lever's fitted share of the route's fall lies inside the published range (the published "
        "falls are before/after figures that include any change of demand, so they are upper bounds, and the "
        "prior came from them: agreement is partly by construction"
        + "".join(f"; {lv.replace('_', ' ')}'s 95th percentile, {v['fall'][2]:.0%}, exceeds its published {f:.0%}"
                  for lv, v in CF.items() if v["fall"][2] > (f := LEVER_EVIDENCE[lv][0]))
        + "). What the data identify is the step at the "
        "lever's date within a year; the EU-Turkey statement and the Balkan closure fall 11 days apart (R16, "
        "R22), so their split is carried by the onward share (Balkan closure) against the Aegean crossings "
        "(statement). Only the first 12 months are reported: a lasting lever and a lasting change of the "
        "route's level are the same step in the data.",
        f"- Diversion: the fitted outside option takes most of the people a lever keeps off its route.{dv} "
        "Within this model the data lean clearly against a diversion share above about 0.01 in a lever's first "
        "year (the profile's deviance grows as the outside utility falls: table above), with the caveat that the "
        "deviance treats autocorrelated monthly residuals as independent. What the data cannot tell: diversion "
        "later than a year or through a group's demand (people moving to another route in later years are "
        "absorbed by the yearly demand and route shocks), so the statement is 'little diversion within a year "
        "at the lever's date', not 'no diversion'. Published diversion evidence is qualitative (R38, R39, R47, "
        "R54, R88; only R87 gives an elasticity, for intentions), so it cannot bound the share. The "
        "Central->Western Mediterranean shift of 2017-2018 is carried by the maghreb and west/central African "
        "groups' demand and the route shocks, not by diversion inside the model.",
        f"- Forecast: `crossings forecast scenarios/europe.yaml --from 2024-01-01 --horizon 12` works (data "
        f"before the origin only; observed 2024 inside the 90% band on {SUMMARY.get('fc2024')} routes). The "
        f"bands are wide (the 95th percentile is {SUMMARY['fc_ratio'][0]:.1f} to {SUMMARY['fc_ratio'][1]:.1f} "
        "times the median): the year's demand change is drawn from past years, which include 2015 and 2016.",
        f"- Back-test: the model beats naive on mean CRPS for: {beats}; it does not for: {loses}. Its 90% band "
        f"covers the observed year in {SUMMARY.get('bt_cover')} route-years (under-coverage: the surprises are "
        "policy and route shifts no past year's change foresaw, such as the Western Balkans' and central "
        "Mediterranean's 2024 falls and the Eastern Borders' 2021 and 2024 rises). A route "
        "outside every group's choice set at the origin (under 5% of each group's earlier detections: the "
        "Western African route before 2021) is forecast near 0: the model cannot open a route the data have "
        "not shown.",
        "- Onward to the Channel: a yearly share of the route system's persons fitted to UK small-boat arrivals "
        "(no source gives it; [docs/europe_onward.md](europe_onward.md)); the two fitted models alone imply "
        + (f"{ch[0]:.1%} to {ch[1]:.1%} of the year's persons" if ch else "a share (table above)")
        + ", not constant, so a fixed share would be wrong.",
        f"- Deaths (five routes with IOM MMP data; none on circular_albania_greece and eastern_borders, where MMP "
        "has no series: no invented rate): attempts x a per-route rate x a Gamma year factor. In sample the "
        f"observed annual deaths lie inside the simulated 90% band in {SUMMARY.get('deaths_in_sample')} "
        "route-years (rates fitted on the same years: a check of the year factor's spread). "
        + (f"Back-test (origins 2017-2024, rates refitted before each origin): {'; '.join(SUMMARY['deaths_bt'][0])} "
           f"on mean CRPS; 90% coverage model {SUMMARY['deaths_bt'][1]}, naive {SUMMARY['deaths_bt'][2]}. "
           if "deaths_bt" in SUMMARY else "")
        + "What annual data cannot give: a rate that moves with rescue capacity or boat types (a constant rate "
        "per attempt and a year factor with no memory: a deadly year says nothing about the next), deaths "
        "before the border (the Sahara, Libya) or on the routes MMP does not cover.",
        f"- central_med.yaml: consistent, not a view. The route system's central Mediterranean detections and "
        f"central_med's simulated Italy arrivals differ as Frontex's count differs from the ministry's, within "
        f"{SUMMARY.get('consistency', float('nan')):.1%} a year 2019-2024 (test: 10%); a view would need "
        "central_med.fitted.yaml refitted (not this session). The route system changes neither central_med's nor "
        "channel's files; their validation (docs/validation.md) moved only with issue 14's deaths refit of the "
        "Channel (every deaths check there now holds; sections 1-4 keep their passes).",
        "- The asylum systems: fed by the route system through the onward leg (UK) and the central Mediterranean "
        "persons (Italy's reception), runs/route_asylum.py ([docs/europe_onward.md](europe_onward.md)).",
        "- Not built: an MCMC posterior (281 parameters at ~15 ms per "
        "mean-field evaluation: emcee would need over a million evaluations; the Laplace approximation is the "
        "interval used here).", ""]


def shifts(sc: EuropeScenario, lines: list[str]) -> None:
    obs = annual_observed(sc)
    det, pers, dates = run_mf(sc, sc.fitted, START, END)
    sim = pd.DataFrame(by_year(det, dates, YEARS), index=list(sc.routes), columns=YEARS)
    lines += ["## The shifts the data show", ""]
    spans = [("2016 fall on the Eastern Mediterranean and the Balkans", 2015, 2016,
              ["eastern_mediterranean", "western_balkans", "central_mediterranean"],
              ("eu_turkey_statement", "balkan_closure")),
             ("2017-2018: central to western Mediterranean", 2016, 2018,
              ["central_mediterranean", "western_mediterranean", "eastern_mediterranean"], ("italy_libya_mou",)),
             ("The Atlantic rises (2019-2020, 2022-2024)", 2019, 2024,
              ["western_mediterranean", "western_african"], ("morocco_cooperation", "mauritania_partnership"))]
    for title, y0, y1, rts, levers in spans:
        lines += [f"### {title}", "", f"| route | observed {y0} | observed {y1} | simulated {y0} | simulated {y1} |",
                  "|---|---|---|---|---|"]
        for r in rts:
            lines.append(f"| {r} | {fmt(_num(obs.loc[r, y0]))} | {fmt(_num(obs.loc[r, y1]))} | "
                         f"{fmt(_num(sim.loc[r, y0]))} | {fmt(_num(sim.loc[r, y1]))} |")
        lines.append("")
        for lv in levers:
            d_off, _, _ = run_mf(sc, sc.fitted, START, END, off=(lv,))
            s_off = pd.DataFrame(by_year(d_off, dates, YEARS), index=list(sc.routes), columns=YEARS)
            diff = (sim - s_off)[y1]
            parts = ", ".join(f"{r} {diff[r]:+,.0f}" for r in sc.routes if abs(diff[r]) >= 50)
            val = {k: v for k, v in sc.fitted.items() if k.startswith(f"lever.{lv}.")}
            lines.append(f"- lever `{lv}` ({sc.levers[lv].evidence} evidence; fitted {val}): its effect on "
                         f"{y1} detections (on minus off): {parts or 'below 50 on every route'}")
        dem = {g: np.exp(sc.fitted.get(f"demand.{g}.{y1}", np.nan) - sc.fitted.get(f"demand.{g}.{y0}", np.nan))
               for g in sc.groups}
        lines += ["- demand (people setting out per day, fitted) " + f"{y1} / {y0}: "
                  + ", ".join(f"{g} {v:.2f}" for g, v in dem.items()), ""]


BACKTEST_CSV = ROOT / "docs" / "europe_backtest.csv"
DEATHS_BACKTEST_CSV = ROOT / "docs" / "europe_deaths_backtest.csv"


def backtest(sc: EuropeScenario, members: int, max_nfev: int, lines: list[str], reuse: bool = False) -> None:
    routes = list(sc.routes)
    if reuse and BACKTEST_CSV.exists() and DEATHS_BACKTEST_CSV.exists():  # the refits take ~15 minutes
        df, dd = pd.read_csv(BACKTEST_CSV), pd.read_csv(DEATHS_BACKTEST_CSV)
    else:
        df, dd = _backtest_table(sc, members, max_nfev)
        df.to_csv(BACKTEST_CSV, index=False)
        dd.to_csv(DEATHS_BACKTEST_CSV, index=False)
    _backtest_text(df, routes, members, max_nfev, lines)
    deaths_doc.backtest_text(dd, lines, SUMMARY, DEATHS_BACKTEST_CSV.name, df)


def _backtest_table(sc: EuropeScenario, members: int, max_nfev: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    import scoringrules as sr

    from crossings.forecasting.europe_forecast import MAX_NFEV
    from crossings.forecasting.europe_forecast import draws as forecast_draws

    obs = annual_observed(sc)
    routes = list(sc.routes)
    rng = np.random.default_rng(7)  # the baselines' ensembles only (the model's draws use stream land.forecast)
    rows = []
    death_rows: list[dict[str, Any]] = []
    rng_deaths = np.random.default_rng(8)  # the deaths' naive ensemble (its own generator: rng's draws unchanged)
    warm: dict[str, float] | None = None
    for Y in ORIGINS:
        t0 = time.perf_counter()
        end = dt.date(Y - 1, 12, 31)
        # the first origin starts cold (the problem's own starting values) and gets the command's evaluations
        res = fit(sc, START, end, warm=warm, max_nfev=max_nfev if warm else MAX_NFEV)
        warm = res.params
        # the forecast command's ensemble: Laplace draws, one past year's demand change, monthly noise
        _, x = forecast_draws(sc, res, dt.date(Y, 1, 1), 12, members, seed=1)
        sims_a = x[:, 0].sum(axis=2)  # (members, R) detections in year Y
        death_rows += deaths_doc.backtest_rows(sc, Y, x, rng_deaths)
        past = list(range(2014, Y))
        for ri, route in enumerate(routes):
            hist = obs.loc[route, past].to_numpy()
            y_obs = _num(obs.loc[route, Y])
            lg = np.log(np.maximum(hist, 1.0))
            naive_ens = hist[-1] * np.exp(rng.choice(np.diff(lg), members))
            n_fit = min(len(past), 5)
            xs = np.arange(n_fit)
            b1, b0 = np.polyfit(xs, lg[-n_fit:], 1)
            resid = lg[-n_fit:] - (b0 + b1 * xs)
            trend_pt = float(np.exp(b0 + b1 * n_fit))
            trend_ens = trend_pt * np.exp(rng.choice(resid, members) * np.sqrt(1 + 1 / n_fit))
            q05, q50, q95 = np.quantile(sims_a[:, ri], [0.05, 0.5, 0.95])
            rows.append({"origin": Y, "route": route, "observed": y_obs, "model": float(q50), "naive": hist[-1],
                         "trend": trend_pt, "model_p05": float(q05), "model_p95": float(q95),
                         "crps_model": float(sr.crps_ensemble(y_obs, sims_a[:, ri])),
                         "crps_naive": float(sr.crps_ensemble(y_obs, naive_ens)),
                         "crps_trend": float(sr.crps_ensemble(y_obs, trend_ens))})
        print(f"origin {Y}: fit {res.nfev} evaluations, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    df = pd.DataFrame(rows)
    for k in ("model", "naive", "trend"):
        df[f"ape_{k}"] = 100.0 * (df[k] - df.observed).abs() / df.observed.clip(lower=1.0)
    return df, pd.DataFrame(death_rows)


def _covers(d: pd.DataFrame) -> str:
    if "model_p05" not in d:
        return "-"
    return f"{int(((d.model_p05 <= d.observed) & (d.observed <= d.model_p95)).sum())} of {len(d)}"


def _backtest_text(df: pd.DataFrame, routes: list[str], members: int, max_nfev: int, lines: list[str]) -> None:
    lines += ["## Rolling one-year-ahead back-test", "",
              "Origins each January 2017-2024. At each origin everything is re-estimated on Frontex months before it "
              f"(fit from 2014-01 to the December before; at most {max_nfev} evaluations, warm-started from the "
              "previous origin's fit; the first origin from the problem's own starting values with 40); levers "
              "that start on or after the origin are off (not yet known). The model's ensemble is the forecast "
              f"command's (`crossings forecast`, forecasting/europe_forecast.py; {members} members): route-year "
              "shocks, levers and onward shares drawn from the origin fit's Laplace posterior given the other "
              "parameters, the forecast year's demand = the last fitted year's "
              "times one past year's fitted change, route shocks held, monthly log-normal noise. Naive: last "
              "year's detections (ensemble: times one past year-on-year change of the route). Trend: log-linear "
              "fit on the route's last five years (at most) before the origin, ensemble from its residuals. "
              f"CRPS in detections (scoringrules.crps_ensemble). Table: `docs/{BACKTEST_CSV.name}`.", "",
              "Which parameters a draw takes was chosen by this back-test (so its scores are somewhat optimistic), "
              "on the same origin fits, mean CRPS per route (EMed, WBalkans, Circular, CMed, WMed, WAfrican, "
              "EBorders) and 90% coverage of 56 route-years: none 35,372 / 37,735 / 611 / 46,055 / 12,039 / 8,600 "
              "/ 2,853, 34; all route-side (seasons, shocks, levers, onward) 51,430 / 53,066 / 949 / 57,635 / "
              "16,622 / 8,720 / 2,881, 36; levers and onward 35,136 / 42,340 / 607 / 44,877 / 12,062 / 8,599 / "
              "2,849, 38; seasons, levers, onward 48,297 / 55,455 / 970 / 62,776 / 17,116 / 8,835 / 2,854, 33; "
              "shocks 34,291 / 37,913 / 588 / 42,512 / 11,801 / 8,633 / 2,820, 40; shocks, levers, onward (the "
              "one used) 34,564 / 42,036 / 564 / 45,247 / 12,553 / 8,616 / 2,824, 42. Drawing the seasons "
              "worsens every route (their draws move the annual level through exp(), which the fit pins by demand "
              "and shocks together); without the months' noise the coverage falls (all route-side: 36 -> 35, "
              "none: 34 -> 31).", "",
              "| route | APE model | APE naive | APE trend | CRPS model | CRPS naive | CRPS trend | model beats naive (APE, years) | model's 90% band covers |",
              "|---|---|---|---|---|---|---|---|---|"]
    verdict = []
    if "model_p05" in df:
        SUMMARY["bt_cover"] = f"{int(((df.model_p05 <= df.observed) & (df.observed <= df.model_p95)).sum())} of {len(df)}"
    for route in routes:
        d = df[df.route == route]
        wins = int((d.ape_model < d.ape_naive).sum())
        lines.append(f"| {route} | {d.ape_model.mean():.0f}% | {d.ape_naive.mean():.0f}% | {d.ape_trend.mean():.0f}% | "
                     f"{fmt(d.crps_model.mean())} | {fmt(d.crps_naive.mean())} | {fmt(d.crps_trend.mean())} | "
                     f"{wins} of {len(d)} | {_covers(d)} |")
        better = d.crps_model.mean() < d.crps_naive.mean()
        SUMMARY.setdefault("beats", []).append(route) if better else SUMMARY.setdefault("loses", []).append(route)
        verdict.append(f"{route}: {'beats' if better else 'does not beat'} naive on mean CRPS "
                       f"({fmt(d.crps_model.mean())} vs {fmt(d.crps_naive.mean())}), mean APE "
                       f"{d.ape_model.mean():.0f}% vs {d.ape_naive.mean():.0f}%")
    lines += ["", "Plainly, per route: " + "; ".join(verdict) + ".", "",
              "Per origin and route (observed, model median, naive, trend):", "",
              "| origin | route | observed | model | naive | trend |", "|---|---|---|---|---|---|"]
    for _, r in df.iterrows():
        lines.append(f"| {r.origin} | {r.route} | {fmt(r.observed)} | {fmt(r.model)} | {fmt(r.naive)} | {fmt(r.trend)} |")
    lines.append("")


def forecast_2024(sc: EuropeScenario, members: int, lines: list[str]) -> None:
    """The forecast command's 2024 projection (origin 2024-01-01, data before it only) against what came."""
    from crossings.forecasting.europe_forecast import draws as forecast_draws
    from crossings.forecasting.europe_forecast import origin_fit

    origin = dt.date(2024, 1, 1)
    res, source = origin_fit(SCENARIO, sc, origin)
    _, x = forecast_draws(sc, res, origin, 12, members, seed=1)
    obs = annual_observed(sc)
    lines += ["## Forecast for 2024 from 2024-01-01", "",
              f"`uv run --frozen crossings forecast scenarios/europe.yaml --from 2024-01-01 --horizon 12 --draws "
              f"{members} --out out/europe_fc` (forecasting/europe_forecast.py) writes monthly and annual detections "
              "and persons per route with p05..p95, the observed detections where known, a manifest and fan charts "
              f"(SVG). Parameters: {source}; the mechanism's levers that start in 2024 (mauritania_partnership) "
              "are off. Annual detections:", "",
              "| route | p05 | median | p95 | observed 2024 | inside 90% |", "|---|---|---|---|---|---|"]
    n_in = 0
    for ri, route in enumerate(sc.routes):
        q = np.quantile(x[:, 0, ri].sum(axis=1), [0.05, 0.5, 0.95])
        o = _num(obs.loc[route, 2024])
        inside = q[0] <= o <= q[2]
        n_in += inside
        lines.append(f"| {route} | {fmt(q[0])} | {fmt(q[1])} | {fmt(q[2])} | {fmt(o)} | {'yes' if inside else 'no'} |")
    SUMMARY["fc2024"] = f"{n_in} of {len(sc.routes)}"
    ratio = [np.quantile(x[:, 0, ri].sum(axis=1), 0.95) / np.median(x[:, 0, ri].sum(axis=1))
             for ri in range(len(sc.routes))]
    SUMMARY["fc_ratio"] = (min(ratio), max(ratio))
    lines += ["", f"Observed 2024 inside the 90% band on {n_in} of {len(sc.routes)} routes.", "",
              "Annual deaths (routes with an IOM MMP series; rate and year variance fitted on 2014-2023 against "
              "the origin fit's attempts):", "", "| route | p05 | median | p95 | observed 2024 (MMP) | inside 90% |",
              "|---|---|---|---|---|---|"]
    from crossings.land.deaths import observed_annual, observed_value

    dead = observed_annual(sc)
    d_in = d_n = 0
    for ri, route in enumerate(sc.routes):
        dy = x[:, 2, ri].sum(axis=1)
        if not np.isfinite(dy).all():
            continue
        q = np.quantile(dy, [0.05, 0.5, 0.95])
        o = observed_value(dead, route, 2024)
        inside = bool(q[0] <= o <= q[2])
        d_in, d_n = d_in + inside, d_n + 1
        lines.append(f"| {route} | {fmt(q[0])} | {fmt(q[1])} | {fmt(q[2])} | {fmt(o)} | {'yes' if inside else 'no'} |")
    lines += ["", f"Observed 2024 deaths inside the 90% band on {d_in} of {d_n} routes (the bands are wide: the "
              "attempts' forecast spread times the year factor's).", ""]


def channel_share(sc: EuropeScenario, lines: list[str]) -> None:
    """The share of the route system's persons that channel.yaml's fitted regional inflow implies move on to
    northern France (no source gives this share, so it is not a parameter here: a consistency figure)."""
    from crossings.scenario.load import load_raw, validate
    from crossings.sea.model import build as sea_build

    ch = validate(load_raw(ROOT / "scenarios" / "channel.yaml"), "channel.yaml")
    arr = sea_build(ch)
    days = pd.date_range(ch.start, periods=arr.inflow.shape[1])
    inflow = pd.Series(arr.inflow.sum(axis=0), index=days).groupby(days.year).sum()
    _, pers, dates = run_mf(sc, sc.fitted, START, END)
    per_year = pd.Series(by_year(pers, dates, YEARS).sum(axis=0), index=YEARS)
    lines += ["## Onward towards the Channel: what the two fitted models imply", "",
              "No source in EVIDENCE_EUROPE.md or EVIDENCE.md gives the share of people entering the EU who move on "
              "to northern France, so the onward leg (`crossings.land.onward`, feeding channel.yaml and the UK "
              "asylum system) fits it as one share a year to the UK small-boat arrivals: see "
              "[docs/europe_onward.md](europe_onward.md). Here, as a check, the two fitted models alone are "
              "compared in annual totals: channel.yaml's fitted "
              "regional inflow (people reaching northern France with the aim of crossing, sea.model's daily "
              "inflow summed) against this system's persons (all routes, first crossing of the journey), the "
              "same year and the year before (a journey takes months).", "",
              "| year | Channel regional inflow | route-system persons | share, same year | share of the year before |",
              "|---|---|---|---|---|"]
    shares = []
    for y in inflow.index:
        if y not in per_year.index or y - 1 not in per_year.index:
            continue
        a, b = per_year[y], per_year[y - 1]
        shares.append(inflow[y] / a)
        lines.append(f"| {y} | {fmt(inflow[y])} | {fmt(a)} | {inflow[y] / a:.1%} | {inflow[y] / b:.1%} |")
    SUMMARY["channel_share"] = (min(shares), max(shares)) if shares else None
    lines += ["", f"The implied same-year share moves from {shares[0]:.1%} ({inflow.index[0]}) to "
              f"{min(shares[2:]):.0%}-{max(shares[2:]):.0%} (from {inflow.index[2]} on): the Channel's growth is "
              "not proportional to irregular arrivals in the EU, so a constant onward share would not reproduce "
              "it: the onward leg's share is one value a year (docs/europe_onward.md). (The Channel's "
              "inflow also holds people who entered the EU otherwise or years before: the share is an upper bound "
              "for onward movement of the year's irregular entrants.)", ""]


def speed(sc: EuropeScenario, lines: list[str]) -> None:
    run_daily(sc, dt.date(2014, 1, 1), dt.date(2014, 3, 31), agents=True)  # compile / load the cache
    t0 = time.perf_counter()
    sys_, out, n = run_daily(sc, START, END, agents=True)
    wall = time.perf_counter() - t0
    keep = sys_.dates >= np.datetime64(START, "D")
    det_a = by_year(out[DET].sum(axis=0)[:, keep], sys_.dates[keep], YEARS).sum(axis=0)
    det_m, _, dates = run_mf(sc, sc.fitted, START, END)
    det_m = by_year(det_m, dates, YEARS).sum(axis=0)
    dev = float(np.max(np.abs(det_a / det_m - 1.0)) * 100.0)
    lines += ["## Speed: one agent per person", "",
              f"Agent run of europe.yaml 2014-2024 (seed {sc.seed}, from {BURN_IN_DAYS} days of burn-in): "
              f"**{n:,} agents (persons), {wall:.1f} s** wall on this machine (shared; see "
              "`benchmarks/europe_speed.py` for the timing on its own). Annual all-route detections of the agent run "
              f"within {dev:.2f}% of the mean-field in every year.", ""]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-backtest", action="store_true")
    ap.add_argument("--reuse-backtest", action="store_true", help=f"read {BACKTEST_CSV.name} instead of refitting")
    a = ap.parse_args()
    sc = load_europe(SCENARIO)
    import yaml

    fitted = yaml.safe_load((SCENARIO.with_name("europe.fitted.yaml")).read_text())
    SD.update(fitted.get("sd", {}))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    lines = ["# Europe's routes as one system (issue 13)", "",
             f"Generated by `uv run --frozen python scripts/make_europe.py` at commit {commit}; scenario "
             "`scenarios/europe.yaml`, fitted by `uv run --frozen python -m crossings.calibrate.europe "
             f"scenarios/europe.yaml` ({fitted.get('note', '')}; fitted on {fitted.get('fitted_on')}). Data: Frontex "
             "monthly detections by route and nationality (`frontex_detections_monthly_by_route_nationality.csv`).", ""]
    describe(sc, lines)
    in_sample(sc, lines)
    deaths_doc.in_sample(sc, lines, SUMMARY)
    shifts(sc, lines)
    counterfactuals(sc, 20 if a.quick else 100, lines)
    if not a.no_backtest:
        backtest(sc, 50 if a.quick else 200, 8 if a.quick else 15, lines, reuse=a.reuse_backtest)
    forecast_2024(sc, 50 if a.quick else 500, lines)
    channel_share(sc, lines)
    deaths_doc.consistency(ROOT, lines, SUMMARY)
    speed(sc, lines)
    summary(lines)
    (ROOT / "docs" / "europe.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

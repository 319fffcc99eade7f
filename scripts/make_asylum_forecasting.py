"""Run the UK asylum after-data back-test and write docs/asylum_forecasting.md (+ docs/asylum_backtest.csv).

    uv run --frozen python scripts/make_asylum_forecasting.py --jobs 2            # back-test, then the page
    uv run --frozen python scripts/make_asylum_forecasting.py --from-csv          # the page from the saved table
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.asylum import (
    after_backlog,
    after_bootstrap,
    after_data,
    after_identity,
    after_mix,
    after_queue,
    after_rules,
)
from crossings.forecasting import asylum_backtest as ab

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "docs" / "asylum_backtest.csv"
# sessions 7-10's table (20 members per origin): the session notes' readings were written on it (session 11 note)
CSV_20 = ROOT / "docs" / "asylum_backtest_m20.csv"
FORECAST_CSV = ROOT / "docs" / "asylum_forecast_example.csv"  # forecast_quarterly.csv of FORECAST_COMMAND
FORECAST_COMMAND = ("uv run --frozen crossings forecast scenarios/uk_asylum.yaml --from 2025-01-01 --horizon 12 "
                    "--draws 100 --out out/uk_asylum_forecast")
DOC = ROOT / "docs" / "asylum_forecasting.md"
METHODS = (*ab.RULES, *ab.MIXTURES, ab.BASELINE)
SESSION8 = ("backlog_feedback", "backlog_feedback_rw")
SESSION9 = ("recalibrated_identity", "backlog_rw_identity", "queue_feedback_identity")
SESSION10 = (after_mix.RULE, after_bootstrap.RULE)


def _fmt(x: float | str) -> str:
    if isinstance(x, str):
        return x
    if pd.isna(x):
        return ""
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:.2f}"


def _md(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join([str(df.index.name or ""), *cols]) + " |", "|" + "---|" * (len(cols) + 1)]
    for idx, row in df.iterrows():
        lines.append("| " + " | ".join([str(idx), *(_fmt(v) for v in row.to_numpy())]) + " |")
    return "\n".join(lines)


def _per_horizon(t: pd.DataFrame, measure: str, value: str) -> pd.DataFrame:
    x = t[t["measure"] == measure].pivot_table(index="method", columns="horizon", values=value, aggfunc="mean")
    x = x.reindex([m for m in METHODS if m in x.index])
    x.columns = [f"h={c}" for c in x.columns]
    x["mean"] = t[t["measure"] == measure].groupby("method")[value].mean()
    x.index.name = "method"
    return x


def _per_origin_year(t: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Mean CRPS per method (rows) and origin year (columns), over that year's origins and horizons 1-4."""
    x = t[t["measure"] == measure].assign(year=pd.to_datetime(t["origin"]).dt.year)
    y = x.pivot_table(index="method", columns="year", values="crps", aggfunc="mean")
    y = y.reindex([m for m in METHODS if m in y.index])
    y.columns = [str(c) for c in y.columns]
    y["all"] = x.groupby("method")["crps"].mean()
    y.index.name = "method"
    return y


def _pit_by_horizon(t: pd.DataFrame, measure: str, method: str) -> pd.DataFrame:
    """A stochastic rule's PIT by horizon: share below the 5th / above the 95th percentile, mean PIT."""
    s = t[(t["measure"] == measure) & (t["method"] == method)]
    g = s.groupby("horizon")
    x = pd.DataFrame({"below p05": g["pit"].apply(lambda p: float((p < 0.05).mean())),
                      "above p95": g["pit"].apply(lambda p: float((p > 0.95).mean())),
                      "mean PIT (0.5 if calibrated)": g["pit"].mean(), "forecasts": g["pit"].size()})
    x.index = [f"h={h}" for h in x.index]
    x.loc["all"] = [float((s["pit"] < 0.05).mean()), float((s["pit"] > 0.95).mean()), float(s["pit"].mean()),
                    len(s)]
    return x


def _forecast_section() -> list[str]:
    """The worked `crossings forecast` command and its table (docs/asylum_forecast_example.csv), if saved."""
    out = ["## `crossings forecast scenarios/uk_asylum.yaml`: bands past the data", "",
           "The back-test's machinery at one origin (src/crossings/forecasting/asylum_forecast.py): inputs cut "
           "at the day before `--from` (a quarter start) and carried by the scenario's rule (`after_data`), "
           "arrivals by the arrivals driver, draw k = agent seed and driver path `--seed` + k. `--horizon` in "
           "months, a multiple of 3. Writes forecast_quarterly.csv (quarter_end, place, place_kind, is_total, "
           "measure, unit, mean, p05, p25, p50, p75, p95, observed where known), fan_awaiting_decision.svg, "
           "fan_in_hotels.svg, fan_cost.svg and manifest.json (origin, rule, every input the rule extended with "
           "the quarters it rests on, the arrivals driver's estimates). About 1 s of CPU a draw.", "",
           "Worked command:", "", f"    {FORECAST_COMMAND}", ""]
    if FORECAST_CSV.exists():
        f = pd.read_csv(FORECAST_CSV)
        for c in ("p05", "p25", "p50", "p75", "p95", "observed"):
            f.loc[f["measure"] == "cost", c] = f.loc[f["measure"] == "cost", c] / 1e9
        f["measure"] = f["measure"].where(f["measure"] != "cost", "cost (GBP bn per quarter)")
        x = f.set_index("quarter_end")[["measure", "p05", "p25", "p50", "p75", "p95", "observed"]]
        out += [f"Its table ({FORECAST_CSV.name}; people at quarter end, cost per quarter):", "", _md(x), ""]
    return out


def _coverage(pits: list[float]) -> dict[str, float]:
    pa = np.array(pits)
    return {"coverage_90": float(np.mean(np.abs(pa - 0.5) <= 0.45)),
            "coverage_50": float(np.mean(np.abs(pa - 0.5) <= 0.25)), "forecasts": len(pa)}


def _simulated_pits(z: np.ndarray, idx: list[dt.date], paths_of: Any) -> list[float]:
    """PIT of the log decisions 1-4 quarters past each origin among paths_of(changes to the origin, g): an
    array (paths, 4) of cumulative log changes (a seeded numpy generator: a page figure, not a model run)."""
    g = np.random.default_rng(2)
    out: list[float] = []
    for o in ab.origins():
        k = idx.index(o)
        cum = paths_of(np.diff(z[:k + 1]), g)
        out += [ab.pit(float(z[k + h] - z[k]), cum[:, h - 1]) for h in range(1, 5)]
    return out


def _garch_paths(d: np.ndarray, g: np.random.Generator, n: int = 4000) -> np.ndarray:
    """Random walk on the log with a constant drift and GARCH(1,1) shocks (Gaussian ML, Nelder-Mead)."""
    from scipy.optimize import minimize

    e = d - d.mean()

    def unpack(p: np.ndarray) -> tuple[float, float, float]:
        return float(np.exp(p[0])), float(1 / (1 + np.exp(-p[1]))), float(1 / (1 + np.exp(-p[2])))

    def nll(p: np.ndarray) -> float:
        w, a, b = unpack(p)
        if a + b >= 0.999:
            return 1e9
        s2, ll = float(np.var(e)), 0.0
        for x in e:
            ll += 0.5 * (np.log(2 * np.pi * s2) + x * x / s2)
            s2 = w + a * x * x + b * s2
        return ll

    fits = [minimize(nll, [np.log(np.var(e) * (1 - a0 - b0)), np.log(a0 / (1 - a0)), np.log(b0 / (1 - b0))],
                     method="Nelder-Mead", options={"maxiter": 2000}) for a0, b0 in ((0.1, 0.8), (0.2, 0.5), (0.05, 0.9))]
    w, a, b = unpack(min(fits, key=lambda r: r.fun).x)
    s2 = float(np.var(e))
    for x in e:
        s2 = w + a * x * x + b * s2
    s, cum, out = np.full(n, s2), np.zeros(n), []
    for _ in range(4):
        x = g.standard_normal(n) * np.sqrt(s)
        cum = cum + d.mean() + x
        out.append(cum.copy())
        s = w + a * x * x + b * s
    return np.stack(out, axis=1)


def _markov_paths(d: np.ndarray, g: np.random.Generator, n: int = 4000) -> np.ndarray:
    """Two regimes of the quarterly log change, each with its mean and variance (statsmodels ML); paths start
    from the filtered regime probabilities at the origin and follow the fitted transition matrix."""
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = MarkovRegression(d, k_regimes=2, trend="c", switching_variance=True).fit(disp=False)
    names, pv = list(r.model.param_names), np.asarray(r.params)
    mu = np.array([pv[names.index(f"const[{i}]")] for i in range(2)])
    sd = np.sqrt([pv[names.index(f"sigma2[{i}]")] for i in range(2)])
    trans = np.asarray(r.regime_transition)[:, :, 0]  # trans[i, j] = P(regime i | regime j before)
    state = (g.random(n) < np.asarray(r.filtered_marginal_probabilities)[-1][1]).astype(int)
    cum, out = np.zeros(n), []
    for _ in range(4):
        state = (g.random(n) < trans[1, state]).astype(int)
        cum = cum + mu[state] + sd[state] * g.standard_normal(n)
        out.append(cum.copy())
    return np.stack(out, axis=1)


def _decision_variants() -> list[str]:
    """Coverage of the log decisions (Asy_D02) 1-4 quarters past each back-test origin under Gaussian
    local-level variants fitted on every quarter before the origin (statsmodels): does another noise law for
    the throughput cover the 2023 drive? Cheap (no asylum runs); the backlog's coverage follows the decisions'."""
    from scipy.stats import norm
    from scipy.stats import t as student_t
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    from crossings.forecasting.drivers import shock_law

    dec = ab.observed_quarterly()["initial_decisions_people_AsyD02"].dropna().astype(float)
    z = np.log(dec.to_numpy())
    idx = list(dec.index)
    rows = {}
    c_all: list[float] = []  # the recalibration factors of the log decisions, every origin and horizon
    for label, kw, heavy in (("local level (the stochastic rule's)", {"level": "llevel"}, False),
                             ("local level + AR(1) transient", {"level": "llevel", "autoregressive": 1}, False),
                             ("local level, Student-t law fitted to the one-step errors", {"level": "llevel"}, True),
                             ("local linear trend (stochastic level and slope)", {"level": "lltrend"}, False)):
        p_all: list[float] = []
        for o in ab.origins():
            k = idx.index(o)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = UnobservedComponents(z[:k + 1], **kw).fit(disp=False)
            fc = res.get_forecast(4)
            u = (z[k + 1:k + 5] - np.asarray(fc.predicted_mean)) / np.sqrt(np.asarray(fc.var_pred_mean))
            if heavy:
                df, scale = shock_law(np.asarray(res.standardized_forecasts_error[0][1:]))
                p = student_t.cdf(u / scale, df)
            else:
                p = norm.cdf(u)
            p_all += [float(v) for v in p]
        rows[label] = _coverage(p_all)
        if label.startswith("local level (the"):  # the variant that rescales this one's band by past errors
            p_rc: list[float] = []
            for o in ab.origins():
                k = idx.index(o)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fc = UnobservedComponents(z[:k + 1], level="llevel").fit(disp=False).get_forecast(4)
                u = (z[k + 1:k + 5] - np.asarray(fc.predicted_mean)) / np.sqrt(np.asarray(fc.var_pred_mean))
                c = np.asarray(after_rules.widening(tuple(z[:k + 1]), 4))
                c_all += [float(v) for v in c]
                p_rc += [float(v) for v in norm.cdf(u / c)]
            rows["local level, band rescaled by its past errors (stochastic_recalibrated)"] = _coverage(p_rc)
    p_bs: list[float] = []  # the block bootstrap, 400 paths of the rule's own function per origin
    x = np.asarray(dec.to_numpy(), dtype=np.float64)
    for o in ab.origins():
        k = idx.index(o)
        paths = np.array([after_rules.stochastic_paths(x[:k + 1], "flow", 4, "decision_capacity", p)
                          for p in range(1, 401)])
        p_bs += [ab.pit(float(dec.iloc[k + h]), paths[:, h - 1]) for h in range(1, 5)]
    rows["whole past 4-quarter paths (stochastic_paths, 400 paths)"] = _coverage(p_bs)
    rows["clearance share AR(1) x (queue + claims) (backlog_feedback, session 8, 400 paths)"] = _coverage(
        _backlog_decisions_pits())
    rows["the same, the logit share a random walk (backlog_feedback_rw, session 8, 400 paths)"] = _coverage(
        _backlog_decisions_pits(random_walk=True))
    rows["random walk with GARCH(1,1) changes (exploratory)"] = _coverage(_simulated_pits(z, idx, _garch_paths))
    rows["two-regime Markov switching on the changes (exploratory)"] = _coverage(
        _simulated_pits(z, idx, _markov_paths))
    d4 = pd.Series(z[4:] - z[:-4], index=idx[4:])
    rise = d4[[i <= dt.date(2021, 12, 31) for i in d4.index]]
    tab = pd.DataFrame(rows).T
    tab.index.name = "decisions model (fitted on every quarter from 2001 to the origin)"
    return ["### Throughput laws tried (sessions 6 to 8)", "",
            "The backlog's misses follow the decisions' (Asy_D02). Coverage of the log quarterly decisions 1-4 "
            "quarters past the same 20 origins under each law, fitted on every quarter from 2001 to the "
            "origin (this page's script, function _decision_variants; the two variants and the two backlog "
            "rows are the rules' own functions, the backlog rows from the observed queue at the origin and "
            "their own claims path; the GARCH and Markov rows were tried in session 7 and not built as rules, since on these "
            "decisions they cover less than the local level: a random walk whose quarterly changes follow a "
            "GARCH(1,1) variance, and a two-regime Markov-switching mean and variance of the changes "
            "(statsmodels MarkovRegression, its default start values), both fitted by maximum likelihood and simulated with 4,000 paths):",
            "", _md(tab), "",
            "None reaches 0.80: the decisions' multi-quarter moves (the 2014-15 and 2022-23 rises, the 2020 and "
            "2024 falls) are persistent swings, not one-quarter outliers, so heavier one-step tails or a "
            "transient do not widen the 4-quarter band where it is missed, and a stochastic slope carries a swing "
            "on past its turn. Whole past paths (the block bootstrap) cover less still: before 2022 the largest "
            f"4-quarter rise of decisions was {rise.max():+.2f} on the log (to {rise.idxmax()}), the 2023 "
            f"drive's {float(d4[dt.date(2023, 12, 31)]):+.2f} has no precedent in the history, and starting from "
            "the last quarter (not a smoothed level) misses more at one quarter. The local level's own past "
            "errors (2003 to the origin) lie, if anything, inside its band: the recalibration factor on the log "
            f"decisions ranges {min(c_all):.2f}-{max(c_all):.2f} over the origins and horizons (median "
            f"{float(np.median(c_all)):.2f}), so recalibrating on them barely moves the band: the misses are a "
            "change of regime after 2019, not a band too narrow for the history before it. "
            "Conditioning on the Dec 2022 pledge "
            "(a scenario lever) needs a sourced capacity figure published before the origin; "
            "../shared/design/EVIDENCE.md has only the outcome (\"caseworkers roughly tripled\", NAO), which is "
            "data after the origin, so it was not built.", ""]


def _variants_note() -> list[str]:
    """How the stochastic rule's two variants were specified and chosen (stated before their back-test)."""
    return ["### The stochastic rule's variants (session 7) and how the default is chosen", "",
            "Two variants of the stochastic rule, each a standard way to make a band cover what it claims, were "
            "specified with their constants before the back-test below was run (src/crossings/asylum/"
            "after_rules.py; every quantity estimated at the cut from quarters before it):",
            "- `stochastic_paths`: each input's path past the cut is a moving-block bootstrap of its own "
            f"quarterly changes on the log / logit scale (blocks of {after_rules.BLOCK} consecutive quarters from "
            "the history to the cut, re-based on the last observed quarter, not de-trended): a 1-4 quarter "
            "forecast is one whole past path, so the history's persistent swings (the 2014-15 rise of decisions, "
            f"the 2020 fall) appear whole at the horizons where they happened. Fewer than "
            f"{after_rules.MIN_CHANGES} observed changes (other claims from 2018 and dispersed capacity from "
            "2022 Q4 at the early cuts): the local level.",
            "- `stochastic_recalibrated`: the stochastic rule's draws (the same normals), their deviation from "
            "the centre scaled per horizon h by c_h = q90(|u|) / 1.645, where u are the local level's own "
            "standardised errors h quarters ahead from every past origin with at least "
            f"{after_rules.FIRST_PAST} quarters before it whose outcome quarter lies at or before the cut "
            "(split-conformal recalibration on the log / logit scale; it widens or narrows); c_h = 1 with "
            f"fewer than {after_rules.MIN_PAST} such errors (other claims, dispersed capacity). Decisions and "
            "shares have errors from 2003 on, so the factor acts on them at every origin.",
            "- Not recalibrated: the small-boat arrivals driver (asylum_arrivals.py), the same in all three.",
            "",
            "The default stays the declared criterion of this page: the rule with the lowest mean CRPS on "
            "awaiting_decision over these origins. That is a selection on the test origins (as it was for the "
            "four rules before), so the default's scores are optimistic by the choice among "
            f"{len(ab.RULES)} rules; every rule's numbers are shown. The decisions-only coverage of both "
            "variants (the throughput table below) was computed on the same origins before the back-test.", ""]


def _scenario_rule() -> str:
    """The after-data rule scenarios/uk_asylum.yaml names (its destination's `after_data`)."""
    import yaml

    raw = yaml.safe_load((ROOT / "scenarios" / "uk_asylum.yaml").read_text())
    rule = raw["asylum"]["destinations"][ab.DEST]["after_data"]
    return str(rule["rule"] if isinstance(rule, dict) else rule)


def _clearance_fits() -> pd.DataFrame:
    """backlog_feedback's AR(1) on the logit clearance share as fitted at each back-test origin."""
    rows = {}
    for o in ab.origins():
        s = after_backlog.clearance_shares(after_data._quarters(o))
        y = np.log(s.to_numpy() / (1 - s.to_numpy()))
        f = after_backlog.fit_clearance(tuple(float(v) for v in y))
        rows[str(o)] = {"quarters": f.n, "long-run share": 1 / (1 + np.exp(-f.mu)), "phi": f.phi,
                        "se(phi)": f.phi_se, "phi + 2 se": f.phi + 2 * f.phi_se,
                        "sd of the shock (logit)": float(np.sqrt(f.sigma2)), "share at the origin":
                        1 / (1 + np.exp(-f.last)), "gap closed in 4 quarters": 1 - f.phi ** 4}
    x = pd.DataFrame(rows).T
    x.index.name = "origin"
    return x


def _backlog_decisions_pits(n: int = 400, random_walk: bool = False) -> list[float]:
    """PIT of the observed quarterly decisions 1-4 quarters past each origin among n of backlog_feedback's
    decision paths (the rule's own function: the observed queue at the origin, its claims path)."""
    dec = ab.observed_quarterly()["initial_decisions_people_AsyD02"]
    out: list[float] = []
    for o in ab.origins():
        q = after_data._quarters(o)
        days = after_backlog._quarter_days(o, 4)
        paths = np.array([after_backlog.decisions_path(q, 4, p, random_walk) for p in range(1, n + 1)]) * days
        out += [ab.pit(float(dec[ab.quarter_end(o, h)]), paths[:, h - 1]) for h in range(1, 5)]
    return out


@lru_cache(maxsize=1)
def _state_at_origins() -> pd.DataFrame:
    """The model's backlog at each origin (a run from 2018 fed with data to the origin, seed 1) vs Asy_D03:
    is the start of every forecast right? (about 1 s of CPU an origin)"""
    from types import SimpleNamespace

    from crossings.asylum.simulate import load_asylum_scenario, run_asylum

    base, _ = load_asylum_scenario(ab.SCENARIO)
    start = base.start or dt.date(2018, 1, 1)
    obs = ab.observed_quarterly()["people_awaiting_initial_decision_AsyD03"]
    rows = {}
    for o in ab.origins():
        n = (o - start).days + 1
        sea = SimpleNamespace(start=start, n_days=n, routes=["channel"], destination_of_route={"channel": ab.DEST},
                              arrivals={"channel": ab.arrivals_to(o, start, n)})
        out = run_asylum(ab._config(base, o, o, "hold_last_quarter", 1), sea, 1)
        d = out.daily[(out.daily["place"] == ab.DEST) & (out.daily["measure"] == "awaiting_decision")]
        sim = float(d[pd.to_datetime(d["date"]).dt.date == o]["simulated"].iloc[0])
        rows[str(o)] = {"model": sim, "observed": float(obs[o]), "model / observed - 1": sim / float(obs[o]) - 1}
    x = pd.DataFrame(rows).T
    x.index.name = "origin"
    return x


ORACLE_CSV = ROOT / "docs" / "asylum_oracle_decisions.csv"  # scripts/asylum_oracle_decisions.py


def _score_by_horizon(columns: dict[str, tuple[pd.DataFrame, str]]) -> pd.DataFrame:
    """One row per horizon (h=1, ...): each named column the mean of a frame's score column by horizon."""
    by_h = pd.DataFrame({name: f.groupby("horizon")[col].mean() for name, (f, col) in columns.items()})
    by_h.index = [f"h={h}" for h in by_h.index]
    by_h.index.name = "horizon"
    return by_h


def _oracle_note(t: pd.DataFrame) -> list[str]:
    """The default rule with the observed decisions after the origin (a diagnostic oracle), if computed."""
    if not ORACLE_CSV.exists():
        return []
    o = pd.read_csv(ORACLE_CSV)
    d = t[(t["measure"] == "awaiting_decision") & (t["method"] == "stochastic_recalibrated")]
    by_h = _score_by_horizon({"coverage_90 oracle": (o, "in_90"), "coverage_90 stochastic_recalibrated": (d, "in_90"),
                              "coverage_50 oracle": (o, "in_50"), "crps oracle": (o, "crps"),
                              "crps stochastic_recalibrated": (d, "crps")})
    cov = float(o["in_90"].mean())
    verdict = ("so the decision throughput accounts for the band's miss" if cov >= ab.COVERAGE_90[0] else
               "so even with the decisions known the band is too narrow: the claims (small-boat arrivals driver, "
               "other claims) and the shares also move more than their bands allow")
    yr = pd.to_datetime(o["origin"]).dt.year
    h1 = o[o["horizon"] == 1]
    q = ab.observed_quarterly()
    aw, cl, dc = (q[c] for c in ("people_awaiting_initial_decision_AsyD03", "asylum_claims_people_AsyD01",
                                 "initial_decisions_people_AsyD02"))
    resid = (aw - (aw.shift(1) + cl - dc)).dropna()
    resid = resid[[i.year >= 2018 for i in resid.index]]
    h1_note = (f"At one quarter the oracle's band misses as often as the default's: its median lies "
               f"{abs(float((h1['median'] - h1['observed']).mean())):,.0f} people "
               f"{'below' if (h1['median'] - h1['observed']).mean() < 0 else 'above'} the observed backlog on "
               f"average (half-width of its 90% band: median {float(((h1['p95'] - h1['p05']) / 2).median()):,.0f}), "
               "and the published series do not add up exactly: A_q - (A_{q-1} + C_q - D_q) has an sd of "
               f"{float(resid.std()):,.0f} people a quarter 2018-2024 (Asy_D03, D01, D02), a noise no rule "
               "carries.")
    return ["What the throughput explains (a diagnostic, never a forecast: it uses data after the origin): the "
            "default rule's members with the OBSERVED decisions after each origin, everything else drawn as "
            "before (scripts/asylum_oracle_decisions.py --jobs 2 --members 20, docs/asylum_oracle_decisions.csv): "
            f"coverage_90 {cov:.2f}, coverage_50 {o['in_50'].mean():.2f}, CRPS {o['crps'].mean():,.0f} (the "
            f"default: {d['in_90'].mean():.2f}, {d['in_50'].mean():.2f}, {d['crps'].mean():,.0f}); origins "
            f"2019-2022 {o[yr <= 2022]['in_90'].mean():.2f}, 2023 {o[yr == 2023]['in_90'].mean():.2f}; {verdict}.",
            "", _md(by_h), "", h1_note, ""]


def _backlog_note(t: pd.DataFrame) -> list[str]:
    """The backlog_feedback rule (session 8): its pre-stated specification, its fits and its scores."""
    aw = ab.summarise(t, "awaiting_decision")
    fits = _clearance_fits()
    near_one = int((fits["phi + 2 se"] >= 1).sum())
    out = ["### Decisions that respond to the backlog: `backlog_feedback` (session 8)", "",
           "Every rule above carries the decision throughput as a process of its own. `backlog_feedback` "
           "(src/crossings/asylum/after_backlog.py) carries the share of the quarter's workload that is decided "
           "and lets the decisions follow the queue. Specified, with its constant, in the module's docstring "
           "and committed (1864a11) before its back-test was run; but the test origins had been looked at by "
           "every earlier rule and the 2023 clearance drive's miss was known when it was chosen, so its scores "
           "are not a clean out-of-sample test:",
           "- clearance share s_q = D_q / (A_{q-1} + C_q): initial decisions (Asy_D02) over the queue at the "
           "start of the quarter (Asy_D03 at the end of the one before) plus the quarter's claims (Asy_D01); in "
           "(0, 1), so the queue cannot go below 0 (in the data A_q = A_{q-1} + C_q - D_q holds to a few "
           "percent: 2023 Q4 165,411 + 22,478 - 59,086 = 128,803 vs 128,786);",
           "- logit(s_q) a stationary AR(1) with its own mean (mu, phi, shock variance by exact Gaussian maximum "
           "likelihood, statsmodels SARIMAX(1,0,0) with a constant) on every quarter from 2010 Q3 (Asy_D03 starts "
           f"2010 Q2) to the origin; at least {after_backlog.MIN_QUARTERS} shares, else the decisions follow "
           "stochastic_recalibrated; parameters plugged in (their uncertainty not drawn);",
           "- claims past the origin: the local level on the log quarterly claims (2001 to the origin); the "
           "queue starts at the observed Asy_D03 at the origin: W_h = A_{h-1} + C_h, D_h = s_h W_h, "
           "A_h = W_h - D_h; D_h per day is the model's decision capacity;",
           "- the other inputs (grant and withdrawal shares, other claims, dispersed capacity) as "
           "stochastic_recalibrated, the default before it, so the two differ only in the throughput law;",
           "- `backlog_feedback_rw`, added AFTER backlog_feedback's back-test had been scored (so chosen with its "
           "numbers known): the same with the logit share a driftless random walk (phi = 1; shock sd the root "
           "mean squared quarterly change, its maximum likelihood), the reading the stationarity check below "
           "allows; the same normals (common random numbers);",
           f"- `{ab.MIXTURE}`: an equal-weight combination (weights 1/2 stated before scoring) of "
           f"{' and '.join(ab.MIXED)}: their {2 * 20} members pooled; scored, not a rule a scenario can name;",
           "- the default changes to backlog_feedback only if its mean CRPS is the lowest AND its coverage_90 "
           f"lies in {ab.COVERAGE_90[0]:.2f}-{ab.COVERAGE_90[1]:.2f} (stated before scoring).", ""]
    for r in (*SESSION8, ab.MIXTURE):
        if r in aw.index:
            st = aw.loc[r]
            out.append(f"Measured, `{r}`: CRPS {st['crps']:,.0f} (hold_last_observed "
                       f"{float(np.asarray(aw.loc[ab.BASELINE, 'crps'], dtype=float)):,.0f}, stochastic_recalibrated "
                       f"{float(np.asarray(aw.loc['stochastic_recalibrated', 'crps'], dtype=float)):,.0f}), coverage_90 {st['coverage_90']:.2f}, "
                       f"coverage_50 {st['coverage_50']:.2f}.")
    out += ["", "The AR(1) as fitted at each origin (shares on the natural scale; 'gap closed in 4 quarters' = "
            "1 - phi^4, the share of the distance to the long-run mean the median path closes in a year):", "",
            _md(fits), "",
            f"Stationarity, honestly: phi lies between {fits['phi'].min():.2f} and {fits['phi'].max():.2f}, and "
            f"phi + 2 se reaches 1 at {near_one} of {len(fits)} origins: the data from 2010 cannot tell this "
            "AR(1) from a random walk on the logit share. Its mean reversion is slow (the median path closes "
            f"{fits['gap closed in 4 quarters'].min():.0%}-{fits['gap closed in 4 quarters'].max():.0%} of the "
            "gap in a year), so over 1-4 quarters the rule behaves mostly as a random walk in the clearance "
            "share: what it adds is that decisions scale with the queue (a growing queue brings more decisions "
            "at the same share).", ""]
    return out + _backlog_misses(t)


def _backlog_misses(t: pd.DataFrame) -> list[str]:
    """Where backlog_feedback gains and where its band misses (awaiting_decision), from the table."""
    a = t[t["measure"] == "awaiting_decision"].copy()
    a["year"] = pd.to_datetime(a["origin"]).dt.year
    fb, rc = a[a["method"] == "backlog_feedback"], a[a["method"] == "stochastic_recalibrated"]
    if fb.empty or rc.empty:
        return []
    early, late = fb[fb["year"] <= 2021], fb[fb["year"] >= 2022]
    err = float((early["median"] - early["observed"]).mean())
    shares = after_backlog.clearance_shares(after_data._quarters(dt.date(2022, 12, 31)))
    s19, s22 = float(shares[pd.Timestamp("2019-03-31")]), float(shares[pd.Timestamp("2022-12-31")])
    return [f"Where it gains and where it misses: its CRPS is lower than stochastic_recalibrated's at the 2022-2023 "
            f"origins ({late['crps'].mean():,.0f} vs {rc[rc['year'] >= 2022]['crps'].mean():,.0f} people), where "
            "decisions did follow the queue, and higher at the 2019-2021 origins "
            f"({early['crps'].mean():,.0f} vs {rc[rc['year'] <= 2021]['crps'].mean():,.0f}); its band covers "
            f"less there (coverage_90 {early['in_90'].mean():.2f} at the 2019-2021 origins, mean PIT "
            f"{early['pit'].mean():.2f}, the median {abs(err):,.0f} people {'below' if err < 0 else 'above'} the "
            "observed on average). From 2019 to 2022 the "
            f"clearance share kept falling ({s19:.3f} in 2019 Q1, {s22:.3f} in 2022 Q4) while the queue grew: "
            "decisions did not follow the queue, and the rule, which keeps the share at the origin (and, as an "
            "AR(1), pulls it back toward its 2010-origin mean), decides more than was decided, so its backlog is "
            "too low. The 2023 drive stays outside its band from the origins 2022-12-31 to 2023-06-30.", ""]


# the invocations of session 9 (measured: the first one's CSV written 1,768 s after its start; /usr/bin/time)
STORE_NOTE = ("recalibrated_identity's and backlog_rw_identity's 800 runs took 1,768 s in the invocation before "
              "(2 jobs at nice 10 on the shared 2-core machine; 672 s user + 6 s system CPU in all), this one "
              "queue_feedback_identity's 400")
# session 10 (/usr/bin/time -v of each invocation, --store /tmp/h32_store, a copy of session 9's store)
STORE_NOTE_11 = ("members 21-100 of nine stochastic rules (14,400 runs; mix_identity's taken from its two rules' "
                 "runs) and the deterministic rules' 60 took 83 min wall in the invocations before (one per rule, "
                 "--rules, 13:53:40 to 15:16:55 UTC; 2 jobs at nice 10 on the 2-core machine, shared with this "
                 "session's tests), this one only wrote the page")
STORE_NOTE_10 = ("mix_identity's 400 runs took 982 s wall in the invocation before (started 11:10:45, its last "
                 "origin stored 11:27:07; 2 jobs at nice 10 on the shared, heavily loaded 2-core machine; the "
                 "whole invocation with the page 1,662 s wall, 534 s user + 4 s system CPU), this one "
                 "bootstrap_identity's 400; every one of mix_identity's 400 runs equals, in all three measures, "
                 "the stored run of the member its path picks (checked from the store)")
ORACLE_IDENTITY_CSV = ROOT / "docs" / "asylum_oracle_identity.csv"  # asylum_oracle_decisions.py --rule ...


def _identity_residuals() -> pd.DataFrame:
    """The stock-flow identity's residual r_q = A_q - (A_{q-1} + C_q - D_q) of every published quarter."""
    return after_identity.residuals(after_data._quarters())


def _coverage_pit_by_origin(a: pd.DataFrame, methods: tuple[str, ...]) -> pd.DataFrame:
    """Per origin, each method's coverage_90 and mean PIT (methods absent from `a` left out)."""
    cols: dict[str, pd.Series] = {}
    for m in methods:
        v = a[a["method"] == m]
        if v.empty:
            continue
        g = v.groupby("origin")
        cols |= {f"coverage_90 {m}": g["in_90"].mean(), f"mean PIT {m}": g["pit"].mean()}
    y = pd.DataFrame(cols)
    y.index.name = "origin"
    return y


def _identity_note(t: pd.DataFrame) -> list[str]:
    """The session 9 rules: the identity's residual in every draw, decisions from the model's own queue."""
    aw = ab.summarise(t, "awaiting_decision")
    if not any(r in aw.index for r in SESSION9):
        return []
    res = _identity_residuals()
    r = res["r"]
    yr = pd.DatetimeIndex(r.index).year
    ac = float(np.corrcoef(r.to_numpy()[:-1], r.to_numpy()[1:])[0, 1])
    rel = r / res["prev"]
    base = float(np.asarray(aw.loc[ab.BASELINE, "crps"], dtype=float))
    rc = float(np.asarray(aw.loc["stochastic_recalibrated", "crps"], dtype=float))
    out = ["### The stock-flow identity in every draw, and decisions from the model's own queue (session 9)", "",
           "The oracle with the observed decisions (below, 'What the throughput explains') still missed at one "
           "quarter, and the published series do not add up. Three rules, each specified in its module's docstring and committed before its back-test "
           "was run (after_identity.py: cb2d205; after_queue.py: 6950c33); the test origins had been looked at "
           "by every earlier rule, and queue_feedback_identity was chosen with session 8's backlog rules' "
           "scores known, so none of these is a clean out-of-sample test:",
           f"- the identity's residual r_q = A_q - (A_{{q-1}} + C_q - D_q) (Asy_D03, D01, D02): sd "
           f"{float(r[yr < 2018].std()):,.0f} people a quarter 2010-2017, {float(r[yr >= 2018].std()):,.0f} "
           f"2018-2024; relative to the queue at the quarter's start sd {float(rel.std()):.3f}; lag-1 "
           f"autocorrelation {ac:+.2f} (weak: drawn iid). The model follows the identity, so fed with the "
           "observed flows its queue at a cut lies below the published one by the sum of the residuals since "
           "its start (the start table below);",
           "- `recalibrated_identity`: stochastic_recalibrated's inputs plus, as other claims, (a) that sum of "
           "residuals from the run's start to the origin in the first quarter after it, so the queue starts at "
           "the published one, and (b) in each quarter after the origin a residual drawn by bootstrap from the "
           "past relative residuals r_q / A_{q-1} (2010 Q3 to the origin, at least "
           f"{after_identity.MIN_QUARTERS}) times the published queue at the origin; a day's other claims "
           "floored at 0 (src/crossings/asylum/after_identity.py);",
           "- `backlog_rw_identity`: backlog_feedback_rw's inputs plus the same identity terms;",
           "- `queue_feedback_identity` (the feedback inside the simulation, src/crossings/asylum/after_queue.py): "
           "after the origin the queue kernel decides, each day, a share d_h of the people then awaiting a "
           "decision (process.P_DEC_SHARE, a new option of the kernel; numba and numpy reference tested equal), "
           "so the queue's band and the decisions' respond to each other draw by draw; d_q = D_q / (days x the "
           "mean of the published queue at the quarter's start and end), log d a driftless random walk from the "
           "origin's quarter (sd the root mean squared past change, 2010 Q3 to the origin, at least "
           f"{after_queue.MIN_QUARTERS} quarters), drawn with backlog_feedback_rw's normals; the other inputs "
           "as recalibrated_identity;",
           f"- `{ab.MIXTURE_IDENTITY}` (called mix_identity on the session-9 page; since session 10 that name is "
           "a rule, below): an equal-weight combination (weights 1/2, stated before scoring) of "
           f"{' and '.join(ab.MIXED_IDENTITY)}: their members pooled; scored, not a rule a scenario can name;",
           "- the default changes to one of them only if its mean CRPS is the lowest of the rules AND its "
           f"coverage_90 lies in {ab.COVERAGE_90[0]:.2f}-{ab.COVERAGE_90[1]:.2f} (stated before scoring).", ""]
    a = t[t["measure"] == "awaiting_decision"].copy()
    a["year"] = pd.to_datetime(a["origin"]).dt.year
    rows = {}
    for m in ("stochastic_recalibrated", "backlog_feedback_rw", *SESSION9, ab.MIXTURE_IDENTITY):
        v = a[a["method"] == m]
        if v.empty:
            continue
        rows[m] = {"crps": v["crps"].mean(), "coverage_90": v["in_90"].mean(), "coverage_50": v["in_50"].mean(),
                   "coverage_90 h=1": v[v["horizon"] == 1]["in_90"].mean(),
                   "coverage_90 origins 2019-2022": v[v["year"] <= 2022]["in_90"].mean(),
                   "coverage_90 origins 2023": v[v["year"] == 2023]["in_90"].mean(),
                   "mean PIT": v["pit"].mean()}
    x = pd.DataFrame(rows).T
    x.index.name = "method"
    out += [f"Measured (hold_last_observed CRPS {base:,.0f}; stochastic_recalibrated {rc:,.0f}), awaiting_decision:",
            "", _md(x), ""]
    need = ("stochastic_recalibrated", "backlog_feedback_rw", *SESSION9)
    if all(m in x.index for m in need):
        c = x.loc[list(need)].astype(float)

        def val(m: str, k: str) -> float:
            return float(np.asarray(c.loc[m, k], dtype=float))

        def width(m: str) -> float:  # median width of the 90% band at h=4
            v = a[(a["method"] == m) & (a["horizon"] == 4)]
            return float((v["p95"] - v["p05"]).median())

        def early_pit(m: str) -> float:  # mean PIT at the 2019-2021 origins
            return float(a[(a["method"] == m) & (a["year"] <= 2021)]["pit"].mean())

        best9 = str(c.loc[list(SESSION9), "crps"].idxmin())
        out += ["Reading: carrying the identity with the same normals (recalibrated_identity vs "
                f"stochastic_recalibrated) moves coverage_90 from {val('stochastic_recalibrated', 'coverage_90'):.2f} "
                f"to {val('recalibrated_identity', 'coverage_90'):.2f} (h=1 "
                f"{val('stochastic_recalibrated', 'coverage_90 h=1'):.2f} to "
                f"{val('recalibrated_identity', 'coverage_90 h=1'):.2f}; origins 2019-2022 "
                f"{val('stochastic_recalibrated', 'coverage_90 origins 2019-2022'):.2f} to "
                f"{val('recalibrated_identity', 'coverage_90 origins 2019-2022'):.2f}) at a CRPS of "
                f"{val('recalibrated_identity', 'crps'):,.0f} vs {val('stochastic_recalibrated', 'crps'):,.0f}; "
                "on backlog_feedback_rw it moves coverage_90 from "
                f"{val('backlog_feedback_rw', 'coverage_90'):.2f} to {val('backlog_rw_identity', 'coverage_90'):.2f}"
                f" and CRPS from {val('backlog_feedback_rw', 'crps'):,.0f} to "
                f"{val('backlog_rw_identity', 'crps'):,.0f}. The lowest CRPS of the three is {best9}'s "
                f"({val(best9, 'crps'):,.0f}, coverage_90 {val(best9, 'coverage_90'):.2f}). The 2023 origins stay "
                f"outside every band (coverage_90 {val('recalibrated_identity', 'coverage_90 origins 2023'):.2f} "
                "for recalibrated_identity): the clearance drive is a miss of the decisions, which the identity does "
                "not carry (with the decisions known the oracle below covers them). Letting the decisions follow the "
                "model's own queue (queue_feedback_identity) narrows the band rather than widening it (median "
                f"width of the 90% band at h=4: {width('queue_feedback_identity'):,.0f} people vs "
                f"{width('backlog_rw_identity'):,.0f} for backlog_rw_identity): a draw with a larger queue also "
                "decides more, so the queue's spread shrinks; and at the 2019-2021 origins, where the decision rate "
                "kept falling while the queue grew, its median stays too low (mean PIT "
                f"{early_pit('queue_feedback_identity'):.2f} there). No rule's coverage_90 reaches "
                f"{ab.COVERAGE_90[0]:.2f}, so by the rule stated before scoring the default does not change.", ""]
    y = _coverage_pit_by_origin(a, (*SESSION9, ab.MIXTURE_IDENTITY))
    state = _state_at_origins()
    gaps = {str(o): after_identity.start_gap(after_data._quarters(o), dt.date(2018, 1, 1)) for o in ab.origins()}
    st = pd.DataFrame({"published minus identity queue (start gap)": pd.Series(gaps),
                       "model minus published (seed 1)": state["model"] - state["observed"]})
    st.index.name = "origin"
    out += ["Per origin (4 forecasts each):", "", _md(y), "",
            "Where the forecasts start: the start gap the identity rules add in the first quarter, and the "
            "model's own error at the origin (a run fed with the data to it, seed 1): the model's error is close "
            "to minus the gap, the residuals summed since 2018:", "", _md(st), ""]
    if ORACLE_IDENTITY_CSV.exists() and ORACLE_CSV.exists():
        oi, o = pd.read_csv(ORACLE_IDENTITY_CSV), pd.read_csv(ORACLE_CSV)
        by_h = _score_by_horizon({"coverage_90 oracle + identity": (oi, "in_90"), "coverage_90 oracle": (o, "in_90"),
                                  "coverage_50 oracle + identity": (oi, "in_50"), "crps oracle + identity": (oi, "crps"),
                                  "crps oracle": (o, "crps")})
        oyr = pd.to_datetime(oi["origin"]).dt.year
        out += ["What a decision rule can reach with the identity carried (a diagnostic, never a forecast): "
                "recalibrated_identity's members with the OBSERVED decisions after each origin "
                "(scripts/asylum_oracle_decisions.py --rule recalibrated_identity --csv "
                "docs/asylum_oracle_identity.csv --jobs 2 --members 20): coverage_90 "
                f"{oi['in_90'].mean():.2f}, coverage_50 {oi['in_50'].mean():.2f}, CRPS {oi['crps'].mean():,.0f} "
                f"(the oracle without the identity: {o['in_90'].mean():.2f}, {o['in_50'].mean():.2f}, "
                f"{o['crps'].mean():,.0f}); origins 2019-2022 {oi[oyr <= 2022]['in_90'].mean():.2f}, 2023 "
                f"{oi[oyr == 2023]['in_90'].mean():.2f}.", "", _md(by_h), ""]
    return out


def _session10_note(t: pd.DataFrame) -> list[str]:
    """The session 10 rules: the identity pool as a nameable rule, decisions from their own past moves."""
    aw = ab.summarise(t, "awaiting_decision")
    if not any(r in aw.index for r in SESSION10):
        return []
    base = float(np.asarray(aw.loc[ab.BASELINE, "crps"], dtype=float))
    default = "stochastic_recalibrated"  # the default when session 10 wrote this note (20-member table)
    dflt = float(np.asarray(aw.loc[default, "crps"], dtype=float))
    hist = after_data.flow_history(after_data.DECISIONS, dt.date(2022, 12, 31)).to_numpy()
    d = np.diff(np.log(hist))
    picks = [after_mix.pick(k) for k in range(1, 21)]
    out = ["### A nameable mixture, and decisions from their own past moves (session 10)", "",
           "Two rules, each specified in its module's docstring and committed before its back-test was run "
           "(after_mix.py: 7419412; after_bootstrap.py: 73e6a4b); both were chosen with session 9's scores known "
           "(mix_identity is the pool above made a rule; bootstrap_identity aims at the 2023 miss, known), and "
           "the test origins had been looked at by every earlier rule, so neither is a clean out-of-sample test:",
           f"- `{after_mix.RULE}` (src/crossings/asylum/after_mix.py): each run carries every input by ONE of "
           f"{' / '.join(after_mix.MEMBERS)}, picked with equal chance by its driver path (the scenario's `path`, "
           "else the run's seed) through the declared stream asylum.after_mix (core/rng.py STREAM_IDS), "
           "stratified in pairs (paths 2j-1 and 2j carry different members, which one which by the stream's "
           "uniform for j), so the back-test's members 1-20 split "
           f"{picks.count(after_mix.MEMBERS[0])}/{picks.count(after_mix.MEMBERS[1])}; the picked rule runs "
           "unchanged with that path, so member k IS that rule's member k (tested, tests/test_asylum_after_mix.py); "
           "the pool of session 9 had both rules' 20 members (40), this rule 20;",
           f"- `{after_bootstrap.RULE}` (src/crossings/asylum/after_bootstrap.py): recalibrated_identity with the "
           "decision throughput past the origin a driftless random walk from the last observed quarter's daily "
           "rate whose quarterly log steps are drawn iid from the throughput's own past quarterly log changes "
           f"(Asy_D02, 2001 to the origin, centred; at least {after_bootstrap.MIN_CHANGES}), so past collapses "
           "and surges are in the band as often as they happened (to 2022 Q4: "
           f"{len(d)} changes, sd {float(d.std()):.2f}, from {float(d.min()):+.2f} to {float(d.max()):+.2f}); "
           "every other input and the identity's terms as recalibrated_identity (common random numbers);",
           "- the default changes to one of them only if its mean CRPS is below the default's "
           f"({default}) AND its coverage_90 lies in {ab.COVERAGE_90[0]:.2f}-{ab.COVERAGE_90[1]:.2f} (stated "
           "before scoring; the session-8 rule).", ""]
    a = t[t["measure"] == "awaiting_decision"].copy()
    a["year"] = pd.to_datetime(a["origin"]).dt.year
    rows = {}
    for m in (default, *ab.MIXED_IDENTITY, ab.MIXTURE_IDENTITY, *SESSION10):
        v = a[a["method"] == m]
        if v.empty:
            continue
        rows[m] = {"crps": v["crps"].mean(), "coverage_90": v["in_90"].mean(), "coverage_50": v["in_50"].mean(),
                   "coverage_90 h=1": v[v["horizon"] == 1]["in_90"].mean(),
                   "coverage_90 h=4": v[v["horizon"] == 4]["in_90"].mean(),
                   "coverage_90 origins 2019-2022": v[v["year"] <= 2022]["in_90"].mean(),
                   "coverage_90 origins 2023": v[v["year"] == 2023]["in_90"].mean(),
                   "mean PIT": v["pit"].mean()}
    x = pd.DataFrame(rows).T
    x.index.name = "method"
    verdicts = []
    for m in SESSION10:
        if m not in x.index:
            continue
        crps, cov = (float(np.asarray(x.loc[m, k], dtype=float)) for k in ("crps", "coverage_90"))
        better, in_range = crps < dflt, ab.COVERAGE_90[0] <= cov <= ab.COVERAGE_90[1]
        verdicts.append(f"- `{m}`: CRPS {crps:,.0f} vs the default's {dflt:,.0f} "
                        f"(**{'lower' if better else 'not lower'}**), coverage_90 {cov:.2f} "
                        f"(**{'in range' if in_range else 'not in range'}**): the default "
                        f"**{'may change' if better and in_range else 'does not change'}** to it.")
    out += [f"Measured (hold_last_observed CRPS {base:,.0f}), awaiting_decision:", "", _md(x), "", *verdicts, ""]
    y = _coverage_pit_by_origin(a, (ab.MIXTURE_IDENTITY, *SESSION10))
    out += ["Per origin (4 forecasts each):", "", _md(y), ""]
    if all(m in x.index for m in (*SESSION10, "recalibrated_identity")):
        def val(m: str, k: str) -> float:
            return float(np.asarray(x.loc[m, k], dtype=float))

        v = a[a["method"] == after_mix.RULE]
        gen = np.random.default_rng(2)  # a page figure (the bootstrap's 4-quarter sums), not a model run
        c = after_bootstrap.changes(hist)
        s4 = c[gen.integers(0, len(c), (100_000, 4))].sum(axis=1)
        full = after_data.flow_history(after_data.DECISIONS)
        drive = float(np.log(full[pd.Timestamp("2023-12-31")] / full[pd.Timestamp("2022-12-31")]))
        out += ["Reading (written after the scores above were read): the nameable mixture scores as the pool did "
                f"(coverage_90 {val(after_mix.RULE, 'coverage_90'):.2f}: {int(v['in_90'].sum())} of {len(v)} "
                f"forecasts inside the 90% band, one short of {ab.COVERAGE_90[0]:.2f}; CRPS "
                f"{val(after_mix.RULE, 'crps'):,.0f} vs the pool's {val(ab.MIXTURE_IDENTITY, 'crps'):,.0f} and the "
                f"default's {dflt:,.0f}): its misses fall where the pool's do (per origin above), at the 2023 origins "
                f"(coverage_90 {val(after_mix.RULE, 'coverage_90 origins 2023'):.2f}), 2022-12-31 and the 2020 "
                "origins. So by the rule stated before scoring the default does not change; mix_identity has a "
                "lower CRPS than the default and recalibrated_identity's coverage_90 (a lower coverage_50), and a "
                "scenario can now name it. bootstrap_identity "
                f"covers less than recalibrated_identity ({val(after_bootstrap.RULE, 'coverage_90'):.2f} vs "
                f"{val('recalibrated_identity', 'coverage_90'):.2f}; 2023 origins "
                f"{val(after_bootstrap.RULE, 'coverage_90 origins 2023'):.2f}; h=1 "
                f"{val(after_bootstrap.RULE, 'coverage_90 h=1'):.2f}): starting from the last observed quarter "
                "(not the local level's smoothed level) it misses more at one quarter, as the block bootstrap did, "
                "and its 4-quarter band does not reach the drive: at the 2022-12-31 origin the 95th percentile of "
                f"its 4-quarter log change of decisions is {float(np.quantile(s4, 0.95)):+.2f} (99.9th "
                f"{float(np.quantile(s4, 0.999)):+.2f}) against the observed {drive:+.2f} (2022 Q4 to 2023 Q4): "
                "no sum of four past quarterly moves reaches it, because the largest single past rise "
                f"({float(np.diff(np.log(hist)).max()):+.2f}) is under a third of it. The 2023 miss is a change "
                "of regime that no rule estimated from the quarters before it carries.", ""]
    return out


def _per_origin_backlog(t: pd.DataFrame) -> list[str]:
    """Per origin coverage and error of backlog_feedback and the mixture (awaiting_decision)."""
    cols: dict[str, pd.Series] = {}
    for r in (*SESSION8, ab.MIXTURE):
        v = t[(t["measure"] == "awaiting_decision") & (t["method"] == r)].copy()
        if v.empty:
            continue
        v["error"] = v["median"] - v["observed"]
        g = v.groupby("origin")
        cols |= {f"coverage_90 {r}": g["in_90"].mean(), f"coverage_50 {r}": g["in_50"].mean(),
                 f"mean PIT {r}": g["pit"].mean(), f"mean error of the median {r}": g["error"].mean()}
    if not cols:
        return []
    x = pd.DataFrame(cols)
    x.index.name = "origin"
    return ["Per origin, backlog_feedback and the mixture:", "", _md(x), ""]


def expected_coverage(level: float, n: int) -> float:
    """Expected coverage of the central `level` band of n exchangeable draws (np.quantile's linear rule) for a
    new value from the same distribution: the band runs from order statistic 1 + (1 - level)/2 (n - 1) to
    1 + (1 + level)/2 (n - 1), and F(X_(k)) is Beta(k, n + 1 - k) with mean k / (n + 1), so level (n-1)/(n+1)."""
    return level * (n - 1) / (n + 1)


def _session11_note(t: pd.DataFrame, t20: pd.DataFrame | None) -> list[str]:
    """The ensemble's size: the same rules with 20 and with more members per origin."""
    n = int(t[t["method"].isin(ab.STOCHASTIC)]["members"].max())
    if t20 is None or n <= 20:
        return []
    a, b = ab.summarise(t20), ab.summarise(t)
    rows = {}
    for r in (*ab.STOCHASTIC, *ab.MIXTURES):
        if r in a.index and r in b.index:
            rows[r] = {"crps 20": a.loc[r, "crps"], f"crps {n}": b.loc[r, "crps"],
                       "coverage_90 20": a.loc[r, "coverage_90"], f"coverage_90 {n}": b.loc[r, "coverage_90"],
                       "coverage_50 20": a.loc[r, "coverage_50"], f"coverage_50 {n}": b.loc[r, "coverage_50"]}
    x = pd.DataFrame(rows).T
    x.index.name = "method"
    return ["### The ensemble's size (session 11)", "",
            "Sessions 7-10 scored every stochastic rule with 20 members per origin (docs/asylum_backtest_m20.csv; "
            "the session notes above read that table). A band of n members is narrower than the band of the "
            "distribution it samples: its p05 and p95 (np.quantile's linear rule, analysis/scoring.py) are order "
            "statistics 1 + 0.05 (n - 1) and 1 + 0.95 (n - 1), and a new value from the same distribution falls "
            "between order statistics i and j with chance (j - i) / (n + 1), so a perfectly calibrated ensemble "
            f"of 20 covers {expected_coverage(0.9, 20):.3f} with its 90% band and {expected_coverage(0.5, 20):.3f} "
            f"with its 50% band, not 0.90 and 0.50; of {n}: {expected_coverage(0.9, n):.3f} and "
            f"{expected_coverage(0.5, n):.3f}; `crossings forecast scenarios/uk_asylum.yaml` writes its bands "
            f"from 1,000 draws by default ({expected_coverage(0.9, 1000):.3f}). So the 20-member back-test scored "
            "a narrower band than the forecast writes. Stated before the larger runs were read (13:53 UTC, 3 Dec; "
            "this session's notes): rerun with "
            f"{n} members per origin (members 21-{n} added to the 20 stored: member k is seed k and path k "
            "whatever the ensemble's size), the scoring unchanged (linear quantiles), the default's criterion "
            "unchanged (lowest CRPS; a rule of the conditioned list only with coverage_90 in "
            f"{ab.COVERAGE_90[0]:.2f}-{ab.COVERAGE_90[1]:.2f}). The finding came after sessions 7-10's scores were "
            "known, and it favours every rule alike; the must-show above and the tables below are the "
            f"{n}-member back-test.", "",
            f"Per rule, 20 vs {n} members (awaiting_decision, 20 origins x 4 horizons):", "", _md(x), "",
            *_session11_reading(t)]


def _session11_reading(t: pd.DataFrame) -> list[str]:
    """What the larger back-test changes: the default by the stated rule, and where its band still misses."""
    def v(df: pd.DataFrame, r: str, k: str) -> float:  # one cell as a float
        return float(np.asarray(df.loc[r, k], dtype=float))

    best, aw = ab.best_rule(t), ab.summarise(t)
    ok = [str(r) for r in aw.index if r in ab.RULES and r != best and ab.COVERAGE_90[0] <= v(aw, r, 'coverage_90')
          <= ab.COVERAGE_90[1]]
    a = t[(t["measure"] == "awaiting_decision") & (t["method"] == best)]
    early = a[pd.to_datetime(a["origin"]).dt.year <= 2022]
    late = a[pd.to_datetime(a["origin"]).dt.year == 2023]
    h = ab.summarise(t, "in_hotels") if (t["measure"] == "in_hotels").any() else None
    close = ", ".join(f"{r} {v(aw, r, 'crps'):,.0f} (coverage_90 {v(aw, r, 'coverage_90'):.2f}, coverage_50 "
                      f"{v(aw, r, 'coverage_50'):.2f})" for r in ok[:3])
    out = [f"Reading (written after the scores above were read): by the rule stated before scoring the default "
           f"becomes **{best}** (CRPS {v(aw, best, 'crps'):,.0f}, coverage_90 {v(aw, best, 'coverage_90'):.2f} "
           f"= {int(a['in_90'].sum())} of {len(a)} forecasts, coverage_50 {v(aw, best, 'coverage_50'):.2f}); the "
           f"next rules in range are close: {close}, so the ranking among them is within the noise of 80 "
           "forecasts and the stated rule, not the data, decides it. The default's 50% band is too narrow (mean "
           f"PIT {a['pit'].mean():.2f}: the backlog came out above its median more often than below). By origin: "
           f"2019-2022 coverage_90 {early['in_90'].mean():.2f} ({len(early)} forecasts), 2023 "
           f"{late['in_90'].mean():.2f} ({len(late)}): the 2023 clearance drive is still outside most bands; the "
           "must-show holds on average over the origins, not at the regime change."]
    if h is not None and best in h.index:
        out += [f"in_hotels ({int(v(h, best, 'forecasts'))} forecasts, origins 2022-12-31 on): the default's "
                f"coverage_90 {v(h, best, 'coverage_90'):.2f}, CRPS {v(h, best, 'crps'):,.0f} vs holding the last "
                f"value {v(h, ab.BASELINE, 'crps'):,.0f}: its hotel band is too narrow and no better than the "
                "last count (not a must-show; said here so that no one reads the backlog's coverage as the "
                "hotels')." if v(h, best, 'crps') >= v(h, ab.BASELINE, 'crps') else
                f"in_hotels: the default's coverage_90 {v(h, best, 'coverage_90'):.2f}, CRPS "
                f"{v(h, best, 'crps'):,.0f} vs holding the last value {v(h, ab.BASELINE, 'crps'):,.0f}."]
    return [*out, ""]


def page(t: pd.DataFrame, command: str, seconds: float | None, t20: pd.DataFrame | None = None) -> str:
    aw = ab.summarise(t, "awaiting_decision")
    best = ab.best_rule(t)
    best_crps = float(np.asarray(aw.loc[best, "crps"], dtype=float))  # one cell as a float
    stoch = [r for r in (*ab.STOCHASTIC, *ab.MIXTURES) if r in aw.index]  # methods with a band
    base = float(np.asarray(aw.loc[ab.BASELINE, "crps"], dtype=float))
    origins = sorted(t["origin"].unique())
    n_members = int(t[(t["method"].isin(ab.STOCHASTIC))]["members"].max())
    hist = t20 if t20 is not None else t  # the session notes' readings were written on the 20-member table
    must = []
    for r in stoch:
        st = aw.loc[r]
        cov_ok = 0.80 <= float(np.asarray(st["coverage_90"], dtype=float)) <= 0.97
        crps_ok = float(np.asarray(st["crps"], dtype=float)) < base
        must.append(f"  - `{r}`{' (the default)' if r == best else ''}: coverage_90 "
                    f"**{'holds' if cov_ok else 'does not hold'}** (coverage_90 = {st['coverage_90']:.2f}; "
                    f"coverage_50 = {st['coverage_50']:.2f}); CRPS below hold_last_observed "
                    f"**{'holds' if crps_ok else 'does not hold'}** ({st['crps']:,.0f} vs {base:,.0f} people).")
    cover = pd.DataFrame({f"{c} {r}": _per_horizon(t, "awaiting_decision", f"in_{c[-2:]}").loc[r]
                          for r in stoch for c in ("coverage_50", "coverage_90")})
    cover.index.name = "horizon"
    out = [
        "# UK asylum past the data: the after-data rules back-tested (issue 10)",
        "",
        "Generated by `scripts/make_asylum_forecasting.py` from `docs/asylum_backtest.csv`; command:",
        "",
        f"    {command}",
        "",
        (f"Wall time of the back-test: {seconds:,.0f} s." if seconds is not None else ""),
        "",
        "With --store, runs already in the folder are read back, not rerun; the wall time is the last "
        "invocation's, which ran only the runs not yet stored (session 11: " + STORE_NOTE_11 + "; session 10: "
        + STORE_NOTE_10 + "; session 9: "
        + STORE_NOTE + "; the earlier "
        "rules' runs are sessions 7 and 8's from the same store: fresh runs of stochastic_recalibrated "
        "(2021-06-30, members 1-2) and backlog_feedback_rw (member 3) at this session's commit gave identical "
        "backlogs).",
        "",
        "## What is tested",
        "",
        "scenarios/uk_asylum.yaml's asylum part, fed at each origin only with what was known then "
        "(src/crossings/forecasting/asylum_backtest.py):",
        f"- origins: {len(origins)} quarter ends, {origins[0]} to {origins[-1]} (the last with 4 observed "
        "quarters of Asy_D03 after it); horizons 1-4 quarters; every run starts at the scenario's start "
        "(2018-01-01) and ends 4 quarters after the origin;",
        "- every observed quarterly input (decisions, grant share, withdrawal share, other claims, dispersed "
        "capacity) is cut at the origin (`after_data: {rule, data_until: origin}`); after it the rule under "
        "test carries it, estimated from quarters before the origin only;",
        "- small-boat arrivals after the origin: under the stochastic rules, one path of the arrivals driver per "
        "member (src/crossings/forecasting/asylum_arrivals.py: a local level with calendar-month factors on "
        "log(monthly arrivals + 10), both noise variances by maximum likelihood on the months 2018-01 to the "
        "origin, the same model as the sea forecasts' driver); under the deterministic rules, the observed "
        "arrivals of the same days one year earlier (repeated). Not the Channel sea model (rerunning it at "
        "every origin was too slow for this back-test);",
        "- the rules (src/crossings/asylum/after_rules.py): `hold_last_quarter`, `hold_last_year` (the last 4 "
        "quarters), `damped_trend` (Holt's damped trend on the log, shares on the logit, of the last 16 "
        "quarters, statsmodels), `stochastic` (a local level on that scale, noise variances by maximum "
        "likelihood on every quarter observed before the origin: decisions and shares from 2001, other "
        "claims from 2018, dispersed capacity from 2022 Q4; drawn from counter-based streams keyed by input "
        "name); its two variants `stochastic_paths` and `stochastic_recalibrated` (below); the backlog rules "
        "`backlog_feedback` and `backlog_feedback_rw` (decisions = clearance share x queue, session 8, "
        "after_backlog.py, below) and the equal-weight mixture `mix_recalibrated_backlog`; the identity rules "
        "`recalibrated_identity`, `backlog_rw_identity` and `queue_feedback_identity` (the stock-flow "
        "identity's residual carried in each draw; decisions a share of the model's own queue; session 9, "
        "below) and their pool `pool_identity`; session 10: `mix_identity` (the pool as a rule a scenario can "
        "name: each member's path carries one of the two) and `bootstrap_identity` (decisions a random walk of "
        "their own past quarterly changes), below; baseline: "
        "`hold_last_observed` (the observed value at the origin);",
        f"- deterministic rules: one seed, CRPS = absolute error; stochastic rules: {n_members} members "
        "(member k: agent seed k and driver path k for every input and the arrivals, as a run with seed k "
        "draws them); CRPS by scoringrules (analysis/scoring.py), coverage of the central 50% / 90% "
        "intervals of the members;",
        "- scored: awaiting_decision (Asy_D03) at every origin; in_hotels (Asy_D11) only from origins with a "
        "hotel count at or before them (2022-12-31 on); cost: no observed quarterly series, so forecast and "
        "not scored.",
        "",
        "## Must-show: UK awaiting_decision back-test (horizons 1-4)",
        "",
        "- coverage_90 between 0.80 and 0.97 and CRPS below holding the last observed value, per stochastic rule:",
        *must,
        f"- the default rule {best}: CRPS below hold_last_observed "
        f"**{'holds' if best_crps < base else 'does not hold'}** ({best_crps:,.0f} vs {base:,.0f}).",

        "- Before the arrivals driver and the whole-history noise (arrivals past the origin last year's, the "
        "local level fitted on the last 16 quarters, 12 members: the page at commit 5259305): coverage_90 "
        "0.47, coverage_50 0.17, CRPS 17,297.",
        "",
        f"Default rule (the lowest mean CRPS on awaiting_decision among the {len(ab.RULES)} rules; "
        f"{', '.join(ab.ON_CONDITION)} only if its coverage_90 also lies in {ab.COVERAGE_90[0]:.2f}-"
        f"{ab.COVERAGE_90[1]:.2f}; the pools mix_recalibrated_backlog and pool_identity are not rules a scenario can name): **{best}**; "
        f"scenarios/uk_asylum.yaml's `after_data`: **{_scenario_rule()}**"
        f"{'' if _scenario_rule() == best else ' (differs: the lead changes the scenario file)'}, listed in "
        "every run's manifest (asylum_after_data).",
        "",
        *_variants_note(),
        *_backlog_note(hist),
        *_identity_note(hist),
        *_session10_note(hist),
        *_session11_note(t, t20),
        "## awaiting_decision, over origins and horizons",
        "",
        "Mean CRPS and MAE (people) over origins and horizons; coverage only for the stochastic rules (the "
        "others give one value, no interval).",
        "",
        _md(aw.reindex([m for m in METHODS if m in aw.index])),
        "",
        "### CRPS per horizon (people)",
        "",
        _md(_per_horizon(t, "awaiting_decision", "crps")),
        "",
        "### CRPS per origin year (people)",
        "",
        _md(_per_origin_year(t, "awaiting_decision")),
        "",
        "### Coverage per horizon (stochastic rules)",
        "",
        _md(cover),
        "",
    ]
    if "pit" in t.columns:
        out += ["### PIT per horizon (stochastic rules)", "",
                "Where the observed value falls among the members (probability integral transform; ties count "
                "half): a calibrated 90% band has 0.05 below p05 and 0.05 above p95 and a mean PIT near 0.5.", ""]
        for r in stoch:
            out += [f"`{r}`:", "", _md(_pit_by_horizon(t, "awaiting_decision", r)), ""]
    if (t["measure"] == "in_hotels").any():
        hz = ab.summarise(t, "in_hotels")
        out += ["## in_hotels (origins 2022-12-31 on)", "", _md(hz.reindex([m for m in METHODS if m in hz.index])),
                "", "### CRPS per horizon (people)", "", _md(_per_horizon(t, "in_hotels", "crps")), ""]
    c = t[(t["measure"] == "cost") & (t["method"] == best)]
    if not c.empty:
        last = c[c["origin"] == c["origin"].max()].set_index("target")[["median", "p05", "p95"]] / 1e9
        last.index.name = f"quarter (origin {c['origin'].max()})"
        out += ["## cost (not scored: no observed quarterly series)", "",
                f"Support cost per quarter, GBP billion, the default rule ({best}), last origin:", "", _md(last), ""]
    s = t[(t["measure"] == "awaiting_decision") & (t["method"] == "stochastic")].copy()
    s["error"] = s["median"] - s["observed"]
    year = pd.to_datetime(s["origin"]).dt.year
    by_year = s.groupby(year).agg(**{"coverage_90": ("in_90", "mean"), "coverage_50": ("in_50", "mean"),
                                     "mean error of the median": ("error", "mean"), "forecasts": ("error", "size")})
    for r in stoch:
        if r != "stochastic":
            v = t[(t["measure"] == "awaiting_decision") & (t["method"] == r)]
            g = v.groupby(pd.to_datetime(v["origin"]).dt.year)
            by_year[f"coverage_90 {r}"] = g["in_90"].mean()
            by_year[f"coverage_50 {r}"] = g["in_50"].mean()
    by_year.index.name = "origin year"
    early = s[year < 2023]
    dec = ab.observed_quarterly()["initial_decisions_people_AsyD02"]
    d = {k: float(dec.get(dt.date.fromisoformat(k), np.nan)) for k in ("2022-12-31", "2023-12-31", "2024-03-31")}
    before = dec.dropna().astype(float)
    before = before[[i <= dt.date(2022, 12, 31) for i in before.index]]
    sd1 = float(np.std(np.diff(np.log(before.to_numpy())), ddof=1))
    change = float(np.log(d["2023-12-31"] / d["2022-12-31"]))
    out += ["## Why the stochastic band misses (awaiting_decision)", "",
            f"Observed above the 95th percentile: {(s['pit'] > 0.95).mean():.2f} of forecasts; below the 5th: "
            f"{(s['pit'] < 0.05).mean():.2f}. Origins 2019-2022: coverage_90 {early['in_90'].mean():.2f}, "
            f"coverage_50 {early['in_50'].mean():.2f} ({len(early)} forecasts); the misses gather at the "
            "2023 origins, around the 2023 clearance drive: initial decisions (Asy_D02) went from "
            f"{d['2022-12-31']:,.0f} in 2022 Q4 to {d['2023-12-31']:,.0f} in 2023 Q4 and back to "
            f"{d['2024-03-31']:,.0f} in 2024 Q1. Forecasts made before the drive keep the backlog high (no path "
            "has the drive's decisions: a step that size is far in the tail of a Gaussian level fitted on the "
            f"history: the 4-quarter log change 2022 Q4 to 2023 Q4 was {change:+.2f}, {change / (2 * sd1):.1f} "
            f"times the sd a random walk with the quarterly sd of the log changes 2001-2022 ({sd1:.2f}) gives "
            "it); the forecast from 2023 Q4, whose level sits at the drive's rate, empties the queue. By origin "
            "year (people; the first four columns the stochastic rule's, then its variants' coverage):", "",
            _md(by_year), ""]
    by_origin = s.groupby("origin").agg(**{"coverage_90": ("in_90", "mean"), "coverage_50": ("in_50", "mean"),
                                           "mean PIT": ("pit", "mean"),
                                           "mean error of the median": ("error", "mean")})
    out += ["Per origin, the stochastic rule (4 forecasts each, horizons 1-4; a mean PIT near 0 or 1 means every "
            "horizon fell on one side of the band):", "", _md(by_origin), ""]
    out += _per_origin_backlog(hist)
    state = _state_at_origins()
    rel = state["model / observed - 1"]
    out += [f"Where every forecast starts: the model's backlog at the origin (fed with the data to it, seed 1) lies "
            f"within {rel.abs().max():.1%} of Asy_D03 at every origin (median {rel.median():+.1%}; largest at "
            f"{rel.idxmax() if rel.max() >= -rel.min() else rel.idxmin()}), so the misses above come from the "
            "quarters after the origin (decisions, claims), not from the start state.", ""]
    out += _oracle_note(hist)
    out += _decision_variants()
    out += _forecast_section()
    out += ["## Limits", "",
            "- The deterministic rules run with last year's arrivals, the stochastic rules with the arrivals "
            "driver: the rules' CRPS differ in the arrivals as well as in the inputs.",
            "- The drivers are Gaussian local levels: a policy step (the 2023 clearance drive's decisions, a "
            "4-sigma move for a level whose quarterly sd is about 0.2 on the log) is an outlier to them, and "
            "after it the level sits at the drive's rate.",
            "- The model's own error at the origin (runs start in 2018, not at the observed origin stock) is "
            "part of every rule's error (in sample it is within 4.5%, docs/asylum_validation.md) except the "
            "identity rules', whose queue starts at the published one (the sum of the identity's residuals since "
            "2018, as claims in the first quarter); the baseline has none at the origin.",
            "- queue_feedback_identity: after the cut a decision-capacity lever acts on the share decided each "
            "day (a multiplier scales it, a per_month capacity replaces it; since session 11, before it the lever "
            "did not act); the identity rules' start correction assumes the run's queue was seeded at the published Asy_D03 "
            "of the quarter before its start (as scenarios/uk_asylum.yaml).",
            "- in_hotels is scored on few origins (hotel counts start 2022-12-31).",
            "- backlog_feedback: the queue its decisions respond to is its own (the observed backlog at the "
            "origin, its own claims path), not the agents' queue (the model's kernel takes a decision capacity, "
            "not a share); its AR(1) parameters are plugged in, their uncertainty not drawn; it was specified "
            "with the test origins' failure known.",
            "- A path's draws are split into level and noise by its length: the same path over a longer horizon "
            "is another draw of the same model, not an extension.",
            "- Only the declared rules were compared (the two variants' constants fixed before their back-test); nothing was tuned to these scores; the default is chosen on these origins (see above).", ""]
    return "\n".join(out)


def _read_table(path: Path) -> pd.DataFrame:
    t = pd.read_csv(path, parse_dates=["origin", "target"])
    t["origin"] = t["origin"].dt.date
    t["target"] = t["target"].dt.date
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--from-csv", action="store_true", help="write the page from docs/asylum_backtest.csv")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--members", type=int, default=20, help="stochastic members per origin: seed k, path k")
    ap.add_argument("--last-origin", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--store", type=Path, default=None, help="keep each origin's runs here (resumable)")
    ap.add_argument("--rules", nargs="+", choices=ab.RULES, default=None,
                    help="run only these rules into --store and print their scores; the page and the CSV are "
                         "written only by a run of every rule")
    a = ap.parse_args(argv)
    if a.rules:
        t = ab.backtest(ab.origins(last=a.last_origin), n_members=a.members, jobs=a.jobs, store=a.store,
                        rules=tuple(r for r in ab.RULES if r in a.rules))
        print(ab.summarise(t).to_string())
        return 0
    command = "uv run --frozen python scripts/make_asylum_forecasting.py " + " ".join(sys.argv[1:] if argv is None
                                                                                     else argv)
    seconds = None
    if a.from_csv:
        t = _read_table(CSV)
        head = DOC.read_text().splitlines() if DOC.exists() else []
        command = next((ln.strip() for ln in head if ln.startswith("    uv run")), command)
        seconds = next((float(ln.split()[-2].replace(",", "")) for ln in head if ln.startswith("Wall time")), None)
    else:
        t0 = time.perf_counter()
        t = ab.backtest(ab.origins(last=a.last_origin), n_members=a.members, jobs=a.jobs, store=a.store)
        seconds = time.perf_counter() - t0
        t.to_csv(CSV, index=False)
    larger = int(t[t["method"].isin(ab.STOCHASTIC)]["members"].max()) > 20
    t20 = _read_table(CSV_20) if CSV_20.exists() and larger else None
    DOC.write_text(page(t, command, seconds, t20))
    print(ab.summarise(t).to_string())
    print(f"best rule: {ab.best_rule(t)}; wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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
from pathlib import Path

import numpy as np
import pandas as pd

from crossings.forecasting import asylum_backtest as ab

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "docs" / "asylum_backtest.csv"
FORECAST_CSV = ROOT / "docs" / "asylum_forecast_example.csv"  # forecast_quarterly.csv of FORECAST_COMMAND
FORECAST_COMMAND = ("uv run --frozen crossings forecast scenarios/uk_asylum.yaml --from 2025-01-01 --horizon 12 "
                    "--draws 40 --out out/uk_asylum_forecast")
DOC = ROOT / "docs" / "asylum_forecasting.md"
METHODS = (*ab.RULES, ab.BASELINE)


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


def _pit_by_horizon(t: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The stochastic rule's PIT by horizon: share below the 5th / above the 95th percentile, mean PIT."""
    s = t[(t["measure"] == measure) & (t["method"] == "stochastic")]
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
           "at the day before `--from` (a quarter start) and carried by the scenario's rule (stochastic), "
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
        pa = np.array(p_all)
        rows[label] = {"coverage_90": float(np.mean(np.abs(pa - 0.5) <= 0.45)),
                       "coverage_50": float(np.mean(np.abs(pa - 0.5) <= 0.25)), "forecasts": len(pa)}
    tab = pd.DataFrame(rows).T
    tab.index.name = "decisions model (fitted on every quarter from 2001 to the origin)"
    return ["### Throughput laws tried (session 6, not shipped)", "",
            "The backlog's misses follow the decisions' (Asy_D02). Coverage of the log quarterly decisions 1-4 "
            "quarters past the same 20 origins under three laws, each fitted on every quarter from 2001 to the "
            "origin (this page's script, function _decision_variants):", "", _md(tab), "",
            "None reaches 0.80: the decisions' multi-quarter moves (the 2014-15 and 2022-23 rises, the 2020 and "
            "2024 falls) are persistent swings, not one-quarter outliers, so heavier one-step tails or a "
            "transient do not widen the 4-quarter band where it is missed, and a stochastic slope carries a swing "
            "on past its turn. Conditioning on the Dec 2022 pledge "
            "(a scenario lever) needs a sourced capacity figure published before the origin; "
            "../shared/design/EVIDENCE.md has only the outcome (\"caseworkers roughly tripled\", NAO), which is "
            "data after the origin, so it was not built.", ""]


def page(t: pd.DataFrame, command: str, seconds: float | None) -> str:
    aw = ab.summarise(t, "awaiting_decision")
    best = ab.best_rule(t)
    best_crps = float(np.asarray(aw.loc[best, "crps"], dtype=float))  # one cell as a float
    st = aw.loc["stochastic"]
    base = float(np.asarray(aw.loc[ab.BASELINE, "crps"], dtype=float))
    cov_ok = 0.80 <= float(np.asarray(st["coverage_90"], dtype=float)) <= 0.97
    crps_ok = float(np.asarray(st["crps"], dtype=float)) < base
    origins = sorted(t["origin"].unique())
    n_members = int(t[(t["method"] == "stochastic")]["members"].max())
    out = [
        "# UK asylum past the data: the after-data rules back-tested (issue 10)",
        "",
        "Generated by `scripts/make_asylum_forecasting.py` from `docs/asylum_backtest.csv`; command:",
        "",
        f"    {command}",
        "",
        (f"Wall time of the back-test: {seconds:,.0f} s." if seconds is not None else ""),
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
        "- small-boat arrivals after the origin: under the stochastic rule, one path of the arrivals driver per "
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
        "name); baseline: `hold_last_observed` (the observed value at the origin);",
        f"- deterministic rules: one seed, CRPS = absolute error; stochastic: {n_members} members "
        "(member k: agent seed k and driver path k for every input and the arrivals, as a run with seed k "
        "draws them); CRPS by scoringrules (analysis/scoring.py), coverage of the central 50% / 90% "
        "intervals of the members;",
        "- scored: awaiting_decision (Asy_D03) at every origin; in_hotels (Asy_D11) only from origins with a "
        "hotel count at or before them (2022-12-31 on); cost: no observed quarterly series, so forecast and "
        "not scored.",
        "",
        "## Must-show: UK awaiting_decision back-test (horizons 1-4)",
        "",
        f"- coverage_90 of the stochastic rule between 0.80 and 0.97: **{'holds' if cov_ok else 'does not hold'}**"
        f" (coverage_90 = {st['coverage_90']:.2f}; coverage_50 = {st['coverage_50']:.2f}).",
        f"- CRPS below holding the last observed value: stochastic rule **{'holds' if crps_ok else 'does not hold'}**"
        f" ({st['crps']:,.0f} vs hold_last_observed {base:,.0f} people); the default rule {best} "
        f"**{'holds' if best_crps < base else 'does not hold'}** ({best_crps:,.0f}).",

        "- Before the arrivals driver and the whole-history noise (arrivals past the origin last year's, the "
        "local level fitted on the last 16 quarters, 12 members: the page at commit 5259305): coverage_90 "
        "0.47, coverage_50 0.17, CRPS 17,297.",
        "",
        f"Default rule (the lowest mean CRPS on awaiting_decision among the four): **{best}**, set in "
        "scenarios/uk_asylum.yaml (`after_data`), listed in every run's manifest (asylum_after_data).",
        "",
        "## awaiting_decision, over origins and horizons",
        "",
        "Mean CRPS and MAE (people) over origins and horizons; coverage only for the stochastic rule (the others "
        "give one value, no interval).",
        "",
        _md(aw.reindex([m for m in METHODS if m in aw.index])),
        "",
        "### CRPS per horizon (people)",
        "",
        _md(_per_horizon(t, "awaiting_decision", "crps")),
        "",
        "### Coverage per horizon (stochastic rule)",
        "",
        _md(pd.DataFrame({"coverage_50": _per_horizon(t, "awaiting_decision", "in_50").loc["stochastic"],
                          "coverage_90": _per_horizon(t, "awaiting_decision", "in_90").loc["stochastic"]})),
        "",
    ]
    if "pit" in t.columns:
        out += ["### PIT per horizon (stochastic rule)", "",
                "Where the observed value falls among the members (probability integral transform; ties count "
                "half): a calibrated 90% band has 0.05 below p05 and 0.05 above p95 and a mean PIT near 0.5.", "",
                _md(_pit_by_horizon(t, "awaiting_decision")), ""]
    if (t["measure"] == "in_hotels").any():
        hz = ab.summarise(t, "in_hotels")
        out += ["## in_hotels (origins 2022-12-31 on)", "", _md(hz.reindex([m for m in METHODS if m in hz.index])),
                "", "### CRPS per horizon (people)", "", _md(_per_horizon(t, "in_hotels", "crps")), ""]
    c = t[(t["measure"] == "cost") & (t["method"] == "stochastic")]
    if not c.empty:
        last = c[c["origin"] == c["origin"].max()].set_index("target")[["median", "p05", "p95"]] / 1e9
        last.index.name = f"quarter (origin {c['origin'].max()})"
        out += ["## cost (not scored: no observed quarterly series)", "",
                "Support cost per quarter, GBP billion, stochastic rule, last origin:", "", _md(last), ""]
    s = t[(t["measure"] == "awaiting_decision") & (t["method"] == "stochastic")].copy()
    s["error"] = s["median"] - s["observed"]
    year = pd.to_datetime(s["origin"]).dt.year
    by_year = s.groupby(year).agg(**{"coverage_90": ("in_90", "mean"), "coverage_50": ("in_50", "mean"),
                                     "mean error of the median": ("error", "mean"), "forecasts": ("error", "size")})
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
            "year (people):", "", _md(by_year), ""]
    by_origin = s.groupby("origin").agg(**{"coverage_90": ("in_90", "mean"), "coverage_50": ("in_50", "mean"),
                                           "mean PIT": ("pit", "mean"),
                                           "mean error of the median": ("error", "mean")})
    out += ["Per origin (4 forecasts each, horizons 1-4; a mean PIT near 0 or 1 means every horizon fell on one "
            "side of the band):", "", _md(by_origin), ""]
    out += _decision_variants()
    out += _forecast_section()
    out += ["## Limits", "",
            "- The deterministic rules run with last year's arrivals, the stochastic rule with the arrivals "
            "driver: the rules' CRPS differ in the arrivals as well as in the inputs.",
            "- The drivers are Gaussian local levels: a policy step (the 2023 clearance drive's decisions, a "
            "4-sigma move for a level whose quarterly sd is about 0.2 on the log) is an outlier to them, and "
            "after it the level sits at the drive's rate.",
            "- The model's own error at the origin (runs start in 2018, not at the observed origin stock) is "
            "part of every rule's error (in sample it is within 4.5%, docs/asylum_validation.md); the baseline "
            "has none at the origin.",
            "- in_hotels is scored on few origins (hotel counts start 2022-12-31).",
            "- A path's draws are split into level and noise by its length: the same path over a longer horizon "
            "is another draw of the same model, not an extension.",
            "- Only the four declared rules were compared; nothing was tuned to these scores.", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--from-csv", action="store_true", help="write the page from docs/asylum_backtest.csv")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--members", type=int, default=20, help="stochastic members per origin: seed k, path k")
    ap.add_argument("--last-origin", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--store", type=Path, default=None, help="keep each origin's runs here (resumable)")
    a = ap.parse_args(argv)
    command = "uv run --frozen python scripts/make_asylum_forecasting.py " + " ".join(sys.argv[1:] if argv is None
                                                                                     else argv)
    seconds = None
    if a.from_csv:
        t = pd.read_csv(CSV, parse_dates=["origin", "target"])
        t["origin"] = t["origin"].dt.date
        t["target"] = t["target"].dt.date
        head = DOC.read_text().splitlines() if DOC.exists() else []
        command = next((ln.strip() for ln in head if ln.startswith("    uv run")), command)
        seconds = next((float(ln.split()[-2].replace(",", "")) for ln in head if ln.startswith("Wall time")), None)
    else:
        t0 = time.perf_counter()
        t = ab.backtest(ab.origins(last=a.last_origin), n_members=a.members, jobs=a.jobs, store=a.store)
        seconds = time.perf_counter() - t0
        t.to_csv(CSV, index=False)
    DOC.write_text(page(t, command, seconds))
    print(ab.summarise(t).to_string())
    print(f"best rule: {ab.best_rule(t)}; wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

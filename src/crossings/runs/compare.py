"""Comparisons: scenario A against scenario B, or against its own levers-off baseline, over seeds.

Every seed runs every variant with the same random streams (counter-based, keyed by seed, stream, tick and
agent: common random numbers), so a seed's difference between two variants is what the change did, not
run-to-run noise; its 5/50/95% over seeds is the difference's uncertainty from the model's randomness.

Variants:
- A and B: `compare(a, b)`; the contrast is B - A ("B compared with A");
- A and its baseline (every lever off): the contrast is A - baseline ("what the levers did"), and, per lever,
  A - (A with that one lever off) ("what this lever did, the others kept").

Periods aggregate each measure by its kind (crossings.core.measures): flows and money sum, stocks take the
period's last day, means average; years are the complete calendar years of the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.measures import MEASURES, period_rule, unit_of

QUANTILES = {"p05": 0.05, "p50": 0.5, "p95": 0.95}


@dataclass(frozen=True)
class Variant:
    """One way to run a scenario: its file, key-path overrides, and whether every lever is off."""

    label: str
    path: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    baseline: bool = False


@dataclass(frozen=True)
class LeverInfo:
    """A lever of the scenario as the report names it: `key` is the `--set` path of its `enabled` switch."""

    name: str  # as shown: tunisia_mou, or uk.third_country for an asylum lever
    key: str  # e.g. levers.tunisia_mou.enabled
    kind: str  # lever type: partner_coastguard, rescue, third_country, ...
    routes: tuple[str, ...]  # sea routes it acts on (empty for asylum levers)
    place: str  # the destination it acts for
    start: dt.date
    end: dt.date | None
    enabled: bool


@dataclass(frozen=True)
class Contrast:
    """`with_` minus `without`, seed by seed."""

    label: str
    with_: str  # variant label
    without: str  # variant label
    lever: LeverInfo | None = None


@dataclass
class Comparison:
    """The result of `compare`: per-variant bands, per-contrast differences, and the scenario's context."""

    variants: list[Variant]
    contrasts: list[Contrast]
    seeds: list[int]
    monthly: pd.DataFrame  # variant, month, place, measure, unit, observed, mean, p05, p50, p95
    annual: pd.DataFrame  # variant, year, place, measure, unit, observed, mean, p05, p50, p95
    effects_monthly: pd.DataFrame  # contrast, month, place, measure, unit, mean, p05, p50, p95
    effects_annual: pd.DataFrame  # contrast, year, place, measure, unit, mean, p05, p50, p95
    levers: list[LeverInfo]
    place_kinds: dict[str, str]  # place -> route | destination | centre | third_country ...
    route_ends: dict[str, tuple[str, str]]  # sea route -> (coast, destination)
    currencies: dict[str, str]  # asylum place -> currency
    data_end: str  # last month with an observed value in any compared table ("" if none)
    data_versions: dict[str, str]
    scenario_names: dict[str, str]  # variant label -> scenario name
    descriptions: dict[str, str]  # variant label -> scenario description
    headlines: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def place_column(df: pd.DataFrame) -> str:
    """The place column of a result table ('place'; older tables say 'route')."""
    return "place" if "place" in df.columns else "route"


def _member(task: tuple[str, int, dict[str, Any], bool]) -> pd.DataFrame:
    from crossings.runs.runner import run_scenario

    path, seed, overrides, baseline = task
    m = run_scenario(path, seed=seed, overrides=overrides, baseline=baseline).monthly
    m = m.rename(columns={place_column(m): "place"})
    if "place_kind" not in m.columns:
        m = m.assign(place_kind="")
    return m[["month", "place", "place_kind", "measure", "simulated", "observed"]]


def levers_of(path: str | Path, overrides: Mapping[str, Any] | None = None) -> list[LeverInfo]:
    """Every lever of a scenario (sea levers, then each asylum destination's), enabled or not."""
    from crossings.runs.runner import prepare

    sc = prepare(path, overrides=overrides)
    dest_of = {s.name: s.to for s in sc.sea_links}
    out = []
    for name, lv in sc.levers.items():
        routes = tuple(getattr(lv, "routes", None) or [lv.route])  # type: ignore[union-attr]
        out.append(LeverInfo(name, f"levers.{name}.enabled", lv.type, routes, dest_of.get(routes[0], ""),
                             lv.start, lv.end, lv.enabled))
    if sc.asylum is not None:
        for dname, d in sc.asylum.destinations.items():
            for kind in type(d.levers).model_fields:
                value = getattr(d.levers, kind)
                items = value if isinstance(value, list) else [value]
                for i, lv in enumerate(items):
                    if lv is None:
                        continue
                    suffix = f".{i}" if isinstance(value, list) else ""
                    out.append(LeverInfo(f"{dname}.{kind}{suffix}",
                                         f"asylum.destinations.{dname}.levers.{kind}{suffix}.enabled",
                                         kind, (), dname, lv.start, lv.end, lv.enabled))
    return out


def _observed_over(o: pd.Series, rule: str) -> float:
    """The period's observed value: only when every month of it was observed."""
    return float(getattr(o, rule)()) if o.notna().all() else np.nan


def _aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Period values per group, each measure by its rule (sum, last, mean)."""
    rules = frame["measure"].map(lambda m: period_rule(m) if m in MEASURES else "sum")
    parts = []
    for rule in ("sum", "last", "mean"):
        f = frame[rules == rule]
        if len(f):
            g = f.groupby(by, sort=False)
            v = getattr(g["simulated"], rule)()
            obs = g["observed"].agg(_observed_over, rule)
            parts.append(pd.DataFrame({"simulated": v, "observed": obs}).reset_index())
    return pd.concat(parts, ignore_index=True)


def _bands(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    g = frame.groupby(keys, sort=False)[value]
    out = g.mean().rename("mean").to_frame()
    for col, q in QUANTILES.items():
        out[col] = g.quantile(q)
    return out.reset_index()


def _complete_years(months: Sequence[str]) -> set[str]:
    s = pd.Series(sorted(set(months)))
    counts = s.str[:4].value_counts()
    return {str(y) for y, n in counts.items() if n == 12}


def _with_units(df: pd.DataFrame, currencies: Mapping[str, str]) -> pd.DataFrame:
    only = next(iter(set(currencies.values()))) if len(set(currencies.values())) == 1 else None
    units = [unit_of(m, currencies.get(p, only)) if m in MEASURES else "" for p, m in
             zip(df["place"], df["measure"], strict=True)]
    cols = list(df.columns)
    at = cols.index("measure") + 1
    return df.assign(unit=units)[[*cols[:at], "unit", *cols[at:]]]


def compare(
    a: Variant,
    b: Variant | None = None,
    seeds: Sequence[int] = tuple(range(1, 21)),
    jobs: int = 1,
    per_lever: bool = True,
) -> Comparison:
    """Run A and B (default: A's levers-off baseline) for every seed on common random numbers.

    With the baseline, `per_lever` also runs A with each enabled lever off, one at a time."""
    from crossings.runs.runner import data_versions, prepare

    sc = prepare(a.path, overrides=a.overrides)
    levers = levers_of(a.path, a.overrides)
    variants = [a]
    contrasts: list[Contrast] = []
    if b is None:
        b = Variant("all levers off", a.path, a.overrides, baseline=True)
        variants.append(b)
        contrasts.append(Contrast("all levers", a.label, b.label))
        if per_lever:
            for lv in levers:
                if not lv.enabled:
                    continue
                v = Variant(f"without {lv.name}", a.path, {**a.overrides, lv.key: False})
                variants.append(v)
                contrasts.append(Contrast(lv.name, a.label, v.label, lv))
    else:
        variants.append(b)
        contrasts.append(Contrast(f"{b.label} compared with {a.label}", b.label, a.label))
    if len({v.label for v in variants}) != len(variants):
        raise ValueError("variant labels must differ")

    tasks = [(v.path, int(s), dict(v.overrides), v.baseline) for s in seeds for v in variants]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            frames = list(pool.map(_member, tasks))
    else:
        frames = [_member(t) for t in tasks]
    labels = [(v.label, int(s)) for s in seeds for v in variants]
    runs = pd.concat([f.assign(variant=lab, seed=s) for f, (lab, s) in zip(frames, labels, strict=True)],
                     ignore_index=True)
    runs = runs[runs["measure"].isin(list(MEASURES))]  # declared measures only (every table has a unit)
    years = _complete_years(runs["month"].tolist())
    annual_runs = _aggregate(runs[runs["month"].str[:4].isin(years)].assign(year=lambda x: x["month"].str[:4]),
                             ["variant", "seed", "year", "place", "measure"])

    keys_m, keys_y = ["month", "place", "measure"], ["year", "place", "measure"]
    monthly = _bands(runs, ["variant", *keys_m], "simulated")
    obs_m = runs[runs["seed"] == int(seeds[0])].drop_duplicates(["variant", *keys_m])
    monthly = monthly.merge(obs_m[["variant", *keys_m, "observed"]], on=["variant", *keys_m], how="left")
    annual = _bands(annual_runs, ["variant", *keys_y], "simulated")
    obs_y = annual_runs[annual_runs["seed"] == int(seeds[0])]
    annual = annual.merge(obs_y[["variant", *keys_y, "observed"]], on=["variant", *keys_y], how="left")

    def diffs(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        out = []
        idx = frame.set_index(["variant", "seed", *keys])["simulated"]
        for c in contrasts:
            d = (idx.xs(c.with_, level="variant") - idx.xs(c.without, level="variant")).rename("difference")
            out.append(_bands(d.reset_index(), keys, "difference").assign(contrast=c.label))
        res = pd.concat(out, ignore_index=True)
        return res[["contrast", *[k for k in res.columns if k != "contrast"]]]

    effects_monthly = diffs(runs, keys_m)
    effects_annual = diffs(annual_runs, keys_y)

    place_kinds: dict[str, str] = {s.name: "route" for s in sc.sea_links}
    place_kinds.update({p.name: "destination" for p in sc.places if p.kind == "destination"})
    currencies: dict[str, str] = {}
    if sc.asylum is not None:
        for dname, d in sc.asylum.destinations.items():
            place_kinds.setdefault(dname, "destination")
            currencies[dname] = d.currency
    kinds_in_tables = runs.drop_duplicates("place").set_index("place")["place_kind"]
    for p in sorted(set(runs["place"])):
        place_kinds.setdefault(str(p), str(kinds_in_tables.get(p) or "centre"))  # asylum places beyond the destinations (offshore, third country)
    if currencies:  # a centre or third country spends in the currency of the destination that runs it
        first = next(iter(currencies.values()))
        for p, k in place_kinds.items():
            if k == "centre":
                currencies.setdefault(p, first)

    observed_months = runs.loc[runs["observed"].notna(), "month"]
    scen = {v.label: prepare(v.path, overrides=v.overrides, baseline=v.baseline) for v in variants[:2]}
    comp = Comparison(
        variants=variants, contrasts=contrasts, seeds=[int(s) for s in seeds],
        monthly=_with_units(monthly[["variant", *keys_m, "observed", "mean", *QUANTILES]], currencies),
        annual=_with_units(annual[["variant", *keys_y, "observed", "mean", *QUANTILES]], currencies),
        effects_monthly=_with_units(effects_monthly, currencies),
        effects_annual=_with_units(effects_annual, currencies),
        levers=levers, place_kinds=place_kinds,
        route_ends={s.name: (s.from_, s.to) for s in sc.sea_links}, currencies=currencies,
        data_end=str(observed_months.max()) if len(observed_months) else "",
        data_versions=data_versions(sc),
        scenario_names={k: s.name for k, s in scen.items()},
        descriptions={k: s.description for k, s in scen.items()},
    )
    comp.headlines = headlines(comp)
    return comp


# ---- words -------------------------------------------------------------------------------------------------

def round_people(x: float) -> str:
    """A count for a sentence: 3 significant figures above 1,000 (37,400), whole numbers below."""
    ax = abs(x)
    if ax >= 1000:
        digits = int(np.floor(np.log10(ax))) - 2
        return f"{round(ax, -digits):,.0f}"
    return f"{ax:,.0f}"


def money(x: float, currency: str) -> str:
    """Money for a sentence: GBP 1.23 billion, GBP 45.6 million, GBP 12,300."""
    ax = abs(x)
    if ax >= 1e9:
        return f"{currency} {ax / 1e9:,.2f} billion"
    if ax >= 1e6:
        return f"{currency} {ax / 1e6:,.1f} million"
    return f"{currency} {round_people(ax)}"


def _interval(lo: float, hi: float, fmt: Any, less: str = "fewer", more: str = "more") -> str:
    """The 90% interval of a signed difference, in the sentence's terms (magnitudes, or 'x fewer to y more')."""
    if lo < 0 < hi:
        return f"90% interval from {fmt(lo)} {less} to {fmt(hi)} {more}"
    return f"90% interval {fmt(min(abs(lo), abs(hi)))} to {fmt(max(abs(lo), abs(hi)))}"


def _row(eff: pd.DataFrame, contrast: str, year: str, place: str, measure: str) -> pd.Series | None:
    r = eff[(eff["contrast"] == contrast) & (eff["year"] == year) & (eff["place"] == place)
            & (eff["measure"] == measure)]
    return None if r.empty else r.iloc[0]


def _clear(r: pd.Series) -> bool:
    """The 90% interval excludes zero."""
    return bool(r["p05"] > 0 or r["p95"] < 0)


def _nil(r: pd.Series) -> bool:
    """No difference in any seed's run (e.g. a route no lever touches)."""
    return bool(r["p05"] == 0 and r["p95"] == 0)


def _phrase(r: pd.Series, place: str, measure: str, year: str, currency: str, target: bool) -> str:
    mean, lo, hi = float(r["mean"]), float(r["p05"]), float(r["p95"])
    less = mean < 0
    if measure == "cost":
        return (f"spending in {place} {'fell' if less else 'rose'} by {money(mean, currency)} "
                f"({_interval(lo, hi, lambda v: money(v, currency), 'less', 'more')})")
    n, iv = round_people(mean), _interval(lo, hi, round_people)
    if measure == "arrivals" and target:
        return f"{'averted' if less else 'added'} {n} arrivals via {place} ({iv})"
    if measure == "arrivals":
        return f"{n} {'fewer' if less else 'more'} came via {place} ({iv})"
    if measure == "deaths":
        return f"{n} {'fewer' if less else 'more'} dead or missing on the way to {place} ({iv})"
    what = MEASURES[measure].description if measure in MEASURES else measure
    when = f"at the end of {year}" if period_rule(measure) == "last" else f"in {year}"
    return f"{n} {'fewer' if less else 'more'} {what} in {place} {when} ({iv})"


def headline(comp: Comparison, contrast: Contrast, year: str) -> str:
    """One sentence for one contrast and year, from the seed-by-seed differences."""
    eff = comp.effects_annual
    routes = [p for p, k in comp.place_kinds.items() if k == "route"]
    lv = contrast.lever
    parts: list[str] = []
    targets = list(lv.routes) if lv is not None and lv.routes else []
    for r in targets:
        row = _row(eff, contrast.label, year, r, "arrivals")
        if row is not None and not _nil(row):
            parts.append(_phrase(row, r, "arrivals", year, "", True))
    dests = sorted({comp.route_ends[r][1] for r in targets}) if targets else sorted(
        {d for _, d in comp.route_ends.values()})
    for r in routes:  # diversion to other routes: only where the interval excludes zero
        if r in targets or comp.route_ends[r][1] not in dests:
            continue
        row = _row(eff, contrast.label, year, r, "arrivals")
        if row is not None and (_clear(row) or not targets) and not _nil(row):
            parts.append(_phrase(row, r, "arrivals", year, "", False))
    for d in dests:
        row = _row(eff, contrast.label, year, d, "arrivals")
        if row is not None and d not in routes and (targets or len(routes) > 1) and not _nil(row):
            parts.append(f"net, {_phrase(row, d, 'arrivals', year, '', False).replace('came via', 'arrived in')}")
        row = _row(eff, contrast.label, year, d, "deaths")
        if row is None and len(comp.route_ends) == 1:
            row = _row(eff, contrast.label, year, next(iter(comp.route_ends)), "deaths")
        if row is not None and _clear(row):
            parts.append(_phrase(row, d, "deaths", year, "", False))
    for place, cur in comp.currencies.items():
        for m in ("awaiting_decision", "in_hotels", "cost"):
            row = _row(eff, contrast.label, year, place, m)
            if row is not None and (_clear(row) or (lv is not None and lv.place == place)) and not _nil(row):
                parts.append(_phrase(row, place, m, year, cur, False))
    who = f"the lever {lv.name}" if lv is not None else (
        "all levers together" if contrast.label == "all levers" else contrast.with_)
    if not parts:
        return (f"In {year}, {who} changed none of the headline measures (arrivals, deaths, backlog, hotels, cost) "
                "in any seed." if lv is not None else "")
    verb = "" if parts[0].startswith(("averted", "added")) else "changed this: "
    return f"In {year}, {who} {verb}{'; '.join(parts)}."


def headline_years(comp: Comparison, contrast: Contrast) -> list[str]:
    """The complete years from the lever's start (or every complete year) to the end of the run."""
    years = sorted(set(comp.effects_annual["year"]))
    lv = contrast.lever
    if lv is None:
        return years
    return [y for y in years if int(y) >= lv.start.year and (lv.end is None or int(y) <= lv.end.year)]


def headlines(comp: Comparison) -> list[str]:
    """The report's sentences: per contrast, its last complete year, then the earlier years of its window."""
    out = []
    for c in comp.contrasts:
        ys = headline_years(comp, c)
        for y in reversed(ys[-2:]):
            s = headline(comp, c, y)
            if s:
                out.append(s)
    return out

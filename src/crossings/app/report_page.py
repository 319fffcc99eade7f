"""The job's HTML report: one self-contained page (inline SVG, no network) with the levers' effect over the
window in words and as a table with its 5-95% interval, and the fan charts."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from crossings.app.charts import fan_svg
from crossings.app.jobs import JobSpec, Summary
from crossings.core.measures import MEASURES
from crossings.report.context import caveats, data_coverage_end, sources_for
from crossings.runs.runner import data_versions, prepare

HEADLINE_MEASURES = ("arrivals", "deaths", "interceptions", "prevented", "safe_route", "claims", "removals",
                     "transfers", "cost")
CHART_MEASURES = ("arrivals", "deaths", "interceptions", "prevented", "awaiting_decision", "in_hotels", "cost")
_STYLE = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}.meta{color:#555;font-size:.9em}figure{margin:1em 0}"""


def chart_choices(bands: pd.DataFrame) -> list[tuple[str, str]]:
    """(place, measure) pairs worth a chart: a simulated value somewhere, in the registry's measure order."""
    live = bands[(bands["p95"].abs() > 0) | (bands["mean"].abs() > 0)][["place", "measure"]].drop_duplicates()
    order = {m: i for i, m in enumerate(MEASURES)}
    pairs = [(str(p), str(m)) for p, m in live.itertuples(index=False)]
    return sorted(pairs, key=lambda pm: (order.get(pm[1], len(order)), pm[0]))


def _num(v: float) -> str:
    return f"{v:+,.0f}" if abs(v) >= 1 or v == 0 else f"{v:+,.3g}"


def headlines(summary: Summary) -> list[str]:
    """One sentence per place and key measure whose 5-95% interval of the effect is not all zero."""
    w = summary.effect_window
    out = []
    for m in HEADLINE_MEASURES:
        for r in w[w["measure"] == m].to_dict(orient="records"):
            lo, mid, hi = float(r["p05"]), float(r["p50"]), float(r["p95"])
            if lo == 0 and hi == 0:
                continue
            out.append(f"{r['place']} ({r['place_kind']}): the levers changed {m} by {_num(mid)} {r['unit']} "
                       f"from {r['start']} to {r['end']} (median of seeds; 90% interval {_num(lo)} to {_num(hi)}).")
    return out


def _table(df: pd.DataFrame) -> str:
    shown = df.copy()
    for c in ("mean", "p05", "p50", "p95"):
        shown[c] = shown[c].map(lambda v: f"{v:,.0f}")
    return shown.to_html(index=False, escape=True, border=0)


def data_section(spec: JobSpec, summary: Summary) -> list[str]:
    """The data's end, the sources of the observed files the run read (SOURCES.md) and the caveats."""
    observed = summary.bands.loc[summary.bands["observed"].notna(), "month"]
    end, bundled = (str(observed.max()) if len(observed) else "no month"), data_coverage_end()
    files = data_versions(prepare(spec.path, spec.start or None, spec.end or None, spec.overrides()))
    items = [f"<li><code>{html.escape(s.file)}</code>: {html.escape(s.what)}"
             + "".join(f"; {html.escape(r)}" for r in s.registry) + "</li>" for s in sources_for(files)]
    return ["<h2>Data and sources</h2>",
            f"<p>Observed values in this run end in {html.escape(end)}"
            + (f"; the bundled data end on {html.escape(bundled)}." if bundled else ".") + "</p>",
            f"<ul>{''.join(items)}</ul>" if items else "",
            "<p class='meta'>Every observed row names its source in src/crossings/data/observed/SOURCES.md.</p>",
            "<h2>Caveats (docs/intended_use.md)</h2>",
            "<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in caveats()) + "</ul>"]


def report_html(spec: JobSpec, summary: Summary) -> str:
    title = f"Crossings: {spec.path.stem}, as set against its levers-off baseline"
    seeds = f"{spec.seeds} seeds ({spec.first_seed}..{spec.first_seed + spec.seeds - 1})"
    meta = {"scenario": spec.path.name, "settings": "; ".join(spec.sets) or "as shipped", "seeds": seeds,
            "made": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") + " by crossings serve"}
    lines = headlines(summary) or ["The levers change none of the headline measures in this window."]
    charts = [fan_svg(summary.bands, p, m) for p, m in chart_choices(summary.bands) if m in CHART_MEASURES]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1><ul class='meta'>",
             *(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in meta.items()), "</ul>",
             "<h2>What the levers did</h2>", *(f"<p>{html.escape(s)}</p>" for s in lines),
             "<p class='meta'>Each seed runs twice on the same random numbers, as set and with every lever "
             "off; the interval is over seeds (run-to-run randomness only, not parameter uncertainty). "
             "Aggregate flows and stocks only; see docs/intended_use.md for what the model can and cannot tell.</p>",
             "<h2>Effect over the window, per place and measure</h2>", _table(summary.effect_window),
             "<h2>Fan charts</h2>", *(f"<figure>{c}</figure>" for c in charts),
             *data_section(spec, summary), "</body></html>"]
    return "\n".join(parts)

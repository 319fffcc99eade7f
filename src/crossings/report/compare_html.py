"""The comparison report: one self-contained HTML page (figures inline as base64 PNG, nothing fetched).

`build_compare_html(comparison)` is a pure function of a crossings.runs.compare.Comparison, so the CLI
(`crossings compare`, `crossings demo`) and the browser app build the same page.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from crossings.core.measures import MEASURES, unit_of
from crossings.core.version import __version__
from crossings.report.bands import Band, band_panels
from crossings.report.context import (
    caveats,
    data_coverage_end,
    lever_page,
    lever_summary,
    link_urls,
    sources_for,
    yaml_comment,
)
from crossings.report.html import Section, build_html
from crossings.runs.compare import Comparison, headline_years

ASYLUM_PANELS = ("awaiting_decision", "in_hotels", "cost")
EFFECT_MEASURES = ("arrivals", "deaths", "interceptions", *ASYLUM_PANELS, "claims", "removals", "transfers")


def display_path(path: str | Path) -> str:
    """A scenario path as the reader should see it: relative to the current folder, else the file name only
    (no absolute local paths in a report that may be shared)."""
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    try:
        return os.path.relpath(p, Path.cwd()) if p.is_relative_to(Path.cwd()) else p.name
    except ValueError:
        return p.name


def _scenario_files(comp: Comparison) -> list[Path]:
    from crossings.scenario.load import scenario_files

    files: list[Path] = []
    for v in comp.variants[:2]:
        files += scenario_files(v.path)
    return files


def _series(df: pd.DataFrame, variant: str | None, place: str, measure: str, col: str = "variant") -> pd.DataFrame:
    f = df[(df["place"] == place) & (df["measure"] == measure)]
    if variant is not None:
        f = f[f[col] == variant]
    return f.sort_values("month")


def _unit(comp: Comparison, place: str, measure: str) -> str:
    return unit_of(measure, comp.currencies.get(place)) if measure in MEASURES else ""


def _variant_panels(comp: Comparison, places: Sequence[str], measure: str) -> tuple[dict[str, list[Band]],
                                                                                    dict[str, str]]:
    a, b = comp.variants[0].label, comp.variants[1].label
    panels: dict[str, list[Band]] = {}
    ylabels: dict[str, str] = {}
    for p in places:
        bands = []
        for lab in (a, b):
            s = _series(comp.monthly, lab, p, measure)
            if len(s):
                bands.append(Band(lab, s["month"].tolist(), s["mean"].tolist(), s["p05"].tolist(),
                                  s["p95"].tolist()))
        s = _series(comp.monthly, a, p, measure)
        if len(s) and s["observed"].notna().any():
            o = s[s["observed"].notna()]
            bands.append(Band("observed", o["month"].tolist(), o["observed"].tolist(), observed=True))
        if bands:
            title = f"{p}: {measure.replace('_', ' ')}"
            panels[title] = bands
            ylabels[title] = f"{_unit(comp, p, measure)} per month" if MEASURES[measure].kind in (
                "flow", "money") else _unit(comp, p, measure)
    return panels, ylabels


def _effect_panels(comp: Comparison, measure_places: Sequence[tuple[str, str]]) -> tuple[dict[str, list[Band]],
                                                                                           dict[str, str]]:
    panels: dict[str, list[Band]] = {}
    ylabels: dict[str, str] = {}
    for c in comp.contrasts:
        for p, m in measure_places:
            s = _series(comp.effects_monthly, c.label, p, m, col="contrast")
            if not len(s) or (s["p05"].eq(0).all() and s["p95"].eq(0).all()):
                continue
            title = f"{c.label}: difference in {p} {m.replace('_', ' ')}"
            panels[title] = [Band("difference (mean)", s["month"].tolist(), s["mean"].tolist(), s["p05"].tolist(),
                                  s["p95"].tolist())]
            ylabels[title] = _unit(comp, p, m)
    return panels, ylabels


def headline_section(comp: Comparison) -> Section:
    items = "".join(f"<li>{html.escape(h)}</li>" for h in comp.headlines)
    a, b = comp.variants[0].label, comp.variants[1].label
    how = (f"Each of the {len(comp.seeds)} seeds ran every variant with the same random numbers (common random "
           "numbers), so a seed's difference is what the change did, not run-to-run noise. The 90% interval is "
           "the 5th to 95th percentile of those differences over seeds: the model's own randomness only, not "
           "parameter or model-structure uncertainty (see Caveats).")
    main = (f"'{b}' is '{a}' with every lever switched off; 'the lever X' compares '{a}' with '{a}' without X, "
            "the other levers kept." if comp.variants[1].baseline else f"Differences are '{b}' minus '{a}'.")
    return Section("Headline", paragraphs=[main, how],
                   html_blocks=[f'<ul class="headline">{items or "<li>no difference in any seed</li>"}</ul>'])


def levers_table(comp: Comparison) -> pd.DataFrame:
    files = _scenario_files(comp)
    rows = []
    for lv in comp.levers:
        what = yaml_comment(files, lv.name.split(".")[-1]) or lever_summary(lv.kind)
        rows.append({"lever": lv.name, "type": lv.kind, "acts on": ", ".join(lv.routes) or lv.place,
                     "start": str(lv.start), "end": str(lv.end or "open"), f"on in {comp.variants[0].label}":
                     lv.enabled, "what it is": what, "page": lever_page(lv.kind)})
    return pd.DataFrame(rows).set_index("lever") if rows else pd.DataFrame()


def annual_effects_table(comp: Comparison) -> pd.DataFrame:
    e = comp.effects_annual
    e = e[e["measure"].isin(EFFECT_MEASURES)]
    e = e[~(e["p05"].eq(0) & e["p95"].eq(0))]
    out = e.rename(columns={"mean": "difference (mean)", "p05": "5%", "p50": "median", "p95": "95%"})
    return out.set_index(["contrast", "year", "place", "measure"])


def annual_variants_table(comp: Comparison, measures: Sequence[str]) -> pd.DataFrame:
    """Rows (place, measure, year); per variant its mean and 5-95% over seeds, observed once."""
    a = comp.annual[comp.annual["measure"].isin(measures)]
    keys = ["place", "measure", "year"]
    first = a[a["variant"] == comp.variants[0].label].set_index(keys)
    out = first[["unit", "observed"]].copy()
    for v in comp.variants[:2]:
        f = a[a["variant"] == v.label].set_index(keys)
        out[f"{v.label}: mean"] = f["mean"]
        out[f"{v.label}: 5-95%"] = pd.Series([f"{lo:,.0f} to {hi:,.0f}" for lo, hi in
                                               zip(f["p05"], f["p95"], strict=True)], index=f.index)
    return out.sort_index()


def glossary(comp: Comparison, shown_measures: Sequence[str]) -> pd.DataFrame:
    files = _scenario_files(comp)
    rows = []
    for p, kind in comp.place_kinds.items():
        if kind == "route" and p in comp.route_ends:
            coast, dest = comp.route_ends[p]
            note = yaml_comment(files, coast)
            text = f"sea crossing from the {coast} coast to {dest}" + (f" ({note})" if note else "")
        else:
            note = yaml_comment(files, p)
            text = f"{kind}" + (f": {note}" if note else "") + (
                ", all its routes summed" if kind == "destination" and p in {d for _, d in comp.route_ends.values()}
                else "")
        rows.append({"id": p, "is": kind, "meaning": text})
    for lv in comp.levers:
        what = yaml_comment(files, lv.name.split(".")[-1]) or lever_summary(lv.kind)
        rows.append({"id": lv.name, "is": f"lever ({lv.kind})", "meaning": f"{what} See {lever_page(lv.kind)}."})
    for m in shown_measures:
        if m in MEASURES:
            rows.append({"id": m, "is": f"measure ({MEASURES[m].kind}, {MEASURES[m].unit})",
                         "meaning": MEASURES[m].description})
    for v in comp.variants:
        over = ", ".join(f"{k}={val}" for k, val in v.overrides.items())
        what = "every lever off" if v.baseline else (f"with {over}" if over else "as written")
        rows.append({"id": v.label, "is": "variant", "meaning": f"{display_path(v.path)}, {what}"})
    rows.append({"id": "5-95% band, 90% interval", "is": "uncertainty",
                 "meaning": "5th to 95th percentile over seeds (the model's randomness only)"})
    return pd.DataFrame(rows).set_index("id")


def sources_section(comp: Comparison) -> Section:
    items = []
    for s in sources_for(comp.data_versions):
        reg = " ".join(f"<br><em>{html.escape(i)}</em>: {link_urls(html.escape(r))}"
                       for i, r in zip(s.source_ids, s.registry, strict=True))
        items.append(f"<li><code>{html.escape(s.file)}</code> "
                     f"(version {html.escape(comp.data_versions.get(s.file, ''))}): {html.escape(s.what)}{reg}</li>")
    end = data_coverage_end()
    paras = [f"The observed values in this comparison end in {comp.data_end or 'no month'}"
             + (f"; the bundled data end on {end}." if end else ".")]
    paras.append("Every observed row names its source in src/crossings/data/observed/SOURCES.md.")
    return Section("Data and sources", paragraphs=paras, html_blocks=[f"<ul>{''.join(items)}</ul>"])


def compare_sections(comp: Comparison) -> list[Section]:
    """The page's sections for a Comparison (headline, figures with bands, tables, sources, caveats, glossary)."""
    a, b = comp.variants[0], comp.variants[1]
    routes = [p for p, k in comp.place_kinds.items() if k == "route"]
    dests = sorted({d for _, d in comp.route_ends.values()} - set(routes))
    sea_places = [*routes, *[d for d in dests if len(routes) > 1]]
    sections = [headline_section(comp)]
    lt = levers_table(comp)
    sections.append(Section("What was compared", paragraphs=[
        f"{a.label}: {comp.descriptions.get(a.label, '')}",
        f"{b.label}: " + ("the same scenario with every lever switched off." if b.baseline
                          else comp.descriptions.get(b.label, ""))],
        tables=[("Levers of " + a.label, lt)] if len(lt) else []))
    shown: list[str] = ["arrivals", "deaths"]
    panels, ylab = _variant_panels(comp, sea_places, "arrivals")
    figs = [("Arrivals per month: mean and 5-95% band over seeds; dots: observed", band_panels(panels, ylab))] \
        if panels else []
    eff_places = [(p, "arrivals") for p in sea_places]
    epanels, eylab = _effect_panels(comp, eff_places)
    if epanels:
        figs.append(("Difference per month (with minus without), mean and 5-95% band over seeds",
                     band_panels(epanels, eylab, zero_line=True)))
    dpanels, dylab = _variant_panels(comp, dests or routes, "deaths")
    if not dpanels:  # a destination without a sea total (one route): its route
        dpanels, dylab = _variant_panels(comp, routes, "deaths")
    if dpanels:
        figs.append(("Dead and missing per month; dots: observed (IOM Missing Migrants, minimum counts)",
                     band_panels(dpanels, dylab)))
    sections.append(Section("Sea crossings", figures=figs, tables_first=False,
                            tables=[("Per year: simulated mean and 5-95% over seeds; observed where a full year "
                                     "exists", annual_variants_table(comp, ["arrivals", "deaths"]))]))
    if comp.currencies:
        places = list(comp.currencies)
        apanels: dict[str, list[Band]] = {}
        aylab: dict[str, str] = {}
        for m in ASYLUM_PANELS:
            p_, y_ = _variant_panels(comp, places, m)
            apanels.update(p_)
            aylab.update(y_)
        shown += list(ASYLUM_PANELS)
        cur = ", ".join(sorted(set(comp.currencies.values())))
        sections.append(Section(
            "Asylum system", tables_first=False, paragraphs=[f"Backlog (people awaiting an initial decision, end of month), people in "
                                         f"contingency hotels (end of month) and spending per month in {cur}."],
            figures=[("Asylum: mean and 5-95% band over seeds; dots: observed", band_panels(apanels, aylab))]
            if apanels else [],
            tables=[("Per year (stocks at the year's end, flows and money summed)",
                     annual_variants_table(comp, list(ASYLUM_PANELS)))]))
    sections.append(Section("Differences per year, with their 5-95% over seeds",
                            tables=[("Per contrast, year, place and measure", annual_effects_table(comp))]))
    sections.append(sources_section(comp))
    sections.append(Section("Caveats (docs/intended_use.md)",
                            html_blocks=["<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in caveats())
                                         + "</ul>"]))
    sections.append(Section("Glossary of the ids shown", tables=[("", glossary(comp, shown))]))
    return sections


def page_meta(comp: Comparison, wall_s: float | None = None) -> dict[str, str]:
    meta = {"scenarios": ", ".join(dict.fromkeys(display_path(v.path) for v in comp.variants)),
            "seeds": f"{comp.seeds[0]}-{comp.seeds[-1]} ({len(comp.seeds)})",
            "data end": comp.data_end, "crossings": __version__,
            "git commit": str(comp.manifest.get("git_commit", ""))}
    if wall_s is not None:
        meta["wall time"] = f"{wall_s:.0f} s"
    return meta


def build_compare_html(comp: Comparison, title: str | None = None, wall_s: float | None = None) -> str:
    """The whole page for a Comparison (headline, figures with bands, tables, sources, caveats, glossary)."""
    title = title or f"Crossings: {comp.variants[0].label} compared with {comp.variants[1].label}"
    return build_html(title, compare_sections(comp), page_meta(comp, wall_s))


def headline_table(comp: Comparison) -> pd.DataFrame:
    """The headline rows as a table (contrast, year, place, measure, unit, mean, 5%, 95%) for the CSV."""
    rows = []
    for c in comp.contrasts:
        ys = headline_years(comp, c)
        e = comp.effects_annual
        rows.append(e[(e["contrast"] == c.label) & e["year"].isin(ys) & e["measure"].isin(EFFECT_MEASURES)])
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

"""`crossings report DIR`: one self-contained HTML page for any result folder Crossings wrote (a run, an
ensemble, a comparison or a forecast), in the comparison report's style.

The folder's manifest.json and file names say what it holds; nothing is rerun. Figures show the simulated
mean (with its 5-95% band where the table has one) and the observed values; every table keeps its unit.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from crossings.core.errors import InputError
from crossings.core.measures import MEASURES
from crossings.core.version import __version__
from crossings.report.bands import Band, band_panels
from crossings.report.compare_html import display_path
from crossings.report.context import caveats, data_coverage_end, link_urls, sources_for
from crossings.report.html import Section, build_html

# (file holding the monthly table, what the folder is); the first one present decides
KINDS = (("compare_monthly.csv", "comparison"), ("forecast_monthly.csv", "forecast"),
         ("ensemble_monthly.csv", "ensemble"), ("monthly.csv", "run"))
SHOWN = ("arrivals", "deaths", "interceptions", "awaiting_decision", "in_hotels", "cost")
MAX_PLACES = 6


def kind_of(folder: Path) -> tuple[str, Path]:
    for name, kind in KINDS:
        if (folder / name).is_file():
            return kind, folder / name
    raise InputError(str(folder), "", "not a Crossings result folder (no monthly table: "
                                      + ", ".join(n for n, _ in KINDS) + ")")


def _panels(m: pd.DataFrame, measure: str, value: str, label: str | None) -> tuple[dict[str, list[Band]],
                                                                                   dict[str, str]]:
    f = m[m["measure"] == measure]
    places = list(dict.fromkeys(f["place"]))[:MAX_PLACES]
    panels: dict[str, list[Band]] = {}
    ylabels: dict[str, str] = {}
    for p in places:
        g = f[f["place"] == p].sort_values("month")
        if g[value].fillna(0).eq(0).all() and ("observed" not in g or g["observed"].isna().all()):
            continue  # nothing happened and nothing observed: no empty panel
        groups = [(str(value), g)] if label is None else [(str(k), h) for k, h in g.groupby(label, sort=False)]
        bands = []
        for lab, h in groups:
            lo = h["p05"].tolist() if "p05" in h else None
            hi = h["p95"].tolist() if "p95" in h else None
            bands.append(Band(lab, h["month"].astype(str).tolist(), h[value].tolist(), lo, hi))
        first = groups[0][1]
        if "observed" in first and first["observed"].notna().any():
            o = first[first["observed"].notna()]
            bands.append(Band("observed", o["month"].astype(str).tolist(), o["observed"].tolist(), observed=True))
        title = f"{p}: {measure.replace('_', ' ')}"
        panels[title] = bands
        ylabels[title] = str(g["unit"].iloc[0]) if "unit" in g and len(g) else ""
    return panels, ylabels


def build_dir_report(folder: str | Path) -> str:
    """The page for a result folder (see the module docstring)."""
    folder = Path(folder)
    kind, table = kind_of(folder)
    manifest: dict[str, Any] = {}
    if (folder / "manifest.json").is_file():
        manifest = json.loads((folder / "manifest.json").read_text())
    m = pd.read_csv(table, dtype={"month": str})
    if "place" not in m.columns and "route" in m.columns:  # tables written before the place column
        m = m.rename(columns={"route": "place"})
    value = next(c for c in ("mean", "p50", "simulated") if c in m.columns)
    label = "variant" if "variant" in m.columns else None
    sections: list[Section] = []
    what = {"run": "one run (one seed)", "ensemble": "an ensemble: mean and 5-95% over seeds",
            "comparison": "a comparison: each variant's mean and 5-95% over seeds",
            "forecast": "a forecast: mean and 5-95% over draws"}[kind]
    paras = [f"This folder holds {what}."]
    if kind == "comparison" and manifest.get("headlines"):
        sections.append(Section("Headline", html_blocks=["<ul class=\"headline\">" + "".join(
            f"<li>{html.escape(h)}</li>" for h in manifest["headlines"]) + "</ul>"]))
    if kind == "run":
        paras.append("One seed shows one possible path; `crossings ensemble` or `crossings compare` give bands.")
    figs = []
    for measure in SHOWN:
        if measure in set(m["measure"]):
            panels, ylab = _panels(m, measure, value, label)
            if panels:
                figs.append((f"{measure.replace('_', ' ')} per month ({value}"
                             + (", 5-95% band" if "p05" in m else "") + "; dots: observed)", band_panels(panels, ylab)))
    sections.append(Section("Per month", paragraphs=paras, figures=figs))
    observed = m.loc[m["observed"].notna(), "month"] if "observed" in m else pd.Series(dtype=str)
    files = [str(f) for f in (manifest.get("data_versions") or {})]
    items = "".join(f"<li><code>{html.escape(s.file)}</code>: {html.escape(s.what)}"
                    + "".join(f"<br><em>{html.escape(i)}</em>: {link_urls(html.escape(r))}"
                              for i, r in zip(s.source_ids, s.registry, strict=True)) + "</li>"
                    for s in sources_for(files))
    end = data_coverage_end()
    sections.append(Section("Data and sources", paragraphs=[
        f"Observed values in this folder end in {observed.max() if len(observed) else 'no month'}"
        + (f"; the bundled data end on {end}." if end else ".")], html_blocks=[f"<ul>{items}</ul>"]))
    sections.append(Section("Caveats (docs/intended_use.md)", html_blocks=[
        "<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in caveats()) + "</ul>"]))
    gl = []
    kinds = m.drop_duplicates("place").set_index("place")["place_kind"] if "place_kind" in m else None
    for p in dict.fromkeys(m["place"]):
        gl.append({"id": p, "is": str(kinds[p]) if kinds is not None else "place", "meaning": ""})
    for meas in SHOWN:
        if meas in MEASURES and meas in set(m["measure"]):
            gl.append({"id": meas, "is": f"measure ({MEASURES[meas].kind})", "meaning": MEASURES[meas].description})
    sections.append(Section("Glossary of the ids shown", tables=[("", pd.DataFrame(gl).set_index("id"))]))
    seeds = manifest.get("seeds")
    meta = {"folder": display_path(folder.resolve()), "kind": kind,
            "scenario": display_path(str(manifest.get("scenario", ""))) if manifest.get("scenario") else "",
            "seeds": f"{seeds[0]}-{seeds[-1]} ({len(seeds)})" if isinstance(seeds, list) and seeds else str(
                manifest.get("seed", "")),
            "git commit": str(manifest.get("git_commit", "")), "crossings": __version__}
    return build_html(f"Crossings report: {folder.name} ({kind})", sections, {k: v for k, v in meta.items() if v})


def cmd_report(args: Any) -> int:
    from crossings.core.output import write_text_atomic

    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputError(str(folder), "", "no such folder")
    page = build_dir_report(folder)  # before writing: a bad folder writes nothing
    out = Path(args.out) if args.out else folder.with_name(folder.name + "_report.html")
    write_text_atomic(out, page)
    print(f"report: {out}")
    return 0

"""A self-contained HTML report: text, tables and PNG figures embedded as base64 (one file, no assets)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
img { max-width: 100%; } li { margin: 0.3em 0; } .headline li { font-size: 1.05em; } .meta { color: #666; font-size: 0.85em; } p.note { color: #444; }
"""


@dataclass
class Section:
    """One titled block of the report: paragraphs, tables and figures (base64 PNG strings), in that order."""

    title: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[tuple[str, pd.DataFrame]] = ()
    figures: Sequence[tuple[str, str]] = ()  # (caption, base64 png)
    notes: Sequence[str] = field(default_factory=tuple)
    html_blocks: Sequence[str] = ()  # ready HTML, built by the report with its text escaped (lists, links)
    tables_first: bool = True  # False: figures above the tables


def table_html(df: pd.DataFrame, digits: int = 0) -> str:
    """A DataFrame as an HTML table; numbers with thousands separators, text escaped."""
    def fmt(x: object) -> str:
        if isinstance(x, bool):
            return "yes" if x else "no"
        if isinstance(x, int | float):
            if pd.isna(x):
                return ""
            if x != 0 and abs(x) < 10 and x != round(x):  # rates and shares: 3 significant figures
                return f"{x:.3g}"
            return f"{x:,.{digits}f}"
        return str(x)

    shown = df.copy()
    for col in shown.columns:
        shown[col] = shown[col].map(fmt)
    return shown.to_html(escape=True, border=0)


def build_html(title: str, sections: Sequence[Section], meta: Mapping[str, str] | None = None) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    if meta:
        items = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>" for k, v in meta.items())
        parts.append(f'<ul class="meta">{items}</ul>')
    for sec in sections:
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in sec.paragraphs)
        parts.extend(sec.html_blocks)
        tables = [f"<h3>{html.escape(caption)}</h3>{table_html(df)}" for caption, df in sec.tables]
        figures = [f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{png}">'
                   f"<figcaption>{html.escape(caption)}</figcaption></figure>" for caption, png in sec.figures]
        parts.extend([*tables, *figures] if sec.tables_first else [*figures, *tables])
        parts.extend(f'<p class="note">{html.escape(n)}</p>' for n in sec.notes)
    parts.append("</body></html>")
    return "\n".join(parts)

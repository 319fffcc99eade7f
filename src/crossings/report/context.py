"""What a report says around its numbers: the ids' meanings (from the scenario files' own comments and the
lever pages), the sources of the observed data (SOURCES.md), and the caveats (docs/intended_use.md).

Nothing here is written by hand for the report: each text is read from the file that owns it, so the report
says what the scenario and the docs say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from crossings.runs.catalog import LEVER_PAGES, lever_doc, yaml_comment

__all__ = ["caveats", "data_coverage_end", "lever_page", "lever_summary", "link_urls", "sources_for", "yaml_comment"]

SOURCES_MD = Path(__file__).resolve().parents[1] / "data" / "observed" / "SOURCES.md"


def docs_dir() -> Path | None:
    """The project's docs/ (a checkout, or the current folder's), None for an installed package without it."""
    here = Path(__file__).resolve()
    for d in (Path.cwd() / "docs", here.parents[3] / "docs"):
        if (d / "intended_use.md").is_file():
            return d
    return None


def lever_page(kind: str) -> str:
    """Relative path of the lever's doc page (docs/levers/...)."""
    return lever_doc(kind)


def lever_summary(kind: str) -> str:
    """The lever page's first paragraph, '**What it does.**' dropped; '' when the docs are not at hand."""
    d = docs_dir()
    if d is None:
        return ""
    page = d / "levers" / f"{LEVER_PAGES.get(kind, kind)}.md"
    if not page.is_file():
        return ""
    paras = [p for p in page.read_text().split("\n\n") if p.strip() and not p.startswith("#")]
    if not paras:
        return ""
    text = re.sub(r"\*\*What it does\.\*\*\s*", "", " ".join(paras[0].split()))
    return text.replace("`", "")


@dataclass(frozen=True)
class Source:
    file: str
    what: str
    source_ids: tuple[str, ...]
    registry: tuple[str, ...]  # the registry's text for each source id (with its addresses)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def sources_for(files: Iterable[str]) -> list[Source]:
    """For each bundled data file, its SOURCES.md row (what it holds) and its sources' registry entries."""
    if not SOURCES_MD.is_file():
        return []
    lines = SOURCES_MD.read_text().splitlines()
    registry: dict[str, str] = {}
    rows: dict[str, list[str]] = {}
    for line in lines:
        if not line.startswith("| `"):
            continue
        cells: list[str] = _cells(line)
        name = cells[0].split("`")[1]
        if name.endswith(".csv"):
            rows[name.removesuffix(".csv")] = cells
        elif len(cells) >= 3:
            registry[name] = f"{cells[1]} ({cells[2]})"
    out = []
    for f in sorted(set(files)):
        row = rows.get(f)
        if row is None:
            continue
        ids = tuple(i for i in re.findall(r"[A-Z][A-Z0-9_]{4,}", row[-1]) if i in registry)
        out.append(Source(f, row[1].replace("`", ""), ids, tuple(registry[i] for i in ids)))
    return out


def caveats() -> list[str]:
    """The bullets of 'Known limits' in docs/intended_use.md (a pointer to it when the docs are not at hand)."""
    d = docs_dir()
    if d is None:
        return ["See docs/intended_use.md in the Crossings repository for what the model can and cannot tell."]
    text = (d / "intended_use.md").read_text()
    section = text.split("## Known limits", 1)[-1].split("\n## ", 1)[0]
    items = re.split(r"\n- ", "\n" + section.strip())
    return [" ".join(i.split()).replace("`", "") for i in items if i.strip()]


def data_coverage_end() -> str:
    """'Coverage in this release ends on YYYY-MM-DD' from SOURCES.md, '' if it does not say."""
    if not SOURCES_MD.is_file():
        return ""
    m = re.search(r"[Cc]overage in this release ends on (\d{4}-\d{2}-\d{2})", SOURCES_MD.read_text())
    return m.group(1) if m else ""


_URL = re.compile(r"(https?://[^\s,;)]+)")


def link_urls(escaped: str) -> str:
    """Turn the addresses in already-escaped text into links (they are only followed if the reader clicks)."""
    return _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)

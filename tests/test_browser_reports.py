"""The HTML reports opened in Debian's chromium, as a reader opens them: `crossings compare` and `crossings
demo` write report.html; every figure on the page loads and is drawn with a non-zero size, and the headline
is there. Screenshots go to the test's tmp dir. Skipped only where chromium is missing outside CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crossings.app.browser import browser, chromium, figures
from crossings.cli import main

if chromium() is None:
    if os.environ.get("CI") == "true":  # in CI the browser tests must run: .ci/run installs chromium
        raise RuntimeError("CI=true but /usr/bin/chromium is missing")
    pytest.skip("chromium is not installed (outside CI)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    with browser() as b:
        yield b


def _open(chrome: Any, html: Path, png: Path) -> tuple[list[dict[str, Any]], str]:
    page = chrome.new_page(viewport={"width": 1200, "height": 1600})
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    figs, text = figures(page), str(page.inner_text("body"))
    page.screenshot(path=str(png), full_page=True)
    page.close()
    return figs, text


def _drawn(figs: list[dict[str, Any]]) -> bool:
    return bool(figs) and all(f["loaded"] and f["width"] > 50 and f["height"] > 50 for f in figs)


def test_compare_report_shows_its_figures_and_headline(chrome: Any, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    rc = main(["compare", str(ROOT / "scenarios" / "central_med.yaml"), "--baseline", "--seeds", "2",
               "--set", "start=2023-01-01", "--set", "end=2024-12-31", "--out", str(out), "--no-parquet"])
    assert rc == 0
    figs, text = _open(chrome, out / "report.html", tmp_path / "compare_report.png")
    assert _drawn(figs) and len(figs) >= 2, figs
    assert "tunisia_mou" in text and "90% interval" in text
    assert (tmp_path / "compare_report.png").stat().st_size > 20_000


def test_demo_report_shows_its_figures(chrome: Any, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--no-progress", "--seeds", "2", "--jobs", "2"]) == 0
    figs, _ = _open(chrome, out / "report.html", tmp_path / "demo_report.png")
    assert _drawn(figs) and len(figs) >= 3, figs


def test_a_broken_figure_is_caught(chrome: Any, tmp_path: Path) -> None:
    """The check can fail: an image that does not load, or an empty svg, is not 'drawn'."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><img alt="x" src="data:image/png;base64,AAAA"><svg width="0" height="0"></svg>')
    figs, _ = _open(chrome, page, tmp_path / "broken.png")
    assert len(figs) == 2 and not _drawn(figs)

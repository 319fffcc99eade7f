"""Screenshots for the docs, taken in Debian's chromium (headless, through Playwright), as a reader sees them:

- docs/img/app.png: the browser app after a run of central_med (the Tunisia deal's fan chart);
- docs/img/demo_report.png: the top of `crossings demo`'s report.html;
- docs/img/compare_report.png: the top of `crossings compare scenarios/central_med.yaml --baseline`'s report.

    uv run --frozen python scripts/make_screenshots.py [--seeds 10] [--out docs/img] [--only app|demo|compare]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crossings.app.browser import browser, figures, running_app
from crossings.cli import main as crossings

ROOT = Path(__file__).resolve().parents[1]


def shoot_report(b: Any, html: Path, png: Path) -> None:
    page = b.new_page(viewport={"width": 1200, "height": 1700})
    page.goto(html.as_uri())
    figs = figures(page)
    bad = [f for f in figs if not (f["loaded"] and f["width"] > 0 and f["height"] > 0)]
    if not figs or bad:
        raise SystemExit(f"{html}: figures missing or empty: {bad or 'none'}")
    page.screenshot(path=str(png))
    page.close()
    print(f"{png}: {len(figs)} figures in {html.name}")


def shoot_app(b: Any, url: str, png: Path, seeds: int) -> None:
    page = b.new_page(viewport={"width": 1100, "height": 1500})
    page.goto(f"{url}/?scenario=central_med")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#start", "2022-01-01")
    page.fill("#seeds", str(seeds))
    page.click("#run")
    page.wait_for_selector("#chart svg", timeout=600_000)
    page.select_option("#chart-choice", "tunisia_italy|arrivals")
    page.wait_for_function("() => document.querySelector('#chart svg')?.dataset.place === 'tunisia_italy'")
    page.screenshot(path=str(png), full_page=True)
    page.close()
    print(f"{png}: the app after a {seeds}-seed run of central_med")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds for the app run and the comparison (default: 10)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for the comparison (default: 2)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the PNGs (default: docs/img)")
    ap.add_argument("--only", choices=["app", "demo", "compare"], action="append",
                    help="take only these screenshots (repeatable; default: all three)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["app", "demo", "compare"])
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crossings-shots-") as tmp:
        demo, comp = Path(tmp) / "demo", Path(tmp) / "compare"
        if "demo" in only and crossings(["demo", "--out", str(demo), "--no-progress"]) != 0:
            return 1
        if "compare" in only and crossings(["compare", str(ROOT / "scenarios" / "central_med.yaml"), "--baseline", "--seeds",
                      str(args.seeds), "--jobs", str(args.jobs), "--out", str(comp), "--no-parquet"]) != 0:
            return 1
        with browser() as b, running_app() as url:
            if "demo" in only:
                shoot_report(b, demo / "report.html", args.out / "demo_report.png")
            if "compare" in only:
                shoot_report(b, comp / "report.html", args.out / "compare_report.png")
            if "app" in only:
                shoot_app(b, url, args.out / "app.png", args.seeds)
    print(f"done in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Report builder on tiny synthetic tidy tables (the demo end-to-end is in test_report_demo.py)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.report import sections
from crossings.report.demo import scenario_dirs, scenario_path
from crossings.report.figures import compare_panels
from crossings.report.html import Section, build_html, table_html

ROUTES = ("libya_italy", "tunisia_italy", "italy", "france_uk")


def _monthly() -> pd.DataFrame:
    months = [str(p) for p in pd.period_range("2023-01", "2024-12", freq="M")]
    rows = []
    for i, route in enumerate(ROUTES):
        for measure in ("arrivals", "interceptions", "deaths", "boats"):
            rows.append(pd.DataFrame({"month": months, "place": route, "measure": measure,
                                      "simulated": np.arange(len(months), dtype=float) + 100 * (i + 1),
                                      "observed": np.nan}))
    return pd.concat(rows, ignore_index=True)


def _daily() -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", "2024-12-31").strftime("%Y-%m-%d")
    sim = np.where(np.arange(len(dates)) % 3 == 0, 0.0, 200.0)
    return pd.DataFrame({"date": dates, "place": "france_uk", "measure": "arrivals", "simulated": sim,
                         "observed": np.nan})


def _png_ok(b64: str) -> bool:
    return base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"


def test_year_table_has_sim_and_obs_columns() -> None:
    t = sections.year_table(_monthly(), ["libya_italy", "italy", "france_uk"])
    assert t.loc[("libya_italy", 2023), "arrivals sim"] == sum(100 + k for k in range(12))
    assert t.loc[("libya_italy", 2023), "arrivals obs"] == 51986  # Viminale year-end, departure country
    assert pd.isna(t["deaths obs"].loc[("libya_italy", 2023)])  # MMP is not split by departure country
    assert t.loc[("italy", 2024), "arrivals obs"] == 66617
    assert t.loc[("france_uk", 2024), "arrivals obs"] == 36816
    assert sections.routes_of(_monthly())[:2] == ["france_uk", "libya_italy"]


def test_html_is_one_self_contained_file() -> None:
    m = _monthly()
    secs = [
        Section("Tables", paragraphs=["a <b>bold</b> claim"], tables=[("t", sections.year_table(m, ["italy"]))]),
        sections.arrivals_section(m, m),
        sections.channel_daily_section(_daily()),
        sections.deaths_section(m, m),
        sections.lever_section(m, m.assign(simulated=m["simulated"] * 2), "tunisia_mou"),
    ]
    html = build_html("Demo <test>", secs, {"seed": "1"})
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "Demo &lt;test&gt;" in html and "a &lt;b&gt;bold&lt;/b&gt; claim" in html
    assert not re.search(r'src="(?!data:image/png;base64,)', html)  # nothing fetched from elsewhere
    imgs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(imgs) == 5 and all(_png_ok(b) for b in imgs)
    assert "Days without arrivals: simulated 33%" in html
    assert "levers.tunisia_mou.enabled" in html


def test_table_html_formats_numbers() -> None:
    df = pd.DataFrame({"x": [1234.4, np.nan], "ok": [True, False]}, index=["a", "b"])
    out = table_html(df)
    assert "1,234" in out and "yes" in out and "no" in out and "nan" not in out


def test_compare_panels_handles_missing_series() -> None:
    s = pd.Series([1.0, 2.0], index=["2024-01", "2024-02"])
    assert _png_ok(compare_panels({"p": {"a": s, "b": None}}, "people"))


def test_scenario_lookup_explains_failure() -> None:
    from crossings.core.errors import InputError

    with pytest.raises(InputError, match="shipped scenario not found"):
        scenario_path("no_such_scenario.yaml")
    assert Path.cwd() / "scenarios" in scenario_dirs()

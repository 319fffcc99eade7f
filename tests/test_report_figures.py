"""Report figures: every legend entry has something drawn; no-data series are named in the panel instead."""

from __future__ import annotations

import pandas as pd

from crossings.report import bands, figures


def _capture(monkeypatch):
    seen = []
    monkeypatch.setattr(figures, "to_base64_png", lambda fig, dpi=90: seen.append(fig) or "")
    monkeypatch.setattr(bands, "to_base64_png", lambda fig, dpi=90: seen.append(fig) or "")
    return seen


def test_no_legend_entry_without_a_line(monkeypatch):
    seen = _capture(monkeypatch)
    s = pd.Series([1.0, 2.0], index=["2024-01", "2024-02"])
    figures.compare_panels({"a": {"simulated": s, "observed: no series": None}}, "people")
    ax = seen[0].axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["simulated"]
    assert any("observed: no series" in t.get_text() for t in ax.texts)
    figures.compare_panels({"b": {"observed: no series": None}}, "people")
    assert seen[1].axes[0].get_legend() is None


def test_band_axis_numbers_are_plain(monkeypatch):
    assert bands.plain_number(78470.0) == "78,470" and bands.plain_number(1.2e9) == "1.2bn"
    seen = _capture(monkeypatch)
    b = bands.Band("x", ["2024-01", "2024-02"], [1.0, 2.0], [0.5, 1.5], [1.5, 2.5])
    empty = bands.Band("nothing", [], [])
    bands.band_panels({"p": [b, empty]}, "people")
    labels = [t.get_text() for t in seen[0].axes[0].get_legend().get_texts()]
    assert labels == ["x", "x: 5-95% over seeds"]

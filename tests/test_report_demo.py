"""`crossings demo` end to end on the shipped scenarios (about 10-20 s; skipped without them)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest

from crossings.core.errors import InputError
from crossings.report import demo


def _have_scenarios() -> bool:
    try:
        demo.scenario_path("central_med.yaml")
        demo.scenario_path("channel.yaml")
    except InputError:  # scenario_path's only "not found" error; anything else is a bug and must fail
        return False
    return True


@pytest.mark.skipif(not _have_scenarios(), reason="shipped scenarios not found")
def test_demo_writes_results_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert demo.cmd_demo(argparse.Namespace(out=str(out), seed=3, no_progress=True)) == 0
    for run in ("central_med", "central_med_no_tunisia_deal", "channel"):
        m = pd.read_csv(out / run / "monthly.csv")
        assert {"month", "place", "measure", "unit", "simulated", "observed"} <= set(m.columns)
        assert json.loads((out / run / "manifest.json").read_text())["seed"] == 3
    off = json.loads((out / "central_med_no_tunisia_deal" / "manifest.json").read_text())
    assert False in off["levers_enabled"].values()
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 5 and "<script" not in html
    printed = capsys.readouterr().out
    assert "france_uk" in printed and "tunisia_italy" in printed and "report.html" in printed

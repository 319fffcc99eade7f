"""`crossings demo` end to end on the shipped scenarios: the comparison report, sea and asylum (a few minutes
on a busy machine; skipped without the scenarios)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from crossings.core.errors import InputError
from crossings.report import demo


def _have_scenarios() -> bool:
    try:
        for name in demo.DEMO_SCENARIOS:
            demo.scenario_path(name)
    except InputError:  # scenario_path's only "not found" error; anything else is a bug and must fail
        return False
    return True


@pytest.mark.skipif(not _have_scenarios(), reason="shipped scenarios not found")
def test_demo_writes_the_comparisons_and_one_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert demo.cmd_demo(argparse.Namespace(out=str(out), seed=3, seeds=2, jobs=1, no_progress=True)) == 0
    for part in ("central_med", "uk_rwanda"):
        m = pd.read_csv(out / part / "compare_monthly.csv")
        assert {"variant", "month", "place", "measure", "unit", "mean", "p05", "p95", "observed"} <= set(m.columns)
        assert json.loads((out / part / "manifest.json").read_text())["seeds"] == [3, 4]
        assert (out / part / "report.html").is_file()
    uk = pd.read_csv(out / "uk_rwanda" / "compare_annual.csv")
    assert set(uk.loc[uk["measure"] == "cost", "unit"]) == {"GBP"}  # money carries its currency
    page = (out / "report.html").read_text()
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", page)
    assert "Part 1 (central_med): Headline" in text and "Part 2 (uk_rwanda): Asylum system" in text
    assert "the lever tunisia_mou averted" in text and "90% interval" in text
    assert "awaiting_decision" in text and "GBP" in text
    assert page.count("data:image/png;base64,") >= 6 and "<script" not in page
    assert str(Path.cwd()) not in text and str(tmp_path) not in text  # no absolute local paths
    assert not re.search(r"\de[+-]\d\d", text)  # no 7.847e+04 numbers
    printed = capsys.readouterr().out
    assert "tunisia_mou" in printed and "report.html" in printed

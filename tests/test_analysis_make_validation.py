"""scripts/make_validation.py on one seed, without the slow out-of-sample refit (section 6)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from script_loader import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_validation.py"


def _load() -> ModuleType:
    return load_script("make_validation")


def test_markdown_helpers() -> None:
    mv = _load()
    assert mv.md_table([[1, "a"]], ["x", "y"]) == ["| x | y |", "|---|---|", "| 1 | a |", ""]
    assert mv.mark(True) == "pass" and mv.mark(False) == "**FAIL**"
    assert mv.pct(float("nan")) == "" and mv.pct(12.345) == "+12.3%"


@pytest.mark.skipif(not (SCRIPT.parents[1] / "scenarios" / "central_med.yaml").exists(), reason="no scenarios")
def test_document_sections_1_to_5(tmp_path: Path) -> None:
    mv = _load()
    out = tmp_path / "validation.md"
    assert mv.main(["--seeds", "1", "--out", str(out), "--only", "1", "--only", "2", "--only", "3",
                    "--only", "4", "--only", "5"]) == 0
    text = out.read_text()
    assert "NOT AVAILABLE" not in text
    for needle in ("122,823", "44,495", "51,986", "97,667", "42,279", "19,460", "95th-percentile",
                   "People per boat", "per 1,000 arrivals", "levers.", ".enabled=false"):
        assert needle in text, needle
    assert "## 6." not in text


def test_pass_fail_tally_counts_adjacent_cells() -> None:
    mv = _load()
    text = "| 2019 | pass | pass |\n| 2020 | **FAIL** | pass |\nBeats seasonal naive: **FAIL**.\nOK: pass."
    assert len(mv.PASS.findall(text)) == 4
    assert len(mv.FAIL.findall(text)) == 2

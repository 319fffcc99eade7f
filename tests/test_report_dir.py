"""`crossings report DIR`: a page for any result folder, read from its tables and manifest."""

from __future__ import annotations

import re
from pathlib import Path

from crossings.cli import main


def test_report_of_a_run_folder(tmp_path: Path, capsys) -> None:
    out = tmp_path / "uk"
    assert main(["run", "scenarios/uk_asylum.yaml", "--out", str(out), "--start", "2023-01-01", "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    page = (tmp_path / "uk_report.html").read_text()
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", page)
    assert "Crossings report: uk (run)" in text and "awaiting decision" in text
    assert page.count("data:image/png;base64,") >= 3 and "<script" not in page
    assert "uk_asylum_quarterly" in text and "Caveats" in text  # sources from the manifest's data files
    assert str(tmp_path) not in text and not re.search(r"\de[+-]\d\d", text)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in out.iterdir() if p.name != "report.html")


def test_report_refuses_a_folder_crossings_did_not_write(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r.html")]) == 2
    assert "not a Crossings result folder" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()

"""Regression tests (issue 9): --out replaces only a folder Crossings wrote, and only its own files;
staging folders left by a kill between the two renames of a replacement are cleaned up by the next run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crossings.core import output
from crossings.core.errors import InputError

DF = pd.DataFrame({"a": [1, 2]})


def test_a_bare_manifest_does_not_make_a_folder_ours(tmp_path: Path) -> None:
    # the reproducer: `echo '{}' > d/manifest.json; echo keep > d/index.html; crossings run ... --out d`
    d = tmp_path / "d"
    d.mkdir()
    (d / "manifest.json").write_text("{}")
    (d / "index.html").write_text("keep")
    with pytest.raises(InputError, match="no manifest.json written by crossings"):
        output.write_outputs(d, {"daily": DF}, {"seed": 1})
    assert (d / "index.html").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_a_user_file_kept_in_an_old_result_is_never_deleted(tmp_path: Path) -> None:
    d = tmp_path / "d"
    output.write_outputs(d, {"daily": DF}, {"seed": 1})
    man = json.loads((d / "manifest.json").read_text())
    assert man["written_by"] == "crossings"
    assert man["files"] == ["daily.csv", "daily.parquet"]
    (d / "my_scenario.yaml").write_text("keep")
    with pytest.raises(InputError, match="'my_scenario.yaml' was not written by crossings"):
        output.write_outputs(d, {"daily": DF}, {"seed": 2})
    assert (d / "my_scenario.yaml").read_text() == "keep"
    assert json.loads((d / "manifest.json").read_text())["seed"] == 1


def test_a_folder_in_place_of_an_own_file_is_foreign(tmp_path: Path) -> None:
    d = tmp_path / "d"
    output.write_outputs(d, {"daily": DF}, {"seed": 1}, parquet=False)
    (d / "daily.csv").unlink()
    (d / "daily.csv").mkdir()
    (d / "daily.csv" / "notes.txt").write_text("keep")
    with pytest.raises(InputError, match="not written by crossings"):
        output.write_outputs(d, {"daily": DF}, {"seed": 2})
    assert (d / "daily.csv" / "notes.txt").read_text() == "keep"


def test_an_own_result_is_replaced(tmp_path: Path) -> None:
    d = tmp_path / "d"
    output.write_outputs(d, {"daily": DF, "monthly": DF}, {"seed": 1})
    output.write_outputs(d, {"daily": DF}, {"seed": 2}, parquet=False)
    assert sorted(p.name for p in d.iterdir()) == ["daily.csv", "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


_KILLED_SWAP = """
import os, sys
import pandas as pd
from crossings.core import output
calls = []
real = os.replace
def replace(a, b):
    calls.append(1)
    if len(calls) == 2:  # the second rename of a replacement: killed before it happens
        os._exit(9)
    real(a, b)
output.os.replace = replace
output.write_outputs(sys.argv[1], {"daily": pd.DataFrame({"a": [2]})}, {"seed": 2})
"""


def test_a_kill_between_the_two_renames_is_cleaned_up_by_the_next_run(tmp_path: Path) -> None:
    d = tmp_path / "d"
    output.write_outputs(d, {"daily": DF}, {"seed": 1})
    keep = tmp_path / ".d.staging-4999999-user"  # named like ours but not ours: left alone
    keep.mkdir()
    (keep / "x.txt").write_text("keep")
    rc = subprocess.run([sys.executable, "-c", _KILLED_SWAP, str(d)], check=False).returncode
    assert rc == 9
    assert not d.exists()
    left = sorted(p.name.split("-")[0] for p in tmp_path.iterdir() if p != keep)
    assert left == [".d.old", ".d.staging"], left
    output.write_outputs(d, {"daily": DF}, {"seed": 3})
    assert sorted(p.name for p in tmp_path.iterdir()) == [keep.name, "d"]
    assert (keep / "x.txt").read_text() == "keep"
    assert json.loads((d / "manifest.json").read_text())["seed"] == 3


def test_cli_refuses_the_reproducer_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crossings.cli import main

    d = tmp_path / "d"
    d.mkdir()
    (d / "manifest.json").write_text("{}")
    (d / "index.html").write_text("keep")
    assert main(["run", "scenarios/channel.yaml", "--out", str(d), "--start", "2023-01-01",
                 "--end", "2023-01-31"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--out" in err[0]
    assert (d / "index.html").read_text() == "keep"

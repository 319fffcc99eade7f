"""Atomic output writing and the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from crossings.core import output
from crossings.core.errors import InputError


def test_write_outputs_writes_tables_and_manifest(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    m = output.make_manifest(scenario="s", scenario_hash="h", seed=3, wall_s=0.5, data_versions={"d": "v"})
    out = tmp_path / "run"
    output.write_outputs(out, {"daily": df}, m)
    assert pd.read_csv(out / "daily.csv").equals(df)
    assert pd.read_parquet(out / "daily.parquet").equals(df)
    man = json.loads((out / "manifest.json").read_text())
    for key in ("version", "git_commit", "scenario_hash", "seed", "wall_s", "data_versions"):
        assert key in man
    assert man["seed"] == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_failed_write_leaves_no_output(tmp_path: Path) -> None:
    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):  # type: ignore[no-untyped-def,override]
            raise RuntimeError("disk full")

    out = tmp_path / "run"
    with pytest.raises(RuntimeError):
        output.write_outputs(out, {"ok": pd.DataFrame({"a": [1]}), "bad": Boom({"a": [1]})}, {"x": 1})
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_hash_files_changes_with_content(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("1")
    h1 = output.hash_files([f])
    f.write_text("2")
    assert output.hash_files([f]) != h1


def test_write_text_atomic(tmp_path: Path) -> None:
    p = tmp_path / "sub" / "f.txt"
    output.write_text_atomic(p, "hello")
    assert p.read_text() == "hello"


def test_rewrite_replaces_an_earlier_result_whole(tmp_path: Path) -> None:
    out = tmp_path / "run"
    output.write_outputs(out, {"daily": pd.DataFrame({"a": [1]})}, {"seed": 1})
    output.write_outputs(out, {"daily": pd.DataFrame({"a": [2]})}, {"seed": 2}, parquet=False)
    assert not (out / "daily.parquet").exists(), "stale file from the earlier run"
    assert pd.read_csv(out / "daily.csv")["a"].tolist() == [2]
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_refuses_to_clobber_a_file_or_a_foreign_folder(tmp_path: Path) -> None:
    f = tmp_path / "afile"
    f.write_text("keep me")
    with pytest.raises(InputError, match="not a folder"):
        output.write_outputs(f, {"d": pd.DataFrame({"a": [1]})}, {})
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not empty"):
        output.write_outputs(mine, {"d": pd.DataFrame({"a": [1]})}, {})
    assert (mine / "notes.txt").read_text() == "keep me" and f.read_text() == "keep me"

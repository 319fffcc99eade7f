"""Resume of an interrupted back-test (issue 12): the run fails after two of three origins, a re-run computes only
the third (its fit warm-started from the checkpointed one), and the final CSV and JSON are byte-identical to an
uninterrupted run's; the checkpoint folder is gone once the output is written."""

import json
from pathlib import Path

import pytest

import crossings.forecasting.backtest as bt
from crossings.cli import main

ARGS = ["backtest", "scenarios/channel.yaml", "--json", "--first", "2022-01-01", "--step", "6", "--horizon", "3",
        "--draws", "50", "--max-origins", "3", "--max-nfev", "5"]  # refits at the 1st and 3rd origins


def _run(out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*ARGS, "--out", str(out)]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_interrupted_backtest_resumes_from_completed_origins(tmp_path, monkeypatch, capsys):
    whole = _run(tmp_path / "whole", capsys)

    setups: list[str] = []
    real_setup = bt.setup

    def failing_setup(path, origin, *a, **k):  # Ctrl-C at the third origin: two are checkpointed
        if len(setups) == 2:
            raise KeyboardInterrupt
        setups.append(origin.isoformat())
        return real_setup(path, origin, *a, **k)

    monkeypatch.setattr(bt, "setup", failing_setup)
    assert main([*ARGS, "--out", str(tmp_path / "resumed")]) == 130  # the CLI's exit status after Ctrl-C
    assert not (tmp_path / "resumed").exists()
    assert len(list(tmp_path.glob(".resumed.origins-*/origin-*.pkl"))) == 2

    setups.clear()
    ran: list[str] = []

    def counting_setup(path, origin, *a, **k):
        ran.append(origin.isoformat())
        return real_setup(path, origin, *a, **k)

    monkeypatch.setattr(bt, "setup", counting_setup)
    resumed = _run(tmp_path / "resumed", capsys)
    assert ran == ["2023-01-01"]  # only the missing origin ran
    assert resumed == whole
    assert (tmp_path / "resumed" / "backtest_rows.csv").read_bytes() == (tmp_path / "whole" / "backtest_rows.csv").read_bytes()
    manifest = json.loads((tmp_path / "resumed" / "manifest.json").read_text())
    assert manifest["origins_resumed"] == 2
    assert not list(tmp_path.glob(".resumed.origins-*")) and not list(tmp_path.glob(".whole.origins-*"))

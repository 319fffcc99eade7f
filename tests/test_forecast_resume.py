"""Resume of an interrupted forecast (issue 12): the fit at the origin (minutes for central_med) is kept beside the
output; a run stopped after it re-uses it instead of fitting again, and writes the same bytes as an uninterrupted
run; the checkpoint folder is gone once the output is written."""

from pathlib import Path

import crossings.forecasting.commands as fc
from crossings.cli import main

ARGS = ["forecast", "scenarios/channel.yaml", "--from", "2024-01-01", "--draws", "50", "--horizon", "3"]
FILES = ("forecast_monthly.csv", "forecast_monthly.parquet")


def test_interrupted_forecast_reuses_the_origin_fit(tmp_path: Path, monkeypatch) -> None:
    real_fit, real_setup = fc.fit_at_origin, fc.setup
    fits: list[str] = []

    def quick_fit(path, origin, **kw):  # a short refit: the test is about resuming, not about the fit
        fits.append(origin.isoformat())
        return real_fit(path, origin, max_nfev=3)

    monkeypatch.setattr(fc, "fit_at_origin", quick_fit)
    assert main([*ARGS, "--out", str(tmp_path / "whole")]) == 0
    assert fits == ["2024-01-01"]

    def stopped_setup(*a, **k):  # Ctrl-C after the fit
        raise KeyboardInterrupt

    monkeypatch.setattr(fc, "setup", stopped_setup)
    assert main([*ARGS, "--out", str(tmp_path / "resumed")]) == 130
    assert not (tmp_path / "resumed").exists()
    assert len(list(tmp_path.glob(".resumed.origins-*/origin-*.pkl"))) == 1

    fits.clear()
    monkeypatch.setattr(fc, "setup", real_setup)
    assert main([*ARGS, "--out", str(tmp_path / "resumed")]) == 0
    assert fits == []  # the origin's fit came from the checkpoint
    for name in FILES:
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert not list(tmp_path.glob(".*.origins-*"))

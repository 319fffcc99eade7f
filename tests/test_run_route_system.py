"""`crossings run scenarios/europe.yaml` (issue 13): a route-system scenario runs through the land process and
writes the tidy monthly table per Frontex route with a manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from crossings.cli import main


def test_run_a_route_system(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eu"
    assert main(["run", "scenarios/europe.yaml", "--out", str(out), "--start", "2024-01-01", "--no-parquet"]) == 0
    m = pd.read_csv(out / "monthly.csv")
    assert {"place", "place_kind", "is_total", "measure", "unit", "simulated", "observed"} <= set(m.columns)
    det = m[m["measure"] == "detections"]
    assert set(det["unit"]) == {"detections"}
    assert det["simulated"].sum() > 0 and det["observed"].notna().all()
    man = json.loads((out / "manifest.json").read_text())
    assert man["after_data"]["rule"] == "nearest_fitted_year"
    assert "central_mediterranean" in capsys.readouterr().out

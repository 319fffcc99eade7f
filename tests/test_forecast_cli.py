"""`crossings forecast`: the table's columns, bands that widen with the horizon, levers' effects with intervals
on common random numbers, one-line errors."""

import json

import pandas as pd

from crossings.cli import main

COLS = ["month", "place", "place_kind", "is_total", "measure", "unit", "mean", "p05", "p25", "p50", "p75", "p95",
        "observed"]


def test_forecast_past_the_data_with_lever_effects(tmp_path):
    out = tmp_path / "fc"
    rc = main(["forecast", "scenarios/central_med.yaml", "--from", "2025-01-01", "--horizon", "12", "--draws", "200",
               "--compare-baseline", "--no-parquet", "--out", str(out)])
    assert rc == 0
    t = pd.read_csv(out / "forecast_monthly.csv")
    assert list(t.columns) == COLS
    it = t[(t["place"] == "italy") & (t["measure"] == "arrivals")].reset_index(drop=True)
    assert len(it) == 12 and it["month"].iloc[0] == "2025-01"
    assert (it["p05"] <= it["p25"]).all() and (it["p25"] <= it["p50"]).all() and (it["p75"] <= it["p95"]).all()
    width = (it["p95"] / it["p05"].clip(lower=1.0))
    assert width.iloc[11] > width.iloc[0]  # the band widens with the horizon
    e = pd.read_csv(out / "lever_effects.csv")
    tun = e[(e["place"] == "tunisia_italy") & (e["measure"] == "arrivals") & (e["month"] == "horizon_total")]
    assert tun["effect_p95"].iloc[0] < 0  # the Tunisia deal lowers Tunisian arrivals in every draw's 90% band
    m = json.loads((out / "manifest.json").read_text())
    assert m["forecast"]["driver"]["stream"] == 62 and m["forecast"]["draws"] == 200
    assert (out / "fan_italy.svg").exists()


def test_forecast_bad_origin_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["forecast", "scenarios/channel.yaml", "--from", "2025-01-15", "--out", str(out)]) == 2
    assert "first day of a month" in capsys.readouterr().err
    assert not out.exists()

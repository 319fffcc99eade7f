"""A reduced rolling back-test (Channel, two origins, 12 horizons) that can fail: the keys are the contract's,
the scores are finite, the 90% band covers most months and the model beats the seasonal-naive forecast."""

import json
import math

from crossings.cli import main

KEYS = ["coverage_50", "coverage_90", "crps", "crps_seasonal_naive", "crps_random_walk", "crps_count_model",
        "crps_ets", "mae", "mae_seasonal_naive", "origins", "horizon"]


def test_reduced_channel_backtest(capsys):
    rc = main(["backtest", "scenarios/channel.yaml", "--json", "--first", "2023-01-01", "--step", "12",
               "--draws", "200", "--max-origins", "2"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert list(res) == KEYS
    assert res["origins"] == 2 and res["horizon"] == 12
    assert all(math.isfinite(res[k]) for k in KEYS)
    assert 0.0 <= res["coverage_50"] <= res["coverage_90"] <= 1.0
    assert res["coverage_90"] >= 0.7
    assert res["crps"] < res["crps_seasonal_naive"]


def test_backtest_refuses_origins_without_data_after_them(capsys):
    assert main(["backtest", "scenarios/channel.yaml", "--first", "2024-06-01"]) == 2
    assert "no origin" in capsys.readouterr().err

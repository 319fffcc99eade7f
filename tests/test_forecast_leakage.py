"""No leakage: a forecast at an origin inside the data must not change when anything after the origin changes.

Two kinds of future are scrambled at once: every observed series' rows on or after the origin (the files the
refit, the deaths fit, the boat sizes and the lever's size are read from), and the numbers the scenario YAML took
from the whole data window (deaths block, the origin year's boat sizes, the Channel deal's size). The refit is cut
short (max_nfev) to keep the test cheap: it is the inputs that matter, not the optimum."""

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

import crossings.core.observed as obs
from crossings.forecasting.engine import draws, setup
from crossings.forecasting.origin import fit_at_origin

ORIGIN = dt.date(2024, 1, 1)


def _scrambled_after(frame: pd.DataFrame, origin: dt.date) -> pd.DataFrame:
    """Numbers x 3 + 7 on every row on or after the origin (by date, week, month or year column)."""
    f = frame.copy()
    for col in ("date", "week_ending", "month"):
        if col in f.columns:
            when = pd.to_datetime(f[col].astype(str), errors="coerce").dt.date
            after = when.map(lambda d: d is not pd.NaT and d is not None and d >= origin).to_numpy(dtype=bool)
            break
    else:
        if "year" not in f.columns:
            return f
        after = (pd.to_numeric(f["year"], errors="coerce") >= origin.year).to_numpy()
    for col in f.select_dtypes("number").columns:
        if col not in ("year", "at_sea_channel_crossing_flag", "partial_year", "revised_flag"):
            f.loc[after, col] = f.loc[after, col] * 3 + 7
    return f


def _forecast(path: Path) -> np.ndarray:
    fit = fit_at_origin(path, ORIGIN, max_nfev=2, known_levers_only=True)
    s = setup(path, ORIGIN, 6, fit.values)
    return draws(s, 30, 5, ("arrivals",))[("france_uk", "arrivals")]


def test_channel_forecast_ignores_everything_after_the_origin(tmp_path, monkeypatch):
    text = Path("scenarios/channel.yaml").read_text()
    base = tmp_path / "channel.yaml"
    base.write_text(text.replace("fitted_file: channel.fitted.yaml\n", ""))
    before = _forecast(base)

    future = re.sub(r"loss_mu: -?[0-9.]+", "loss_mu: 1.5", text)
    future = re.sub(r"crowding_exponent: -?[0-9.]+", "crowding_exponent: 2.0", future)
    future = future.replace("2024-01-01: 52.97, 2024-12-31: 52.97", "2024-01-01: 90.0, 2024-12-31: 90.0")
    future = future.replace("    prevention: 0.44\n", "    prevention: 0.9\n")
    assert future.count("1.5") > text.count("1.5") and "90.0" in future and "prevention: 0.9" in future
    changed = tmp_path / "future" / "channel.yaml"
    changed.parent.mkdir()
    changed.write_text(future.replace("fitted_file: channel.fitted.yaml\n", ""))
    original = obs._load_cached
    monkeypatch.setattr(obs, "_load_cached", lambda stem: _scrambled_after(original(stem), ORIGIN))
    after = _forecast(changed)
    assert np.array_equal(before, after)


def test_the_scramble_reaches_the_forecast_before_the_origin(monkeypatch):
    """The same scramble moved to the origin's past does change the forecast: the test above can fail."""
    path = Path("scenarios/channel.yaml")
    s0 = setup(path, ORIGIN, 3, None)
    original = obs._load_cached
    monkeypatch.setattr(obs, "_load_cached", lambda stem: _scrambled_after(original(stem), dt.date(2023, 7, 1)))
    s1 = setup(path, ORIGIN, 3, None)
    assert not np.array_equal(draws(s0, 30, 5, ("arrivals",))[("france_uk", "arrivals")],
                              draws(s1, 30, 5, ("arrivals",))[("france_uk", "arrivals")])

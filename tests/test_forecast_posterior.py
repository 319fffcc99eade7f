"""Posterior draws in forecasts: refused where they would leak, one posterior draw per forecast draw otherwise."""

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from crossings.calibrate.draws import member_overrides
from crossings.cli import main
from crossings.core.errors import InputError
from crossings.forecasting import posterior
from crossings.forecasting.engine import draws, setup
from crossings.scenario.load import read_yaml


def test_posterior_refused_for_an_origin_inside_its_window(tmp_path, capsys):
    out = tmp_path / "fc"
    rc = main(["forecast", "scenarios/channel.yaml", "--from", "2024-01-01", "--draws", "20", "--horizon", "2",
               "--posterior", "scenarios/channel.posterior.yaml", "--out", str(out)])
    assert rc == 2 and "after its origin" in capsys.readouterr().err and not out.exists()


def test_auto_skips_a_posterior_that_would_leak():
    why = posterior.usable(Path("scenarios/channel.yaml"), Path("scenarios/channel.posterior.yaml"),
                           dt.date(2023, 1, 1))
    assert why is not None and "leakage" in why


def _matched_copy(tmp_path: Path) -> Path:
    """The Channel scenario with a fitted file stamped as the one the shipped posterior was sampled around."""
    for name in ("channel.yaml", "channel.fitted.yaml", "channel.posterior.yaml"):
        shutil.copy(Path("scenarios") / name, tmp_path / name)
    stamp = str(read_yaml(tmp_path / "channel.posterior.yaml")["fitted_created_utc"])
    fitted = tmp_path / "channel.fitted.yaml"
    lines = [f"created_utc: '{stamp}'" if ln.startswith("created_utc:") else ln
             for ln in fitted.read_text().splitlines()]
    fitted.write_text("\n".join(lines) + "\n")
    return tmp_path / "channel.yaml"


def test_each_forecast_draw_runs_its_own_posterior_draw(tmp_path):
    path = _matched_copy(tmp_path)
    origin = dt.date(2025, 1, 1)
    assert posterior.usable(path, path.with_name("channel.posterior.yaml"), origin) is None
    s = setup(path, origin, 3, None)
    vals = posterior.draw_values(path, path.with_name("channel.posterior.yaml"), 30, 1)
    assert len({str(sorted(v.items())) for v in vals}) > 20  # distinct parameter draws
    end = dt.date(2025, 3, 31)
    with_post = draws(s, 30, 1, ("arrivals",), arrays_for=posterior.arrays_per_draw(path, vals, end))
    again = draws(s, 30, 1, ("arrivals",), arrays_for=posterior.arrays_per_draw(path, vals, end))
    point = draws(s, 30, 1, ("arrivals",))
    key = ("france_uk", "arrivals")
    assert np.array_equal(with_post[key], again[key])  # same seed, same draws
    assert not np.allclose(with_post[key], point[key])  # the parameters move the forecast
    assert np.all(np.isfinite(with_post[key])) and np.all(with_post[key] >= 0)


def test_a_posterior_of_another_fit_is_refused_by_forecasts_and_ensembles(tmp_path):
    """One check (calibrate.bayes.fitted_mismatch) for every reader: the forecast's and the ensemble's."""
    path = _matched_copy(tmp_path)
    file = path.with_name("channel.posterior.yaml")
    assert posterior.mismatch(path, file) is None
    fitted = path.with_name("channel.fitted.yaml")
    fitted.write_text("\n".join("created_utc: '2001-01-01T00:00:00Z'" if ln.startswith("created_utc:") else ln
                                for ln in fitted.read_text().splitlines()) + "\n")
    why = posterior.mismatch(path, file)
    assert why is not None and "2001-01-01" in why and "rerun calibrate.bayes" in why
    with pytest.raises(InputError, match="2001-01-01"):
        posterior.check(path, file, dt.date(2025, 1, 1))
    with pytest.raises(InputError, match="2001-01-01"):
        member_overrides(path, [1, 2], None, file)

"""An out-of-sample fit (python -m crossings.calibrate.fit --fit-end D, the fit_to_<year> files whose agent-model
profile the back-test's origins reuse) sees no observed row dated after D, and none of the numbers the scenario
YAML took from the whole data window: they are re-derived by calibrate/origin_inputs.py for origin D + 1 day, as
at a forecast origin. Same scramble as tests/test_forecast_leakage.py; the fit's grids and least-squares
evaluations are cut short to keep the test cheap (it is the inputs that matter, not the optimum)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from scipy.optimize import least_squares

import crossings.calibrate.fit as fit_mod
import crossings.core.observed as obs
from crossings.scenario.load import load_raw
from test_forecast_leakage import _scrambled_after

END = dt.date(2023, 12, 31)


def _short_fit(monkeypatch: pytest.MonkeyPatch, path: Path) -> dict[str, Any]:
    monkeypatch.setattr(fit_mod, "LAUNCH_GRID", (0.5,))
    monkeypatch.setattr(fit_mod, "QUALITY_GRID", (1.0,))
    monkeypatch.setattr(fit_mod, "SMM_ROUNDS", 0)
    monkeypatch.setattr(fit_mod, "_least_squares", lambda: lambda *a, **k: least_squares(*a, **{**k, "max_nfev": 3}))
    return fit_mod.fit(path, None, END, verbose=False, cold=True)


def _future_yaml(text: str) -> str:
    """The Channel YAML with the numbers it took from the whole data window (deaths block, 2024 boat sizes, the
    deal's prevention share) changed."""
    future = re.sub(r"loss_mu: -?[0-9.]+", "loss_mu: 1.5", text)
    future = re.sub(r"crowding_exponent: -?[0-9.]+", "crowding_exponent: 2.0", future)
    future = future.replace("2024-01-01: 52.97, 2024-12-31: 52.97", "2024-01-01: 90.0, 2024-12-31: 90.0")
    future = future.replace("    prevention: 0.44\n", "    prevention: 0.9\n")
    return future.replace("fitted_file: channel.fitted.yaml\n", "")


def test_channel_fit_to_ignores_everything_after_its_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = Path("scenarios/channel.yaml").read_text()
    base = tmp_path / "channel.yaml"
    base.write_text(text.replace("fitted_file: channel.fitted.yaml\n", ""))
    before = _short_fit(monkeypatch, base)

    changed = tmp_path / "future" / "channel.yaml"
    changed.parent.mkdir()
    changed.write_text(_future_yaml(text))
    # the changes reach the inputs as written: the fit would see them if nothing re-derived them
    a, b = load_raw(base), load_raw(changed)
    assert a["levers"]["uk_france_deal"]["prevention"] == 0.44 and b["levers"]["uk_france_deal"]["prevention"] == 0.9
    assert a["sea_links"][0]["deaths"]["loss_mu"] != b["sea_links"][0]["deaths"]["loss_mu"]
    original = obs._load_cached
    monkeypatch.setattr(obs, "_load_cached", lambda stem: _scrambled_after(original(stem), END + dt.timedelta(days=1)))
    after = _short_fit(monkeypatch, changed)

    assert before["values"] == after["values"] and before["inputs_at_origin"] == after["inputs_at_origin"]
    known = before["inputs_at_origin"]
    assert known["origin"] == "2024-01-01"
    # re-derived, not the YAML's: the deal's share from the 2023 figure only; 2024's boats = 2023's mean size
    assert known["values"]["levers.uk_france_deal.prevention"] == pytest.approx(26_000 / (26_000 + 29_437), abs=1e-3)
    assert before["values"]["levers.uk_france_deal.prevention"] == known["values"]["levers.uk_france_deal.prevention"]
    ppb = known["values"]["sea_links.france_uk.people_per_boat.values.2024-01-01"]
    yearly = {str(k): v for k, v in a["sea_links"][0]["people_per_boat"]["values"].items()}
    assert ppb == yearly["2023-01-01"] == 48.9 != yearly["2024-01-01"]  # HO daily 2023 mean; the YAML says 52.97


def test_a_whole_window_fit_records_no_origin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without --fit-end (the shipped fitted file) the YAML's inputs stay and no origin is recorded."""
    path = tmp_path / "channel.yaml"
    path.write_text(Path("scenarios/channel.yaml").read_text().replace("fitted_file: channel.fitted.yaml\n", ""))
    monkeypatch.setattr(fit_mod, "LAUNCH_GRID", (0.5,))
    monkeypatch.setattr(fit_mod, "QUALITY_GRID", (1.0,))
    monkeypatch.setattr(fit_mod, "SMM_ROUNDS", 0)
    monkeypatch.setattr(fit_mod, "_least_squares", lambda: lambda *a, **k: least_squares(*a, **{**k, "max_nfev": 2}))
    res = fit_mod.fit(path, None, None, verbose=False, cold=True)
    assert "inputs_at_origin" not in res and "levers.uk_france_deal.prevention" not in res["values"]

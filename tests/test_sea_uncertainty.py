"""Parameter uncertainty of sea fits: counter-based draws, bounds, held parameters, the shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from crossings.calibrate import uncertainty as unc
from crossings.cli import main
from crossings.core.errors import InputError
from crossings.scenario.load import read_yaml

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
FITS = [("channel.yaml", None), ("central_med.yaml", None),
        ("channel.yaml", "channel.fit_to_2023.yaml"), ("central_med.yaml", "central_med.fit_to_2023.yaml")]


def _synthetic(cov: np.ndarray, lo: float = -1e9, hi: float = 1e9, held: int = 0) -> unc.Uncertainty:
    """`held` extra parameters (at index 0..held-1) that are not sampled, then len(cov) sampled ones."""
    k = len(cov)
    n = k + held
    return unc.Uncertainty(path=Path("synthetic"), scenario="s", fitted_file="f", fitted_created_utc="t",
                           fit_window=("2020-01-01", "2020-12-31"), names=[f"p{i}" for i in range(n)],
                           x=np.linspace(0.5, 1.5, n), lo=np.full(n, lo), hi=np.full(n, hi),
                           sampled=np.arange(held, n), chol=np.linalg.cholesky(cov))


def test_normals_reproducible_per_seed_and_different_across_seeds() -> None:
    a, b, c = unc.standard_normals(7, 50), unc.standard_normals(7, 50), unc.standard_normals(8, 50)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    assert np.array_equal(unc.standard_normals(7, 20), a[:20])  # index j is the same draw whatever n


def test_sample_mean_and_covariance_match() -> None:
    cov = np.array([[0.04, 0.018, 0.0], [0.018, 0.09, -0.02], [0.0, -0.02, 0.25]])
    u = _synthetic(cov)
    d = np.array([unc.draw(u, s) for s in range(1, 4001)])
    se = np.sqrt(np.diag(cov) / len(d))
    assert np.all(np.abs(d.mean(axis=0) - u.x) < 4 * se)
    assert np.allclose(np.cov(d.T), cov, atol=0.1 * np.sqrt(np.outer(np.diag(cov), np.diag(cov))).max())


def test_draws_clipped_to_bounds_and_held_never_move() -> None:
    u = _synthetic(np.eye(3) * 4.0, lo=0.0, hi=2.0, held=2)
    d = np.array([unc.draw(u, s) for s in range(1, 301)])
    assert d.min() >= 0.0 and d.max() <= 2.0
    assert (d == 0.0).any() and (d == 2.0).any(), "sd 2 around 0.5-1.5 must hit both bounds"
    assert np.array_equal(d[:, :2], np.tile(u.x[:2], (len(d), 1)))


@pytest.mark.parametrize(("scenario", "fitted"), FITS)
def test_shipped_files_fit_the_shipped_fits(scenario: str, fitted: str | None) -> None:
    path = SCEN / scenario
    over = {"fitted_file": fitted} if fitted else None
    u = unc.read(unc.default_file(path, over), path, over)
    frees = unc.frees_for(u, path, over)
    d = np.array([unc.draw(u, s) for s in range(1, 201)])
    held = [u.names.index(n) for n in u.held]
    assert np.array_equal(d[:, held], np.tile(u.x[held], (len(d), 1))), "held parameters must not move"
    assert np.all(d >= u.lo) and np.all(d <= u.hi)
    assert d[:, u.sampled].std(axis=0).min() > 0
    # written at the estimates, the key paths reproduce the fitted file's values (5 significant digits)
    fitted_vals = read_yaml(SCEN / (fitted or f"{path.stem}.fitted.yaml"))["values"]
    vals = unc.member_values(frees, u.x)
    for k, v in vals.items():
        assert np.allclose(v, fitted_vals[k], rtol=2e-5, atol=1e-9), k
    file_keys = {k for p in read_yaml(u.path)["parameters"] for k in p["key_paths"]}
    assert file_keys == set(vals)


def test_a_refit_makes_the_file_stale(tmp_path: Path) -> None:
    fitted = yaml.safe_load((SCEN / "channel.fitted.yaml").read_text())
    fitted["created_utc"] = "2099-01-01T00:00:00Z"
    (tmp_path / "other.fitted.yaml").write_text(yaml.safe_dump(fitted))
    with pytest.raises(InputError, match="write it with"):
        unc.read(SCEN / "channel.uncertainty.yaml", SCEN / "channel.yaml",
                 {"fitted_file": str(tmp_path / "other.fitted.yaml")})
    with pytest.raises(InputError, match="write it with"):  # the out-of-sample fit's file with the full fit
        unc.read(SCEN / "channel.fit_to_2023.uncertainty.yaml", SCEN / "channel.yaml")


@pytest.mark.parametrize(("scenario", "fitted"), FITS)
def test_computing_gives_the_shipped_file(scenario: str, fitted: str | None) -> None:
    path = SCEN / scenario
    over = {"fitted_file": fitted} if fitted else None
    new = unc.compute(path, SCEN / fitted if fitted else None, verbose=False)
    old = read_yaml(unc.default_file(path, over))
    assert new["sampled"] == old["sampled"] and new["held"] == old["held"]
    assert new["max_residual_gap"] < 1e-4  # the estimates reproduce the fitted scenario's residuals
    assert np.allclose(new["cholesky"], old["cholesky"], rtol=1e-6, atol=1e-12)
    assert np.allclose([p["estimate"] for p in new["parameters"]], [p["estimate"] for p in old["parameters"]])


def test_cli_ensemble_with_parameter_uncertainty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["ensemble", str(SCEN / "channel.yaml"), "--seeds", "2", "--set", "end=2018-12-31"]
    assert main([*args, "--out", str(tmp_path / "a"), "--parameter-uncertainty"]) == 0
    man = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert man["parameter_uncertainty"]["file"].endswith("channel.uncertainty.yaml")
    assert man["parameter_uncertainty"]["fitted_file"] == "channel.fitted.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: x\n")
    assert main([*args, "--out", str(tmp_path / "b"), "--parameter-uncertainty", str(bad)]) == 2
    assert "not a parameter-uncertainty file" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()

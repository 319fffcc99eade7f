"""`calibrate.bayes --sampler metropolis`: independent random-walk Metropolis chains with a Gaussian step fixed
from a pilot's draws (calibrate/proposal.py) recover a known posterior, fewer chains than parameters included,
and a checkpointed run continues to the uninterrupted chain."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from crossings.calibrate import bayes
from crossings.calibrate.proposal import OPTIMAL, from_draws
from crossings.core.errors import InputError

D = 6
RNG = np.random.default_rng(11)
A = RNG.normal(size=(D, D))
COV = A @ A.T / D + 0.2 * np.eye(D)  # correlated, scales within a factor of about 10
MEAN = np.linspace(-1.0, 1.0, D)
LO, HI = MEAN - 30.0, MEAN + 30.0
PREC = np.linalg.inv(COV)


def _gauss(theta: np.ndarray) -> float:
    if np.any(theta < LO) or np.any(theta > HI):
        return -math.inf
    d = theta - MEAN
    return float(-0.5 * d @ PREC @ d)


def _pilot(n: int = 4000) -> np.ndarray:
    return np.random.default_rng(5).multivariate_normal(MEAN, COV, size=n)


def test_step_is_the_pilot_covariance_scaled() -> None:
    p = from_draws(_pilot(), 0.5, "pilot.yaml")
    assert np.allclose(p.cov, np.cov(_pilot(), rowvar=False) * 0.5 * OPTIMAL / D)
    assert p.n_draws == 4000 and len(p.digest) == 16


def test_four_chains_recover_the_posterior_with_rhat_near_one() -> None:
    step = from_draws(_pilot(), 1.0, "pilot.yaml")
    x0 = np.random.default_rng(2).multivariate_normal(MEAN, 4.0 * COV, size=4)  # over-dispersed starts
    run = bayes.run_emcee(_gauss, x0, steps=6000, burn=1000, thin=5, seed=4, step_cov=step.cov)
    flat = run.chain.reshape(-1, D)
    sd = np.sqrt(np.diag(COV))
    assert np.all(np.abs(flat.mean(axis=0) - MEAN) < 0.15 * sd)
    assert np.allclose(flat.std(axis=0), sd, rtol=0.12)
    assert 0.15 < run.acceptance < 0.45  # the optimal scaling's acceptance for a Gaussian target is about 0.3
    diag = bayes.diagnostics(run.chain, [f"p{j}" for j in range(D)])
    assert all(d["r_hat"] < 1.02 for d in diag)


def test_a_wrong_step_shows_in_the_diagnostics() -> None:
    """A step 1,000 times too small: the chains stay near their over-dispersed starts and R-hat says so."""
    step = from_draws(_pilot(), 1e-6, "pilot.yaml")
    x0 = np.random.default_rng(2).multivariate_normal(MEAN, 4.0 * COV, size=4)
    run = bayes.run_emcee(_gauss, x0, steps=600, burn=100, thin=5, seed=4, step_cov=step.cov)
    assert max(d["r_hat"] for d in bayes.diagnostics(run.chain, [f"p{j}" for j in range(D)])) > 1.1


def test_checkpointed_metropolis_run_continues_to_the_uninterrupted_chain(tmp_path: Path) -> None:
    step = from_draws(_pilot(), 1.0, "pilot.yaml")
    x0 = np.random.default_rng(2).multivariate_normal(MEAN, COV, size=4)
    whole = bayes.run_emcee(_gauss, x0, steps=80, burn=10, thin=2, seed=7, step_cov=step.cov)
    cp = tmp_path / "chain.npz"
    bayes.run_emcee(_gauss, x0, steps=30, burn=10, thin=2, seed=7, checkpoint=cp, checkpoint_key="m",
                    step_cov=step.cov)
    rest = bayes.run_emcee(_gauss, x0 + 1.0, steps=80, burn=10, thin=2, seed=99, checkpoint=cp,
                           checkpoint_key="m", step_cov=step.cov)
    assert np.array_equal(whole.chain, rest.chain)


def test_bad_pilots_are_named() -> None:
    with pytest.raises(InputError, match="cannot give the covariance"):
        from_draws(_pilot(5), 1.0, "pilot.yaml")
    flat = _pilot()
    flat[:, 2] = 0.3
    with pytest.raises(InputError, match="does not vary"):
        from_draws(flat, 1.0, "pilot.yaml")
    with pytest.raises(InputError, match="--scale"):
        from_draws(_pilot(), 0.0, "pilot.yaml")


def test_command_refuses_metropolis_without_a_pilot(capsys: pytest.CaptureFixture[str]) -> None:
    channel = Path(__file__).resolve().parents[1] / "scenarios" / "channel.yaml"
    assert bayes.main([str(channel), "--sampler", "metropolis", "--walkers", "4", "--steps", "10", "--burn",
                       "2"]) == 2
    assert "--pilot" in capsys.readouterr().err


def _two_modes(theta: np.ndarray) -> float:
    """x ~ N(0, 1); y half at -6, half at +6 (sd 0.5): one mode's step never crosses to the other."""
    x, y = theta
    if not (-10.0 <= x <= 10.0 and -10.0 <= y <= 10.0):
        return -math.inf
    return float(-0.5 * x * x + np.logaddexp(-0.5 * ((y - 6.0) / 0.5) ** 2, -0.5 * ((y + 6.0) / 0.5) ** 2))


def test_prior_redraws_cross_what_the_gaussian_step_cannot() -> None:
    from crossings.calibrate.priors import Prior
    from crossings.calibrate.proposal import prior_redraw

    priors = [Prior("x", "uniform", -10.0, 10.0), Prior("y", "normal", -10.0, 10.0, 0.0, 8.0)]
    one_mode = np.random.default_rng(3).normal([0.0, 6.0], [1.0, 0.5], size=(2000, 2))
    step = from_draws(one_mode, 1.0, "pilot.yaml")
    x0 = np.column_stack([np.zeros(4), np.full(4, 6.0)]) + np.random.default_rng(4).normal(0, 0.1, (4, 2))
    stuck = bayes.run_emcee(_two_modes, x0, steps=3000, burn=500, thin=2, seed=5, step_cov=step.cov)
    assert np.mean(stuck.chain[:, :, 1] < 0) < 0.01  # the Gaussian step alone stays in its mode
    mixed = bayes.run_emcee(_two_modes, x0, steps=3000, burn=500, thin=2, seed=5, step_cov=step.cov,
                            redraw=(prior_redraw(priors), 0.2))
    share = float(np.mean(mixed.chain[:, :, 1] < 0))
    assert 0.35 < share < 0.65  # both modes, about half each: the redraw's normal prior cancels in the ratio
    assert abs(float(mixed.chain[:, :, 0].std()) - 1.0) < 0.1

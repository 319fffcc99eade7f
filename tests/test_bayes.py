"""Bayesian calibration (crossings.calibrate.bayes): the sampler recovers a known posterior, the NB likelihood
is the textbook one, the Channel's log posterior is informed by the data, and the posterior file round-trips
into ensemble members."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from crossings.calibrate import bayes

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = ROOT / "scenarios" / "channel.yaml"

MEAN = np.array([1.0, -2.0])
COV = np.array([[1.0, 0.8], [0.8, 2.0]])
LO, HI = np.array([-10.0, -15.0]), np.array([12.0, 11.0])


def _gauss(theta: np.ndarray) -> float:
    if np.any(theta < LO) or np.any(theta > HI):
        return -math.inf
    d = theta - MEAN
    return float(-0.5 * d @ np.linalg.solve(COV, d))


def test_sampler_recovers_a_known_gaussian_posterior() -> None:
    x0 = bayes.start_ball(np.array([0.0, 0.0]), LO, HI, 16, seed=3)
    run = bayes.run_emcee(_gauss, x0, steps=1500, burn=300, thin=2, seed=3)
    flat = run.chain.reshape(-1, 2)
    sd = np.sqrt(np.diag(COV))
    assert np.all(np.abs(flat.mean(axis=0) - MEAN) < 0.15 * sd)
    assert np.allclose(flat.std(axis=0), sd, rtol=0.1)
    assert abs(np.corrcoef(flat.T)[0, 1] - 0.8 / math.sqrt(2.0)) < 0.05
    diag = bayes.diagnostics(run.chain, ["a", "b"])
    assert all(d["r_hat"] < 1.05 and d["ess_bulk"] > 400 for d in diag)


def test_sampler_is_deterministic_in_the_seed() -> None:
    x0 = bayes.start_ball(np.zeros(2), LO, HI, 8, seed=5)
    a = bayes.run_emcee(_gauss, x0, steps=50, burn=10, thin=1, seed=5).chain
    b = bayes.run_emcee(_gauss, x0, steps=50, burn=10, thin=1, seed=5).chain
    c = bayes.run_emcee(_gauss, x0, steps=50, burn=10, thin=1, seed=6).chain
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sampler_draws_the_same_chain_in_worker_processes() -> None:
    """--jobs: the walkers evaluated in 1, 2 or 3 forked workers give the same chain and acceptance."""
    x0 = bayes.start_ball(np.zeros(2), LO, HI, 8, seed=5)
    one = bayes.run_emcee(_gauss, x0, steps=40, burn=10, thin=1, seed=5)
    for jobs in (2, 3):
        many = bayes.run_emcee(_gauss, x0, steps=40, burn=10, thin=1, seed=5, jobs=jobs)
        assert np.array_equal(one.chain, many.chain)
        assert one.acceptance == many.acceptance


def test_rhat_flags_chains_that_disagree() -> None:
    rng = np.random.default_rng(0)
    chain = rng.normal(size=(8, 500, 1))
    chain[:4] += 3.0  # half the walkers elsewhere
    assert bayes.diagnostics(chain, ["x"])[0]["r_hat"] > 1.5


def test_negative_binomial_is_scipys() -> None:
    y, mu, r = np.array([0.0, 3.0, 40.0, 1234.0]), np.array([0.5, 2.0, 60.0, 1000.0]), 2.7
    assert np.allclose(bayes.nb_logpmf(y, mu, r), stats.nbinom.logpmf(y, r, r / (r + mu)))


@pytest.fixture(scope="module")
def channel() -> tuple[bayes.LogPosterior, np.ndarray]:
    post, _ = bayes.setup(CHANNEL)
    return post, np.concatenate([post.x0[post.sample], post.nb_start(post.x0)])


def test_channel_log_posterior_is_informed_by_the_data(channel: tuple[bayes.LogPosterior, np.ndarray]) -> None:
    post, x0 = channel
    assert len(post.names) == len(post.p.frees) + len(post.measures)
    at_fit = post(x0)
    assert math.isfinite(at_fit)
    moved = x0.copy()
    moved[[i for i, n in enumerate(post.names) if n.startswith("log_inflow[")][2:]] += 0.5  # 65% more people
    assert post(moved) < at_fit - 10  # NB sizes near 2 (monthly cv ~0.7): a wide likelihood
    outside = x0.copy()
    outside[0] = post.lo[0] - 1.0
    assert post(outside) == -math.inf


def test_posterior_file_round_trips_into_members(tmp_path: Path) -> None:
    out = tmp_path / "channel.posterior.yaml"
    rc = bayes.main([str(CHANNEL), "--only", "inflows.0.seasonal_amplitude", "inflows.0.seasonal_peak_month",
                     "--walkers", "10", "--steps", "30", "--burn", "10", "--thin", "2", "--output", str(out)])
    assert rc == 0
    post = bayes.read(out)
    assert post.names[:2] == ["inflows.0.seasonal_amplitude", "inflows.0.seasonal_peak_month"]
    assert post.draws.shape == (10 * 10, len(post.names))
    d = post.data
    assert {p["name"] for p in d["parameters"]} == set(post.names)
    assert all(math.isfinite(p["r_hat"]) and p["ess_bulk"] > 0 and "prior" in p for p in d["parameters"])
    # every free parameter not named by --only is held at the shipped fit
    from crossings.calibrate.fitspec import frees_for
    from crossings.scenario.load import load_raw

    assert d["sampler"]["walkers"] == 10 and len(d["held"]) == len(frees_for(load_raw(CHANNEL))) - 2
    members, u = bayes.member_overrides(CHANNEL, [1, 2, 1], None, out)
    assert members[0] == members[2] and members[0] != members[1]
    amp = {m["inflows.0.seasonal_amplitude"] for m in members}
    assert amp <= set(post.draws[:, 0].tolist())
    assert "inflows.0.knots.2022-07-01" in members[0]  # held parameters written at the shipped fit
    assert len(u.sampled) == 2
    from crossings.calibrate.draws import member_overrides  # the ensemble's entry point takes it too

    assert member_overrides(CHANNEL, [1, 2], None, out)[0] == members[:2]
    assert bayes.member_overrides(CHANNEL, [4], {"inflows.0.seasonal_amplitude": 0.1}, out)[0][0][
        "inflows.0.seasonal_amplitude"] == 0.1


def test_not_a_posterior_file_is_bad_input(tmp_path: Path) -> None:
    from crossings.core.errors import InputError

    f = tmp_path / "x.posterior.yaml"
    f.write_text("a: 1\n")
    with pytest.raises(InputError):
        bayes.read(f)


def test_lever_prior_from_the_evidence_and_bounds_as_support() -> None:
    from crossings.calibrate.fitspec import frees_for
    from crossings.calibrate.priors import priors_for
    from crossings.scenario.load import load_raw

    frees = frees_for(load_raw(ROOT / "scenarios" / "central_med.yaml"))
    pri = {p.name: p for p in priors_for(frees)}
    lib = pri["levers.libya_coastguard.interception"]
    assert lib.kind == "normal" and "EVIDENCE.md line 31" in lib.source
    assert lib.logpdf(0.32) > lib.logpdf(0.8) and lib.logpdf(1.0) == -math.inf
    assert all(p.lo == f.lo and p.hi == f.hi for p, f in zip(priors_for(frees), frees, strict=True))


def test_time_limit_keeps_the_steps_done() -> None:
    x0 = bayes.start_ball(np.zeros(2), LO, HI, 8, seed=1)
    run = bayes.run_emcee(_gauss, x0, steps=1000, burn=0, thin=1, seed=1, max_seconds=0.0)
    assert run.evaluations == 8 and run.chain.shape == (8, 1, 2)
    from crossings.core.errors import InputError

    with pytest.raises(InputError):
        bayes.run_emcee(_gauss, x0, steps=1000, burn=5, thin=1, seed=1, max_seconds=0.0)


def test_init_from_a_file_with_more_parameters_starts_the_shared_ones(tmp_path: Path) -> None:
    first = tmp_path / "first.posterior.yaml"
    assert bayes.main([str(CHANNEL), "--only", "inflows.0.seasonal_amplitude", "inflows.0.seasonal_peak_month",
                       "--walkers", "10", "--steps", "6", "--burn", "2", "--thin", "1", "--output", str(first)]) == 0
    prev = bayes.read(first)
    start = bayes._last_draws(first, ["inflows.0.seasonal_peak_month"], 10)
    col = prev.names.index("inflows.0.seasonal_peak_month")
    assert start.shape == (10, 1)
    assert np.array_equal(start[:, 0], prev.draws.reshape(10, -1, len(prev.names))[:, -1, col])
    from crossings.core.errors import InputError

    with pytest.raises(InputError):
        bayes._last_draws(first, ["not_a_parameter"], 10)


def test_a_checkpointed_run_continues_to_the_uninterrupted_chain(tmp_path: Path) -> None:
    """A run stopped and started again from its checkpoint gives the chain, autocorrelation and acceptance of
    one uninterrupted run (calibrate/chain_store.py; --checkpoint)."""
    from crossings.core.errors import InputError

    x0 = bayes.start_ball(np.zeros(2), LO, HI, 8, seed=1)
    whole = bayes.run_emcee(_gauss, x0, steps=60, burn=10, thin=3, seed=2)
    cp = tmp_path / "run.npz"
    with pytest.raises(InputError, match="run again to continue"):  # a time limit before the burn-in: kept
        bayes.run_emcee(_gauss, x0, steps=60, burn=10, thin=3, seed=2, max_seconds=0.0, checkpoint=cp,
                        checkpoint_key="k")
    assert cp.exists()
    bayes.run_emcee(_gauss, x0, steps=25, burn=10, thin=3, seed=2, checkpoint=cp, checkpoint_key="k", every=7)
    other_start = bayes.start_ball(np.ones(2), LO, HI, 8, seed=9)  # unused: the checkpoint decides
    rest = bayes.run_emcee(_gauss, other_start, steps=60, burn=10, thin=3, seed=99, checkpoint=cp,
                           checkpoint_key="k")
    assert np.array_equal(rest.chain, whole.chain)
    assert np.array_equal(rest.autocorr_steps, whole.autocorr_steps)
    assert rest.acceptance == pytest.approx(whole.acceptance, rel=1e-12)
    assert rest.evaluations == (60 - 25) * 8
    with pytest.raises(InputError, match="another run"):
        bayes.run_emcee(_gauss, x0, steps=70, burn=10, thin=3, seed=2, checkpoint=cp, checkpoint_key="other")


def test_the_command_continues_from_its_checkpoint(tmp_path: Path) -> None:
    args = [str(CHANNEL), "--only", "inflows.0.seasonal_amplitude", "inflows.0.seasonal_peak_month",
            "--walkers", "10", "--burn", "2", "--thin", "1"]
    once = tmp_path / "once.posterior.yaml"
    assert bayes.main([*args, "--steps", "8", "--output", str(once)]) == 0
    cp, twice = tmp_path / "run.npz", tmp_path / "twice.posterior.yaml"
    assert bayes.main([*args, "--steps", "4", "--checkpoint", str(cp), "--output", str(twice)]) == 0
    assert bayes.main([*args, "--steps", "8", "--checkpoint", str(cp), "--output", str(twice)]) == 0
    a, b = bayes.read(once), bayes.read(twice)
    assert np.array_equal(a.draws, b.draws)
    assert b.data["sampler"]["steps"] == 8 and b.data["sampler"]["start"] == "continued from checkpoint run.npz"

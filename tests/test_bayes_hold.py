"""`calibrate.bayes --hold NAME`: the named free parameters are held at the shipped fit (a stated assumption
written in the posterior file), the others sampled; a pilot that sampled the held ones gives the step's covariance
given them (proposal.conditional_draws: the Gaussian conditional covariance, the Schur complement)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from crossings.calibrate import bayes
from crossings.calibrate.proposal import conditional_draws

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = ROOT / "scenarios" / "channel.yaml"
AMP, PEAK = "inflows.0.seasonal_amplitude", "inflows.0.seasonal_peak_month"


def test_conditional_draws_have_the_schur_complement_covariance() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(5, 5))
    cov = a @ a.T + 0.1 * np.eye(5)
    x = rng.multivariate_normal(np.arange(5.0), cov, size=200_000)
    keep, given = [0, 2, 3], [1, 4]
    res = conditional_draws(x[:, keep], x[:, given])
    s = cov[np.ix_(keep, keep)] - cov[np.ix_(keep, given)] @ np.linalg.solve(cov[np.ix_(given, given)],
                                                                             cov[np.ix_(given, keep)])
    assert np.allclose(np.cov(res, rowvar=False), s, atol=0.03 * np.max(np.abs(s)))
    assert np.allclose(res.mean(axis=0), x[:, keep].mean(axis=0))
    # a ridge (keep = -given + small noise): the marginal spread is wide, the conditional one is the noise
    g = rng.normal(size=(5000, 1))
    ridge = -g + 0.01 * rng.normal(size=(5000, 1))
    assert np.std(ridge) > 0.9 and np.std(conditional_draws(ridge, g)) < 0.011


def test_hold_samples_the_others_and_says_the_assumption(tmp_path: Path) -> None:
    post_all, _ = bayes.setup(CHANNEL)
    names = [post_all.p.frees[i].name for i in post_all.sample]
    keep = {AMP, PEAK}
    hold = [n for n in names if n not in keep]
    post, _ = bayes.setup(CHANNEL, hold=hold)
    assert [post.p.frees[i].name for i in post.sample] == [n for n in names if n in keep]
    out = tmp_path / "channel.posterior.yaml"
    rc = bayes.main([str(CHANNEL), "--hold", *hold, "--hold-reason", "a test", "--walkers", "10", "--steps", "20",
                     "--burn", "5", "--thin", "1", "--output", str(out)])
    assert rc == 0
    d = bayes.read(out).data
    assert set(d["held"]) == set(hold) and d["sampler"]["hold"] == hold
    fit = {post.p.frees[i].name: float(post.x0[i]) for i in range(len(post.p.frees))}
    assert all(d["held_values"][n] == fit[n] for n in hold)
    assert d["assumption"].startswith("held at the fit: ") and d["assumption"].endswith("(a test)")
    assert f"{hold[0]} = {fit[hold[0]]:.6g}" in d["assumption"]
    assert d["manifest"]["assumption"] == d["assumption"] and "--hold" in d["manifest"]["command"]
    assert len(d["manifest"]["scenario_hash"]) > 8 and d["manifest"]["seed"] == 1
    # the same as --only with the complement (the same parameters, walkers and seed give the same chain)
    out2 = tmp_path / "only.posterior.yaml"
    assert bayes.main([str(CHANNEL), "--only", AMP, PEAK, "--walkers", "10", "--steps", "20", "--burn", "5",
                       "--thin", "1", "--output", str(out2)]) == 0
    assert np.array_equal(bayes.read(out2).draws, bayes.read(out).draws)
    assert "assumption" in bayes.read(out2).data  # --only holds the rest too, and says so


def test_hold_of_an_unknown_or_every_parameter_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post, _ = bayes.setup(CHANNEL)
    every = [post.p.frees[i].name for i in post.sample]
    out = tmp_path / "x.posterior.yaml"
    for args in (["--hold", "no.such.parameter"], ["--hold", *every], ["--hold", AMP, "--only", PEAK]):
        assert bayes.main([str(CHANNEL), *args, "--walkers", "10", "--steps", "20", "--burn", "5",
                           "--output", str(out)]) == 2
        assert "--hold" in capsys.readouterr().err
    assert not out.exists()


def test_a_pilot_that_sampled_the_held_parameter_gives_the_conditional_step(tmp_path: Path) -> None:
    """The pilot file's draws with one more parameter than the run samples: the step is their covariance given it."""
    post, info = bayes.setup(CHANNEL, only=[AMP, PEAK])
    rng = np.random.default_rng(1)
    names = [*post.names, "inflows.0.knots.2022-07-01"]
    g = rng.normal(size=(400, 1))
    draws = np.column_stack([rng.normal(size=(400, len(post.names))), 3.0 * g])
    draws[:, 0] += g[:, 0]  # the amplitude moves with the held knot
    pilot = {"format": bayes.FORMAT, "draws": {"names": names, "values": [" ".join(map(str, r)) for r in draws]}}
    from crossings.core.output import write_generated_yaml

    pf = tmp_path / "pilot.posterior.yaml"
    write_generated_yaml(pf, "test", pilot)
    import argparse

    a = argparse.Namespace(sampler="metropolis", pilot=str(pf), scale=1.0, hold=["inflows.0.knots.2022-07-01"])
    cond = bayes._pilot_step(a, post.names).cov
    a.hold = None
    marg = bayes._pilot_step(a, post.names).cov
    assert cond[0, 0] < marg[0, 0] * 0.7 and math.isclose(cond[1, 1], marg[1, 1], rel_tol=0.05)

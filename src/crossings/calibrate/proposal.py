"""The random-walk Metropolis proposal of `calibrate.bayes --sampler metropolis`, fixed from a pilot run.

emcee's ensemble moves (DEMove, stretch) need an ensemble of at least twice the parameters, and R-hat treats each
walker as a chain: on central_med (41 parameters) the ensemble's walkers each mix so slowly that R-hat - 1 fell
only as 2,500 / kept steps (docs/bayes.md, session 9), i.e. about 250,000 steps of 100 walkers for R-hat < 1.01.
Independent Metropolis chains need only a few chains for R-hat, each with a Gaussian step whose covariance is the
pilot's posterior covariance times scale x 2.38^2 / d (Roberts, Gelman and Gilks 1997, the optimal scaling for a
Gaussian target; `scale` below 1 for a target less regular than that). The covariance is read once from a
pilot's draws and then held fixed, so each chain is a plain Metropolis chain (no adaptation during the run).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crossings.core.errors import InputError

OPTIMAL = 2.38**2  # Roberts, Gelman and Gilks (1997): step covariance 2.38^2 / d x the target's


@dataclass(frozen=True)
class PilotProposal:
    cov: np.ndarray  # (d, d) the Gaussian step's covariance
    pilot: str  # the pilot file's name
    n_draws: int
    scale: float
    digest: str  # sha256 of the covariance's bytes (a checkpoint of another proposal is refused)


def from_draws(draws: np.ndarray, scale: float, pilot: str) -> PilotProposal:
    """The step covariance from a pilot's draws (n, d) in the sampler's parameter order."""
    n, d = draws.shape
    if n <= d:
        raise InputError(pilot, "draws", f"{n} draws cannot give the covariance of {d} parameters")
    if not scale > 0:
        raise InputError("command line", "--scale", f"must be positive, got {scale}")
    # a parameter the pilot never moved would make the step degenerate: not a pilot to use
    if not np.all(np.isfinite(draws)) or np.any(np.ptp(draws, axis=0) <= 0.0):
        raise InputError(pilot, "draws", "a parameter does not vary in the pilot's draws (or is not finite)")
    cov = np.cov(draws, rowvar=False) * (scale * OPTIMAL / d)
    np.linalg.cholesky(cov)  # positive definite, or numpy's LinAlgError (not expected with n > d varying draws)
    return PilotProposal(cov, Path(pilot).name, n, scale, hashlib.sha256(cov.tobytes()).hexdigest()[:16])


def prior_redraw(priors: list[Any]) -> Callable[[np.ndarray, Any], tuple[np.ndarray, np.ndarray]]:
    """An emcee MHMove proposal: each walker redraws one parameter (chosen uniformly) from that parameter's
    prior (calibrate/priors.Prior: uniform on its bounds, or its normal cut to them), the others kept. With the
    prior as the proposal density the Metropolis ratio is the likelihood ratio (the returned log factors are
    log prior(old) - log prior(new) of the changed parameter). Why: a parameter the data leave flat over much of
    its range (a patrol capacity that no longer binds, an inflow knot resting on its bound) is crossed by a
    small Gaussian step only by diffusion, in thousands of steps; a redraw crosses it in one."""

    def propose(coords: np.ndarray, random: Any) -> tuple[np.ndarray, np.ndarray]:
        new = np.array(coords, dtype=float, copy=True)
        factors = np.zeros(len(new))
        picks = random.randint(new.shape[1], size=len(new))
        for i, j in enumerate(picks):
            p = priors[int(j)]
            if p.kind == "normal":
                v = random.normal(p.mean, p.sd)
                while not p.lo <= v <= p.hi:  # the normal cut to the bounds (they hold most of its mass)
                    v = random.normal(p.mean, p.sd)
            else:
                v = random.uniform(p.lo, p.hi)
            factors[i] = p.logpdf(float(new[i, j])) - p.logpdf(float(v))
            new[i, j] = v
        return new, factors

    return propose


def conditional_draws(draws: np.ndarray, given: np.ndarray) -> np.ndarray:
    """A pilot's draws (n, d) with their linear dependence on `given` (n, k: the pilot's values of parameters a
    run now holds) removed: the residuals of the least-squares regression on `given`, whose covariance is the
    Gaussian conditional covariance of the d parameters given the k (the Schur complement). Why: holding a
    parameter of a ridge at one value leaves the others a narrower posterior than the pilot's marginal spread,
    and a step drawn from that spread along the ridge would be mostly refused."""
    g = given - given.mean(axis=0)
    x = draws - draws.mean(axis=0)
    beta, *_ = np.linalg.lstsq(g, x, rcond=None)
    return draws - g @ beta

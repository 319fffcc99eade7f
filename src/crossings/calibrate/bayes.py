"""Bayesian calibration of a sea scenario's free parameters with emcee; posterior draws and ArviZ diagnostics.

Usage: python -m crossings.calibrate.bayes scenarios/channel.yaml [--walkers W --steps S --burn B --thin T]
       [--seed N] [--only NAME ...] [--init-from FILE] [--jobs N] [--max-minutes M] [--checkpoint FILE.npz]
       [--sampler ensemble|metropolis --pilot POSTERIOR.yaml --scale S] [--hold NAME ...] [--output F]

Log posterior = log prior (calibrate/priors.py: the fit spec's bounds as support, lever priors from
EVIDENCE.md where it gives a range, weakly informative otherwise) + log likelihood of the observed monthly
counts inside the fit window (the window of the shipped fitted file) under a negative binomial around the
mean-field expectation of calibrate/problem.Problem (NB2: mean mu, size r, variance mu + mu^2 / r; one size per
observed measure, sampled with the others), plus each observed total inside the window (a sum of counts,
size of the arrivals' series when the measure has no monthly series of its own). Sampler: emcee's ensemble
with differential-evolution moves (DEMove 0.8, DESnookerMove 0.2), walkers started in a small ball around the
shipped fit (calibrate/uncertainty.estimates) and the NB sizes' maximum likelihood there; its random state is
seeded from the counter-based stream stream_for("calibrate.bayes.sampler") keyed by --seed.
Diagnostics after burn-in and thinning, walkers treated as chains: ArviZ rank-normalised split R-hat, bulk
and tail ESS, and emcee's integrated autocorrelation time (in steps). The file (default X.posterior.yaml
beside the scenario) holds the draws (after burn-in and thinning), the priors, the settings and diagnostics.
`--sampler metropolis --pilot FILE`: each walker is instead an independent random-walk Metropolis chain whose
Gaussian step is FILE's posterior covariance x --scale x 2.38^2 / d, fixed for the run (calibrate/proposal.py):
R-hat then needs a few long chains, not an ensemble of twice the parameters that each mix slowly.
`--only` samples the named parameters and holds the others at the shipped fit (for tests and slices); `--hold`
holds the named ones at the fit and samples the rest (a parameter the data do not separate from another; the
file says "held at the fit: ..."); a pilot that sampled them gives the step's covariance given them.
`--checkpoint FILE.npz` keeps the chain (calibrate/chain_store.py) so that a run stopped by --max-minutes, a
kill or the end of a working session continues where it stopped: run the same command again.

`crossings ensemble --parameter-uncertainty X.posterior.yaml`: member i takes the posterior draw with index
floor(u n_draws), u from stream_for("calibrate.bayes.posterior_draw") keyed by the member's seed (member_overrides).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from crossings.calibrate.fitspec import has_fit
from crossings.calibrate.priors import Prior, log_prior, nb_prior, priors_for
from crossings.core.errors import InputError
from crossings.core.rng import stream_for, tick_key, uniform_np
from crossings.scenario.load import load_raw, read_yaml

SAMPLER_STREAM = stream_for("calibrate.bayes.sampler")
DRAW_STREAM = stream_for("calibrate.bayes.posterior_draw")
BALL = 1e-3  # walkers start within this share of each parameter's bound range around the shipped fit
MU_FLOOR = 1e-3  # a mean-field month with (near) nothing expected: keeps log mu finite
FORMAT = "crossings posterior draws v1"
CHECKPOINT_EVERY = 500  # steps between checkpoint writes (central_med, 100 walkers: about 5 minutes, 16 MB a 500 steps)
CHECKPOINT_EVALS = 50_000  # ... and at least this many evaluations (a few Metropolis chains run many more steps)


# --- the log posterior ------------------------------------------------------------------------------------


def nb_logpmf(y: np.ndarray, mu: np.ndarray, r: float) -> np.ndarray:
    from scipy.special import gammaln

    return (gammaln(y + r) - gammaln(r) - gammaln(y + 1.0) + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu)))


class LogPosterior:
    """theta = the sampled free parameters (fitspec order) then one log NB size per observed measure."""

    def __init__(self, problem: Any, x0: np.ndarray, sample: np.ndarray) -> None:
        from crossings.calibrate.problem import ROWS

        p = self.p = problem
        self.x0, self.sample = x0.astype(float), sample
        self.measures = sorted({str(m) for m in p.obs_m["measure"]})
        lab = {m: i for i, m in enumerate(p.month_labels)}
        self.groups = []  # (route rows, measure row, month positions, observed, size index)
        for (route, measure), g in p.obs_m.groupby(["place", "measure"]):
            rows = [i for i, r in enumerate(p.routes) if r == route or p.dest[r] == route]
            pos = np.array([lab[m] for m in g["month"]])
            self.groups.append((rows, ROWS[str(measure)], pos, g["observed"].to_numpy(float),
                                self.measures.index(str(measure))))
        self.totals = []
        for t in p.totals:
            rows = [i for i, r in enumerate(p.routes) if r == t.route or p.dest[r] == t.route]
            k = t.measure if t.measure in self.measures else ("arrivals" if "arrivals" in self.measures
                                                              else self.measures[0])
            self.totals.append((rows, ROWS[t.measure], (t.start - p.start).days, (t.end - p.start).days + 1,
                                float(t.value), self.measures.index(k)))
        frees = [p.frees[i] for i in sample]
        self.names = [f.name for f in frees] + [f"log_nb_size[{m}]" for m in self.measures]
        self.priors: list[Prior] = priors_for(frees) + [nb_prior(m) for m in self.measures]
        at = {int(i): j for j, i in enumerate(sample)}
        self.knot_groups = [[at[i] for i in g] for g in p.groups if all(i in at for i in g)]
        self.lo = np.array([q.lo for q in self.priors])
        self.hi = np.array([q.hi for q in self.priors])
        # every observation in one vector (the order of expected()), with its measure's size index
        from scipy.special import gammaln

        obs = [(g[3], g[4]) for g in self.groups] + [(np.array([t[4]]), t[5]) for t in self.totals]
        self.y = np.concatenate([y for y, _ in obs])
        self.size_of = np.concatenate([np.full(len(y), k, dtype=np.int64) for y, k in obs])
        self.lgamma_y1 = gammaln(self.y + 1.0)

    def full(self, theta: np.ndarray) -> np.ndarray:
        x = self.x0.copy()
        x[self.sample] = theta[: len(self.sample)]
        return x

    def expected(self, x: np.ndarray) -> list[np.ndarray]:
        """Mean-field monthly expectation of each observed group, then each total."""
        from crossings.sea.model import build
        from crossings.sea.simulate import run_arrays

        out = run_arrays(build(self.p.scenario(x)), 1, "meanfield")
        res = []
        for rows, row, pos, _, _ in self.groups:
            res.append(np.add.reduceat(out[row, rows].sum(axis=0), self.p.month_starts)[pos])
        for rows, row, a, b, _, _ in self.totals:
            res.append(np.array([out[row, rows].sum(axis=0)[a:b].sum()]))
        return res

    def loglike(self, x: np.ndarray, log_r: np.ndarray) -> float:
        """nb_logpmf summed over every observation, in one vector (gammaln(y + 1) computed once)."""
        from scipy.special import gammaln

        mu = np.maximum(np.concatenate(self.expected(x)), MU_FLOOR)
        r = np.exp(np.asarray(log_r, dtype=float))[self.size_of]
        y = self.y
        ll = float(np.sum(gammaln(y + r) - gammaln(r) - self.lgamma_y1 + r * np.log(r / (r + mu))
                          + y * np.log(mu / (r + mu))))
        return ll if math.isfinite(ll) else -math.inf

    def __call__(self, theta: np.ndarray) -> float:
        lp = log_prior(self.priors, self.knot_groups, theta)
        if lp == -math.inf:
            return lp
        return lp + self.loglike(self.full(theta), theta[len(self.sample):])

    def nb_start(self, x: np.ndarray) -> np.ndarray:
        """Maximum-likelihood log NB size per measure at x (the shipped fit), on a grid."""
        mus = self.expected(x)
        grid = np.linspace(self.lo[-1], self.hi[-1], 200)
        best = []
        for k in range(len(self.measures)):
            pairs = [(mu, g[3]) for mu, g in zip(mus, self.groups, strict=False) if g[4] == k]
            ll = [sum(float(np.sum(nb_logpmf(y, np.maximum(mu, MU_FLOOR), math.exp(v)))) for mu, y in pairs)
                  for v in grid]
            best.append(grid[int(np.argmax(ll))])
        return np.array(best)


def setup(scenario: Path, fitted: Path | None = None, only: list[str] | None = None,
          hold: list[str] | None = None) -> tuple[LogPosterior, dict[str, Any]]:
    """The log posterior over the shipped fit's window, and the fitted file it starts from. `only`: sample these
    free parameters, hold the others at the shipped fit; `hold`: hold these at the shipped fit, sample the others."""
    from crossings.calibrate.problem import Problem
    from crossings.calibrate.uncertainty import estimates, fitted_for

    fp = fitted if fitted is not None else fitted_for(scenario)
    if not fp.exists():
        raise InputError(str(fp), "", "no such fitted file")
    fd = read_yaml(fp)
    raw = load_raw(scenario, {"fitted_file": str(fp.resolve())})
    if not has_fit(raw):
        raise InputError(str(scenario), "fit.free", "the scenario declares no free parameters to fit")
    w = fd.get("fit_window") or {}
    try:
        start, end = dt.date.fromisoformat(str(w["start"])), dt.date.fromisoformat(str(w["end"]))
    except (KeyError, ValueError):
        raise InputError(str(fp), "fit_window", "missing or not two dates (start, end)") from None
    p = Problem(scenario, raw, start, end)
    x0 = estimates(p.frees, p.raw, p.routes)
    names = [f.name for f in p.frees]
    for flag, given in (("--only", only), ("--hold", hold)):
        bad = [n for n in given or [] if n not in names]
        if bad:
            raise InputError(str(scenario), flag, f"not free parameters of the fit: {bad}; they are {names}")
    if only and hold:
        raise InputError("command line", "--hold", "give --only or --hold, not both")
    if only:
        sample = np.array([names.index(n) for n in only], dtype=np.int64)
    elif hold:
        if set(hold) >= set(names):
            raise InputError("command line", "--hold", "holds every free parameter: nothing left to sample")
        sample = np.array([i for i, n in enumerate(names) if n not in set(hold)], dtype=np.int64)
    else:
        sample = np.arange(len(names), dtype=np.int64)
    info = {"fitted_file": fp.name, "fitted_created_utc": str(fd.get("created_utc")),
            "fit_window": {"start": start.isoformat(), "end": end.isoformat()}}
    return LogPosterior(p, x0, sample), info


# --- sampling and diagnostics (generic: any log density over a box) ---------------------------------------


def _normals(seed: int, tick: int, n: int) -> np.ndarray:
    u = uniform_np(tick_key(seed, SAMPLER_STREAM, tick), np.arange(2 * n, dtype=np.int64))
    return np.sqrt(-2.0 * np.log(1.0 - u[0::2])) * np.cos(2.0 * np.pi * u[1::2])


def start_ball(x0: np.ndarray, lo: np.ndarray, hi: np.ndarray, walkers: int, seed: int) -> np.ndarray:
    """Walkers around x0 (moved inside the bounds by BALL of the range where x0 sits on a bound)."""
    span = hi - lo
    c = np.clip(x0, lo + BALL * span, hi - BALL * span)
    z = _normals(seed, 1, walkers * len(x0)).reshape(walkers, len(x0))
    return np.clip(c + 0.5 * BALL * span * z, lo + 1e-9 * span, hi - 1e-9 * span)


@dataclass
class Run:
    chain: np.ndarray  # (walkers, draws, dim) after burn-in and thinning
    acceptance: float
    autocorr_steps: np.ndarray  # emcee's integrated autocorrelation time per parameter, in steps
    seconds: float
    evaluations: int  # by this run (a continued run: since its checkpoint)
    steps: int = 0  # in the whole chain


def _log_probs(log_prob: Callable[[np.ndarray], float], rows: np.ndarray) -> np.ndarray:
    return np.array([log_prob(r) for r in rows])


def run_emcee(log_prob: Callable[[np.ndarray], float], x_init: np.ndarray, steps: int, burn: int, thin: int,
              seed: int, progress: bool = False, max_seconds: float = math.inf, jobs: int = 1,
              checkpoint: Path | None = None, checkpoint_key: str = "", every: int = CHECKPOINT_EVERY,
              step_cov: np.ndarray | None = None, redraw: tuple[Callable[..., Any], float] | None = None) -> Run:
    """`max_seconds`: stop after the step that passes it (the run keeps the steps done; Run.evaluations says).
    `jobs` > 1: each step's walkers are evaluated in that many forked workers (the same chain: the log density
    is a pure function of the position, and emcee draws its proposals in this process). `checkpoint`: the chain
    so far is saved there every `every` steps and when the run stops (calibrate/chain_store.py); a run started
    with an existing checkpoint of the same `checkpoint_key` continues it (x_init and seed unused) up to `steps`
    in all, and gives the chain one uninterrupted run gives. `step_cov`: instead of the ensemble's moves, each
    walker is its own random-walk Metropolis chain with this Gaussian step (calibrate/proposal.py); `redraw`
    (proposal, share): that share of the steps redraws one parameter from its prior instead (proposal.prior_redraw)."""
    from crossings.core.executor import LocalPool

    with LocalPool(jobs, _log_probs, log_prob) as pool:
        return _sample(log_prob, pool, x_init, steps, burn, thin, seed, progress, max_seconds, checkpoint,
                       checkpoint_key, every, step_cov, redraw)


def _sample(log_prob: Callable[[np.ndarray], float], pool: Any, x_init: np.ndarray, steps: int, burn: int,
            thin: int, seed: int, progress: bool, max_seconds: float, checkpoint: Path | None = None,
            checkpoint_key: str = "", every: int = CHECKPOINT_EVERY, step_cov: np.ndarray | None = None,
            redraw: tuple[Callable[..., Any], float] | None = None) -> Run:
    import emcee

    from crossings.calibrate import chain_store

    walkers, dim = x_init.shape
    moves: Any = ([(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)] if step_cov is None
                  else emcee.moves.GaussianMove(step_cov))  # GaussianMove: each walker steps on its own
    if step_cov is not None and redraw is not None and redraw[1] > 0.0:  # a mixture of two valid kernels
        moves = [(moves, 1.0 - redraw[1]), (emcee.moves.MHMove(redraw[0]), redraw[1])]
    if pool.jobs > 1:
        def in_workers(coords: np.ndarray) -> np.ndarray:
            return np.concatenate(pool.map(np.array_split(coords, min(pool.jobs, len(coords)))))
        s = emcee.EnsembleSampler(walkers, dim, in_workers, moves=moves, vectorize=True)
    else:
        s = emcee.EnsembleSampler(walkers, dim, log_prob, moves=moves)
    prev = chain_store.load(checkpoint, checkpoint_key) if checkpoint is not None and checkpoint.exists() else None
    if prev is None:
        s.random_state = np.random.RandomState(int(tick_key(seed, SAMPLER_STREAM, 0)) % 2**32).get_state()
        start: Any = x_init
        chain0, lp0, acc0 = np.empty((0, walkers, dim)), np.empty((0, walkers)), np.zeros(walkers)
    else:  # continue from the last step's positions, log densities and random state
        if prev.chain.shape[1:] != (walkers, dim):
            raise InputError(str(checkpoint), "chain", f"walkers x parameters {prev.chain.shape[1:]} is not "
                             f"{(walkers, dim)}")
        start = emcee.State(prev.chain[-1], log_prob=prev.log_prob[-1], random_state=prev.random_state)
        chain0, lp0, acc0 = prev.chain, prev.log_prob, prev.accepted
    done0 = int(chain0.shape[0])

    def saved() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if s.iteration == 0:
            return chain0, lp0, acc0
        return (np.concatenate([chain0, s.get_chain()]), np.concatenate([lp0, s.get_log_prob()]),
                acc0 + s.backend.accepted)

    def keep() -> None:
        if checkpoint is not None:
            c, lp, acc = saved()
            chain_store.save(checkpoint, chain_store.Checkpoint(checkpoint_key, c, lp, acc, s.random_state))

    t0 = time.perf_counter()
    # independent chains may be fewer than the parameters: emcee's check that an ensemble spans them is moot
    stepping = s.sample(start, iterations=max(0, steps - done0), skip_initial_state_check=step_cov is not None)
    for i, _ in enumerate(stepping, start=done0 + 1):
        if progress and (i % 100 == 0 or i == steps):
            el = time.perf_counter() - t0
            acc = (float(acc0.sum()) + float(s.backend.accepted.sum())) / (walkers * i)
            print(f"  step {i}/{steps}: {el:.0f} s, acceptance {acc:.3f}, "
                  f"{el / ((i - done0) * walkers) * 1e3:.1f} ms per evaluation", flush=True)
        if time.perf_counter() - t0 > max_seconds:
            break
        if (i - done0) % every == 0:
            keep()
    keep()
    full, _, accepted = saved()
    done = int(full.shape[0])
    if done <= burn:
        kept = f" (kept in {checkpoint}: run again to continue)" if checkpoint is not None else ""
        raise InputError("command line", "--max-minutes", f"stopped after {done} steps, not past the burn-in {burn}"
                         + kept)
    # as emcee's get_autocorr_time and get_chain(discard, thin) (the slice starts at discard + thin - 1)
    tau = emcee.autocorr.integrated_time(full[burn:], quiet=True)
    chain = full[burn + thin - 1::thin].transpose(1, 0, 2)
    return Run(chain, float(np.mean(accepted) / done), np.asarray(tau), time.perf_counter() - t0,
               (done - done0) * walkers, done)


def diagnostics(chain: np.ndarray, names: list[str]) -> list[dict[str, Any]]:
    """ArviZ rank-normalised split R-hat, bulk and tail ESS per parameter; walkers as chains."""
    import arviz as az

    ds = az.convert_to_dataset({f"p{j}": chain[:, :, j] for j in range(chain.shape[2])})
    rhat, bulk, tail = az.rhat(ds, method="rank"), az.ess(ds, method="bulk"), az.ess(ds, method="tail")
    return [{"name": n, "r_hat": float(rhat[f"p{j}"]), "ess_bulk": float(bulk[f"p{j}"]),
             "ess_tail": float(tail[f"p{j}"])} for j, n in enumerate(names)]


# --- the file -----------------------------------------------------------------------------------------------


def _g(v: float) -> float:
    return float(f"{v:.6g}")


def result(post: LogPosterior, info: dict[str, Any], run: Run, settings: dict[str, Any],
           scenario: Path) -> dict[str, Any]:
    diag = diagnostics(run.chain, post.names)
    flat = run.chain.reshape(-1, run.chain.shape[2])
    params = []
    for j, (q, d) in enumerate(zip(post.priors, diag, strict=True)):
        col = flat[:, j]
        params.append({**d, "r_hat": round(d["r_hat"], 5), "ess_bulk": round(d["ess_bulk"], 1),
                       "ess_tail": round(d["ess_tail"], 1), "autocorr_steps": round(float(run.autocorr_steps[j]), 1),
                       "mean": _g(col.mean()), "sd": _g(col.std()), "p05": _g(np.quantile(col, 0.05)),
                       "p50": _g(np.quantile(col, 0.5)), "p95": _g(np.quantile(col, 0.95)), "prior": q.as_dict()})
    held = [f.name for i, f in enumerate(post.p.frees) if i not in set(post.sample.tolist())]
    held_values = {f.name: float(post.x0[i]) for i, f in enumerate(post.p.frees) if f.name in held}
    assumption = ({"assumption": "held at the fit: " + ", ".join(f"{n} = {v:.6g}" for n, v in held_values.items())
                   + (f" ({settings['hold_reason']})" if settings.get("hold_reason") else "")} if held else {})
    return {
        "format": FORMAT,
        "scenario": scenario.name,
        **info,
        "method": __doc__.split("\n\n")[1].replace("\n", " "),
        "sampler": {"moves": "DEMove 0.8, DESnookerMove 0.2", **settings, "package": "emcee",
                    "acceptance": round(run.acceptance, 4), "seconds": round(run.seconds, 1),
                    "evaluations": run.evaluations, "stream": "stream_for('calibrate.bayes.sampler')"},
        "diagnostics": {"rhat_max": round(max(d["r_hat"] for d in diag), 5),
                        "ess_bulk_min": round(min(d["ess_bulk"] for d in diag), 1),
                        "ess_tail_min": round(min(d["ess_tail"] for d in diag), 1),
                        "converged": bool(all(d["r_hat"] < 1.01 and min(d["ess_bulk"], d["ess_tail"]) > 400
                                              for d in diag)),
                        "rule": "R-hat < 1.01 and bulk and tail ESS > 400 for every parameter",
                        "arviz": "rank-normalised split R-hat (arviz.rhat method='rank'), arviz.ess bulk and tail; "
                                 "walkers as chains, after burn-in and thinning"},
        "held": held,
        "held_values": held_values,
        **assumption,
        "parameters": params,
        "draws": {"names": post.names, "walkers": int(run.chain.shape[0]), "per_walker": int(run.chain.shape[1]),
                  # one string per draw (walker-major): a list of lists would exceed the YAML reader's node bound
                  "values": [" ".join(f"{v:.6g}" for v in row) for row in flat]},
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


@dataclass
class Posterior:
    path: Path
    data: dict[str, Any]
    names: list[str]
    draws: np.ndarray  # (n, dim), walker-major


@lru_cache(maxsize=4)
def _parsed(file: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return read_yaml(Path(file))


def read_file(path: Path) -> dict[str, Any]:
    """A posterior file's contents, parsed once per process while the file is unchanged: a central_med file takes
    ~7.5 CPU s to parse, and a forecast reads it in its checks (forecasting/posterior.py) and for its draws.
    Shared: read only."""
    try:
        st = path.stat()
    except OSError:
        return read_yaml(path)  # its one-line error
    return _parsed(str(path.resolve()), st.st_mtime_ns, st.st_size)


def read(path: Path) -> Posterior:
    d = read_file(path)
    try:
        if d.get("format") != FORMAT:
            raise KeyError("format")
        names = [str(n) for n in d["draws"]["names"]]
        draws = np.array([str(r).split() for r in d["draws"]["values"]], dtype=np.float64).reshape(-1, len(names))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(str(path), "", f"not a posterior file ({type(err).__name__}: {err}); write it with "
                         "python -m crossings.calibrate.bayes") from None
    return Posterior(path, d, names, draws)


def is_posterior(path: Path) -> bool:
    return path.name.endswith(".posterior.yaml")


def draw_index(n: int, seed: int) -> int:
    return min(int(uniform_np(tick_key(seed, DRAW_STREAM, 0), np.zeros(1, dtype=np.int64))[0] * n), n - 1)


def fitted_mismatch(posterior: Mapping[str, Any], fitted_file: Path | None) -> str | None:
    """Why a posterior file's contents were not sampled around `fitted_file` (its name and its created_utc
    stamp), None when they were: the check of every reader of posterior draws (ensembles, forecasts)."""
    fitted = read_yaml(fitted_file) if fitted_file is not None and fitted_file.exists() else {}
    if (fitted_file is None or posterior.get("fitted_file") != fitted_file.name
            or str(fitted.get("created_utc")) != str(posterior.get("fitted_created_utc"))):
        return (f"sampled around {posterior.get('fitted_file')} of {posterior.get('fitted_created_utc')}, but this "
                f"run reads {fitted_file.name if fitted_file else 'no fitted file'} of "
                f"{fitted.get('created_utc')}: rerun calibrate.bayes")
    return None


def member_overrides(scenario: Path, seeds: list[int], overrides: Mapping[str, Any] | None,
                     file: Path) -> tuple[list[dict[str, Any]], Any]:
    """Per seed: one posterior draw's key paths (held parameters at their shipped value), under the user's
    overrides; and an Uncertainty-like record for the ensemble's manifest (calibrate/uncertainty.py)."""
    from crossings.calibrate import uncertainty as unc

    post = read(file)
    d = post.data
    fp = unc.fitted_for(scenario, overrides)
    why = fitted_mismatch(d, fp)
    if why:
        raise InputError(str(file), "fitted_file", why)
    w = d["fit_window"]
    frees_names = [p["name"] for p in d["parameters"] if not p["name"].startswith("log_nb_size[")] + list(d["held"])
    probe = unc.Uncertainty(file, str(d["scenario"]), fp.name, str(d["fitted_created_utc"]),
                            (str(w["start"]), str(w["end"])), frees_names, np.zeros(len(frees_names)),
                            np.zeros(len(frees_names)), np.zeros(len(frees_names)), np.zeros(0, dtype=np.int64),
                            np.zeros((0, 0)))
    # the fit's Free order (with write functions); the check on names is order-free here
    raw = load_raw(scenario, {"fitted_file": overrides["fitted_file"]} if overrides and "fitted_file" in overrides
                   else None)
    raw["start"], raw["end"] = dt.date.fromisoformat(str(w["start"])), dt.date.fromisoformat(str(w["end"]))
    from crossings.calibrate.fitspec import frees_for

    frees = frees_for(raw)
    order = [f.name for f in frees]
    if sorted(order) != sorted(frees_names):
        raise InputError(str(file), "parameters", "do not match the fit's free parameters: rerun "
                         f"python -m crossings.calibrate.bayes {scenario}")
    col = {n: j for j, n in enumerate(post.names)}
    held = {str(k): float(v) for k, v in d.get("held_values", {}).items()}
    per = []
    for s in seeds:
        row = post.draws[draw_index(len(post.draws), s)]
        theta = np.array([row[col[n]] if n in col else held[n] for n in order])
        per.append({**unc.member_values(frees, theta), **(overrides or {})})
    x = np.array([float(np.mean(post.draws[:, col[n]])) if n in col else held[n] for n in order])
    u = dataclasses.replace(probe, names=order, x=x, sampled=np.array([i for i, n in enumerate(order) if n in col],
                                                                      dtype=np.int64))
    return per, u


def _last_draws(path: Path, names: list[str], walkers: int) -> np.ndarray:
    prev = read(path)
    w = int(prev.data["draws"]["walkers"])
    if not set(names) <= set(prev.names) or w < walkers:
        raise InputError(str(path), "draws", f"need the parameters {names} and at least {walkers} walkers")
    # a file with more parameters (one freed then, held now) starts the ones both have
    cols = [prev.names.index(n) for n in names]
    return prev.draws.reshape(w, -1, len(prev.names))[:walkers, -1, :][:, cols].copy()


# --- command line --------------------------------------------------------------------------------------------


def _pilot_step(a: argparse.Namespace, names: list[str]) -> Any:
    """--sampler metropolis: the fixed Gaussian step from --pilot's draws (calibrate/proposal.py); else None."""
    from crossings.calibrate.proposal import conditional_draws, from_draws

    if a.sampler != "metropolis":
        if a.pilot:
            raise InputError("command line", "--pilot", "is for --sampler metropolis")
        return None
    if not a.pilot:
        raise InputError("command line", "--pilot", "--sampler metropolis needs a pilot posterior file")
    pilot = read(Path(a.pilot))
    missing = [n for n in names if n not in pilot.names]
    if missing:
        raise InputError(a.pilot, "draws.names", f"lacks the parameters {missing}")
    draws = pilot.draws[:, [pilot.names.index(n) for n in names]]
    given = [n for n in (a.hold or []) if n in pilot.names]
    if given:  # the pilot sampled what this run holds: its step is the covariance given those (calibrate/proposal)
        draws = conditional_draws(draws, pilot.draws[:, [pilot.names.index(n) for n in given]])
    return from_draws(draws, a.scale, a.pilot)



def _manifest(path: Path, seed: int, seconds: float, argv: list[str] | None, res: dict[str, Any]) -> dict[str, Any]:
    """The run's manifest (core.output.make_manifest), kept in the posterior file: the commit, the scenario's files'
    hash, the command, and what the posterior assumes (parameters held at the fit)."""
    from crossings.core.output import hash_files, make_manifest
    from crossings.scenario.load import scenario_files

    args = sys.argv[1:] if argv is None else argv
    return make_manifest(scenario=str(path), scenario_hash=hash_files(scenario_files(path)), seed=seed,
                         wall_s=seconds, extra={"command": " ".join(["python -m crossings.calibrate.bayes", *args]),
                                                "assumption": res.get("assumption", "none: every free parameter "
                                                                      "of the fit sampled")})


def main(argv: list[str] | None = None) -> int:
    from crossings.calibrate.proposal import prior_redraw
    from crossings.core.output import write_generated_yaml

    ap = argparse.ArgumentParser(prog="python -m crossings.calibrate.bayes", description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--fitted", help="fitted-values file to start from (default: the scenario's fitted_file)")
    ap.add_argument("--walkers", type=int, default=32)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--burn", type=int, default=1000)
    ap.add_argument("--thin", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", nargs="+", help="sample only these free parameters (others held at the fit)")
    ap.add_argument("--hold", nargs="+", help="hold these free parameters at the fit and sample the others (a "
                    "stated assumption of the posterior, written in its file: e.g. a parameter the data do not "
                    "identify apart from another); with --pilot, the step is the pilot's covariance given them")
    ap.add_argument("--hold-reason", default="", help="why --hold holds them (written with the assumption)")
    ap.add_argument("--init-from", help="start the walkers at the last draws of this posterior file's walkers "
                    "(same parameters; at least as many walkers there): continues a run, so --burn can be short")
    ap.add_argument("--max-minutes", type=float, default=math.inf, help="stop sampling after this wall time")
    ap.add_argument("--jobs", type=int, default=1, help="evaluate each step's walkers in this many processes "
                    "(the same draws for any number)")
    ap.add_argument("--checkpoint", help="keep the chain in this .npz file every 500 steps and when the run stops; "
                    "started again with the same file, the run continues to --steps in all and gives the chain of "
                    "one uninterrupted run (--init-from and --seed are then unused)")
    ap.add_argument("--sampler", choices=["ensemble", "metropolis"], default="ensemble",
                    help="ensemble: emcee's differential-evolution moves (walkers >= 2 x parameters); metropolis: "
                    "each walker an independent random-walk Metropolis chain whose Gaussian step is --pilot's "
                    "covariance x --scale x 2.38^2 / d (calibrate/proposal.py; 4 or more walkers)")
    ap.add_argument("--pilot", help="--sampler metropolis: the posterior file whose draws give the step covariance")
    ap.add_argument("--scale", type=float, default=1.0, help="--sampler metropolis: the step covariance's factor "
                    "on 2.38^2 / d (below 1 for a target less regular than a Gaussian)")
    ap.add_argument("--prior-redraws", type=float, default=0.0, help="--sampler metropolis: this share of the "
                    "steps redraws one parameter of each chain from its prior instead (crosses flat ranges at once)")
    ap.add_argument("--output", help="where to write (default: X.posterior.yaml beside the scenario)")
    a = ap.parse_args(argv)
    path = Path(a.scenario)
    try:
        if a.burn >= a.steps or min(a.walkers, a.steps, a.thin) < 1 or a.burn < 0:
            raise InputError("command line", "--steps/--burn/--thin/--walkers",
                             "need walkers, steps, thin >= 1 and 0 <= burn < steps")
        post, info = setup(path, Path(a.fitted) if a.fitted else None, a.only, a.hold)
        dim = len(post.names)
        step = _pilot_step(a, post.names)
        if not 0.0 <= a.prior_redraws < 1.0 or (a.prior_redraws > 0.0 and step is None):
            raise InputError("command line", "--prior-redraws", "a share in [0, 1), with --sampler metropolis")
        if step is None and a.walkers < 2 * dim:
            raise InputError("command line", "--walkers", f"need at least 2 x {dim} parameters = {2 * dim}")
        if step is not None and a.walkers < 4:
            raise InputError("command line", "--walkers", "need at least 4 chains for R-hat")
        x0 = np.concatenate([post.x0[post.sample], post.nb_start(post.x0)])
        t = time.perf_counter()
        post(x0)
        print(f"{path.name}: {dim} parameters, log posterior at the fit {post(x0):.2f} "
              f"({(time.perf_counter() - t) * 1e3:.1f} ms per evaluation)", flush=True)
        cp = Path(a.checkpoint) if a.checkpoint else None
        resumed = cp is not None and cp.exists()
        init = start_ball(x0, post.lo, post.hi, a.walkers, a.seed) if not a.init_from or resumed else _last_draws(
            Path(a.init_from), post.names, a.walkers)
        ident = {"scenario": path.name, "fitted_created_utc": info["fitted_created_utc"], "names": post.names,
                 "walkers": a.walkers}
        if step is not None:  # a chain of another step is another chain (the ensemble's key is as it was)
            ident["metropolis_step"] = step.digest
            if a.prior_redraws > 0.0:
                ident["prior_redraws"] = a.prior_redraws
        key = json.dumps(ident, sort_keys=True)
        run = run_emcee(post, init, a.steps, a.burn, a.thin, a.seed, progress=True, max_seconds=60 * a.max_minutes,
                        jobs=max(1, a.jobs), checkpoint=cp, checkpoint_key=key,
                        every=max(CHECKPOINT_EVERY, CHECKPOINT_EVALS // a.walkers),
                        step_cov=None if step is None else step.cov,
                        redraw=(prior_redraw(post.priors), a.prior_redraws) if step is not None else None)
        first = (f"last draws of {Path(a.init_from).name}" if a.init_from else "ball around the shipped fit")
        settings = {"walkers": a.walkers, "steps": run.steps, "burn": a.burn, "thin": a.thin, "seed": a.seed,
                    "start": first if not resumed or cp is None else f"continued from checkpoint {cp.name}"}
        if a.hold:
            settings["hold"] = list(a.hold)
            settings["hold_reason"] = a.hold_reason
        if step is not None:
            settings["moves"] = (f"GaussianMove: {a.walkers} independent random-walk Metropolis chains, step "
                                 f"covariance {step.scale} x 2.38^2 / {dim} x the covariance of {step.n_draws} draws "
                                 f"of {step.pilot} (sha256 {step.digest})" + (
                                     f"; in a share {a.prior_redraws} of the steps one parameter of each chain is "
                                     "redrawn from its prior instead" if a.prior_redraws > 0.0 else ""))
        res = result(post, info, run, settings, path)
        res["manifest"] = _manifest(path, a.seed, run.seconds, argv, res)
        target = Path(a.output) if a.output else path.with_name(f"{path.stem}.posterior.yaml")
    except InputError as err:
        print(f"crossings.calibrate.bayes: error: {err}", file=sys.stderr)
        return 2
    write_generated_yaml(target, "python -m crossings.calibrate.bayes", res, width=110)
    for q in res["parameters"]:
        print(f"  {q['name']:<46} mean {q['mean']:>10.5g} sd {q['sd']:>9.3g}  R-hat {q['r_hat']:.4f}  "
              f"ESS bulk {q['ess_bulk']:>7.0f} tail {q['ess_tail']:>7.0f}  tau {q['autocorr_steps']:>6.1f}")
    print(f"wrote {target}: R-hat max {res['diagnostics']['rhat_max']}, ESS bulk min "
          f"{res['diagnostics']['ess_bulk_min']}, tail min {res['diagnostics']['ess_tail_min']}, "
          f"{run.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cost of one log-posterior evaluation of the Bayesian calibration (crossings.calibrate.bayes: scenario with the
parameters written, model build, mean-field run, NB likelihood), against the least-squares fit's residuals
(calibrate/problem.Problem.residuals, the same run plus pandas), and the projected wall time of a sampler run
sized for the must-show (R-hat < 1.01, ESS > 400): walkers = max(32, 2.5 x dimension), STEPS steps.

Usage: uv run --frozen python benchmarks/bayes_speed.py [--scenario S ...] [--repeats 20] [--steps 2600]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from crossings.calibrate.bayes import setup


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", nargs="+", default=["scenarios/channel.yaml", "scenarios/central_med.yaml"])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--steps", type=int, default=2600)
    a = ap.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for s in a.scenario:
        t = time.perf_counter()
        post, _ = setup(Path(s))
        t_setup = time.perf_counter() - t
        theta = np.concatenate([post.x0[post.sample], post.nb_start(post.x0)])
        post(theta)  # numba warm
        t = time.perf_counter()
        for _ in range(a.repeats):
            post(theta)
        t_post = (time.perf_counter() - t) / a.repeats
        t = time.perf_counter()
        for _ in range(a.repeats):
            post.p.residuals(post.x0)
        t_res = (time.perf_counter() - t) / a.repeats
        dim = len(post.names)
        walkers = max(32, int(np.ceil(2.5 * dim / 2) * 2))
        proj = walkers * a.steps * t_post
        print(f"{Path(s).name}: {dim} parameters ({len(post.sample)} free + {len(post.measures)} NB sizes); setup "
              f"{t_setup:.1f} s; log posterior {t_post * 1e3:.1f} ms per evaluation (least-squares residuals "
              f"{t_res * 1e3:.1f} ms); {walkers} walkers x {a.steps} steps = {walkers * a.steps:,} evaluations: "
              f"projected {proj / 60:.0f} min on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A fingerprint of Flee kernel runs: the sha256 of every array a run returns (daily place counts, transit,
agents, which passes ran in parallel, the final agent arrays), per case and seed. Run it before and after a
change to the kernel and compare the lines: a change that is meant to be bit-identical must print the same.

    uv run --frozen python benchmarks/flee_fingerprint.py [--cases ssudan2013 mali2012 burundi2015] [--seeds 1 2 3]
        [--threads 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "2")

import numba as nb  # noqa: E402
import numpy as np  # noqa: E402

from crossings.flee.api import BUNDLED_RULES, prepare  # noqa: E402
from crossings.flee.model import RawRun, simulate  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "src" / "crossings" / "data" / "flee_cases"


def fingerprint(raw: RawRun) -> str:
    h = hashlib.sha256()
    arrays = [raw.loc_counts, raw.transit, raw.agents, raw.in_parallel] + [raw.state[k] for k in sorted(raw.state)]
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["ssudan2013", "mali2012", "burundi2015"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.threads > 1:
        nb.set_num_threads(args.threads)
    for case in args.cases:
        model, _ = prepare(CASES / case, BUNDLED_RULES)
        for seed in args.seeds:
            c0 = time.process_time()
            raw = simulate(model, seed, threads=args.threads)
            cpu = time.process_time() - c0
            print(f"{case} seed {seed} threads {args.threads}: {fingerprint(raw)}  ({cpu:.2f} s CPU)", flush=True)


if __name__ == "__main__":
    main()

"""CPU cost of the deaths' latent year driver (sea.deaths.with_year_driver) per seeded run, against the whole
sea run (sea.simulate.run_arrays) of the same member: central_med, seeds 1-20, best of 3 rounds.

    uv run --frozen python benchmarks/deaths_driver.py
"""

from __future__ import annotations

import time
from pathlib import Path

from crossings.runs.runner import prepare
from crossings.sea.deaths import with_year_driver
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays

SEEDS = range(1, 21)


def per_member(fn: object, a: object) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        for s in SEEDS:
            fn(a, s)  # type: ignore[operator]
        best = min(best, (time.process_time() - t) / len(SEEDS))
    return best


def main() -> None:
    a = build(prepare(Path(__file__).resolve().parents[1] / "scenarios" / "central_med.yaml"))
    run_arrays(a, 1)  # compile / load the numba cache outside the timing
    d, r = per_member(with_year_driver, a), per_member(run_arrays, a)
    print(f"central_med: year driver {d * 1e3:.2f} ms CPU per member; run_arrays (driver included) {r * 1e3:.1f} ms "
          f"CPU per member; driver share {100 * d / r:.1f}%")


if __name__ == "__main__":
    main()

"""CPU cost of the deaths process's fit (calibrate.deaths.deaths_values), which every forecast origin and every
fit_to refit runs (calibrate/origin_inputs.py): central_med to the end of 2022 and of 2024, the Channel to 2024.

    uv run --frozen python benchmarks/deaths_fit_speed.py
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from crossings.calibrate.deaths import deaths_values
from crossings.scenario.load import load_raw

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CASES = (("central_med", dt.date(2022, 12, 31)), ("central_med", dt.date(2024, 12, 31)), ("channel", dt.date(2024, 12, 31)))


def main() -> None:
    for name, end in CASES:
        raw = load_raw(SCENARIOS / f"{name}.yaml", {"fitted_file": None})
        start = dt.date.fromisoformat(str(raw["start"]))
        t = time.process_time()
        values = deaths_values(raw, start, end)
        print(f"{name} {start} to {end}: {time.process_time() - t:.1f} CPU s, {len(values)} values")


if __name__ == "__main__":
    main()

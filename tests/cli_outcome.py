"""What a fuzzed command may end in (shared by the scenario and Flee fuzz tests): exit 0 with finite tables, or
exit 2 with one error line and nothing written."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd


def finite_tables(out: Path) -> None:
    for csv in out.glob("*.csv"):
        df = pd.read_csv(csv)
        for col in df.select_dtypes("number"):
            if str(col).startswith("observed"):  # an empty observed cell is a day without data
                continue
            assert df[col].map(math.isfinite).all(), f"{csv.name}:{col} holds a non-finite value"


def check_outcome(rc: int, stderr: str, out: Path, manifest: bool = False) -> None:
    """rc 0: (the manifest and) finite tables under out; rc 2: one `crossings: error:` line, out not created."""
    lines = stderr.strip().splitlines()
    assert rc in (0, 2), (rc, lines)
    if rc == 2:
        assert len(lines) == 1 and lines[0].startswith("crossings: error: "), lines
        assert not out.exists()
    else:
        if manifest:
            assert (out / "manifest.json").is_file()
        finite_tables(out)

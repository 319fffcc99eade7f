"""The one door to the observed series shipped with the package (src/crossings/data/observed).

Every file keeps its source columns (source_id, source_url, publisher); SOURCES.md beside the files says
what each holds and where each row comes from. Nothing is fetched at run time.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported lazily: the Flee validate path must start fast
    import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
OBSERVED_DIR = DATA_DIR / "observed"
FLEE_CASES_DIR = DATA_DIR / "flee_cases"


def observed_path(name: str) -> Path:
    """Path of an observed file by stem ('uk_small_boats_daily') or file name."""
    stem = name[:-4] if name.endswith(".csv") else name
    path = OBSERVED_DIR / f"{stem}.csv"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in OBSERVED_DIR.glob("*.csv")))
        raise KeyError(f"no observed series {stem!r}; known: {known}")
    return path


@lru_cache(maxsize=64)
def _load_cached(stem: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(observed_path(stem))


def load(name: str) -> pd.DataFrame:
    """A fresh copy of one observed table (callers may modify it)."""
    stem = name[:-4] if name.endswith(".csv") else name
    return _load_cached(stem).copy()


def source() -> tuple[object, object]:
    """What observed tables are read through now (this module's `load` and its cache). A cache of values derived
    from observed tables keys on it as well as on its arguments, so that a test which swaps the loader (a leakage
    probe: every number after a cut tripled) gets values computed from what the swapped loader returns, and the
    original values again once the swap is undone. The key holds the functions themselves, not their ids, so a
    later swap can never be taken for an earlier one."""
    return (load, _load_cached)


def data_version(name: str) -> str:
    """Short sha256 of one observed file, for run manifests."""
    return hashlib.sha256(observed_path(name).read_bytes()).hexdigest()[:16]


def flee_case_dir(case: str) -> Path:
    """Directory of a bundled Flee validation case (mali2012, burundi2015, car2013, ssudan2013)."""
    path = FLEE_CASES_DIR / case
    if not path.is_dir():
        known = ", ".join(sorted(p.name for p in FLEE_CASES_DIR.iterdir() if (p / "input_csv").is_dir()))
        raise KeyError(f"no bundled Flee case {case!r}; known: {known}")
    return path


def flee_ruleset(name: str = "simsetting.yml") -> Path:
    return FLEE_CASES_DIR / "rulesets" / name

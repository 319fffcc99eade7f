"""The one door to the observed series shipped with the package (src/crossings/data/observed).

Every file keeps its source columns (source_id, source_url, publisher); SOURCES.md beside the files says
what each holds and where each row comes from. Nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:  # pandas is imported lazily: the Flee validate path must start fast
    import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
OBSERVED_DIR = DATA_DIR / "observed"
FLEE_CASES_DIR = DATA_DIR / "flee_cases"
P = ParamSpec("P")
T = TypeVar("T")


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
    """What observed tables are read through now (this module's `load` and its cache). `derived` keys on it as
    well as on the arguments, so that a test which swaps the loader (a leakage probe: every number after a cut
    tripled) gets values computed from what the swapped loader returns, and the original values again once the
    swap is undone. The key holds the functions themselves, not their ids, so a later swap can never be taken for
    an earlier one."""
    return (load, _load_cached)


class _ListKey(tuple):
    """A list argument as part of a cache key (given back to the function as a list)."""


def _freeze(x: Any) -> Any:
    return _ListKey(x) if isinstance(x, list) else x


def _thaw(x: Any) -> Any:
    return list(x) if isinstance(x, _ListKey) else x


def _copied(x: Any) -> Any:
    """A cached value as a caller may change it: tables and arrays copied (plain tuples of them too); anything
    else (numbers, frozen dataclasses, named tuples) as it is."""
    if type(x) is tuple:
        return tuple(_copied(v) for v in x)
    return x.copy() if hasattr(x, "copy") else x


class _Derived(Generic[P, T]):
    def __init__(self, f: Callable[P, T], maxsize: int) -> None:
        functools.update_wrapper(self, f)
        self._f = f
        self._cached = lru_cache(maxsize=maxsize)(self._compute)

    def _compute(self, _source: object, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> T:
        return self._f(*(_thaw(a) for a in args), **{k: _thaw(v) for k, v in kwargs})

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        key = tuple(_freeze(a) for a in args), tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
        return _copied(self._cached(source(), *key))

    def cache_info(self) -> Any:
        return self._cached.cache_info()


def derived(maxsize: int = 256) -> Callable[[Callable[P, T]], _Derived[P, T]]:
    """Cache a function of the observed tables and its arguments once per process (a forecast's or back-test's
    draws ask for the same histories every time), keyed on `source()` too; callers get copies of tables and
    arrays. The one way this project caches values derived from observed data."""
    def wrap(f: Callable[P, T]) -> _Derived[P, T]:
        return _Derived(f, maxsize)
    return wrap


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

"""Fuzz (issue 9): corrupted Flee-format CSV files end in a valid run or one InputError line with exit 2,
never a traceback, a hang or a non-finite result; nothing is written on an error.

The base case is the synthetic 150-day case (crossings.flee.synthetic_cases, 0.25 s a run); each example
changes one of its CSV files (a cell, a line dropped or repeated, a file emptied or a line appended)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_outcome import check_outcome
from crossings.cli import main
from crossings.core.errors import InputError
from crossings.flee.reader import read_case
from crossings.flee.synthetic_cases import write_feature_case

FILES = ["input_csv/locations.csv", "input_csv/routes.csv", "input_csv/sim_period.csv",
         "input_csv/closures.csv", "input_csv/conflicts.csv", "source_data/data_layout.csv",
         "source_data/refugees.csv", "source_data/kampa.csv"]
TOKENS = st.one_of(
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e30", "1e308", "1e400", "-1", "0", "", "-0", "1e-300", "abc",
                     "2012-13-45", "2012-02-30", "#", "100000000", "36500", "Arba", "Arba,Arba", "1.5", "\ufeff",
                     "conflict_zone", "camp", "9999-12-31", "0001-01-01", '"', "a\"b"]),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789.,-e#\"x ", max_size=10),
)
EXAMPLES = int(os.environ.get("CROSSINGS_FUZZ_EXAMPLES", "40"))  # CI: 40 (about 20 s); hunts: 600 passed
MAX_RUN_DAYS = 400  # a valid case asking for more days is read and built, not run (time: a CI budget)


@pytest.fixture(scope="module")
def base_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_feature_case(tmp_path_factory.mktemp("fuzzbase"), "close_country")


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str, int, int, str]:
    file = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "drop", "repeat", "empty", "append"]))
    return file, kind, draw(st.integers(0, 200)), draw(st.integers(0, 30)), draw(TOKENS)


def _mutate(case: Path, m: tuple[str, str, int, int, str]) -> None:
    file, kind, line, col, token = m
    p = case / file
    lines = p.read_text().splitlines()
    i = line % max(len(lines), 1)
    if kind == "empty" or not lines:
        lines = []
    elif kind == "cell":
        cells = lines[i].split(",")
        cells[col % len(cells)] = token
        lines[i] = ",".join(cells)
    elif kind == "drop":
        del lines[i]
    elif kind == "repeat":
        lines.insert(i, lines[i])
    else:
        lines.append(token)
    p.write_text("\n".join(lines) + ("\n" if lines else ""))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=mutations())
def test_corrupted_flee_csv_gives_a_run_or_one_error_line(base_case: Path, tmp_path: Path,
                                                           m: tuple[str, str, int, int, str]) -> None:
    work = tmp_path / "w"
    shutil.rmtree(work, ignore_errors=True)
    case = work / "case"
    shutil.copytree(base_case, case)
    _mutate(case, m)
    out = work / "out"
    keep = work / "keep.txt"
    keep.write_text("user file")
    try:
        days = read_case(case).length
    except InputError:
        days = 0
    args = ["run", str(case), "--out", str(out), "--no-parquet", "--quiet"]
    err = io.StringIO()
    t0 = time.perf_counter()
    if days > MAX_RUN_DAYS:  # valid but long: the reader and the day-by-day build only
        from crossings.flee.api import prepare

        prepare(case)
        return
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(args)
    assert time.perf_counter() - t0 < 60.0
    check_outcome(rc, err.getvalue(), out, manifest=True)
    assert keep.read_text() == "user file"

"""Regression tests (issue 9): corrupted Flee cases are refused with one InputError naming the file, the
line and the column (a traceback, a 17 GiB allocation or a silently changed ARD before)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crossings.cli import main
from crossings.core.errors import InputError
from crossings.flee.reader import read_case

MALI = Path(__file__).resolve().parents[1] / "src/crossings/data/flee_cases/mali2012"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    dst = tmp_path / "mali"
    shutil.copytree(MALI, dst)
    return dst


def _replace(p: Path, old: str, new: str) -> None:
    text = p.read_text()
    assert text.count(old) >= 1, old
    p.write_text(text.replace(old, new, 1))


LOC = "input_csv/locations.csv"
ROUTES = "input_csv/routes.csv"
PERIOD = "input_csv/sim_period.csv"
REFUGEES = "source_data/refugees.csv"

CORRUPTIONS = [
    # (file, old, new, where (line, column), words of the problem)
    (LOC, "conflict_zone,0,25617", "conflict_zone,0,nan", "line 2, column 8", "finite"),
    (LOC, "conflict_zone,0,25617", "conflict_zone,0,inf", "line 2, column 8", "finite"),
    (LOC, "conflict_zone,0,25617", "conflict_zone,0,1e30", "line 2, column 8", "between 0 and 2e+07"),
    (PERIOD, "Length,300", "Length,100000000", "line 2, column 2", "between 1 and 36500"),
    (ROUTES, "Douentza,Mentao,487,0", "Douentza,Mentao,inf,0", "line 2, column 3", "finite"),
    (ROUTES, "Douentza,Mentao,487,0", "Douentza,Douentza,487,0", "line 2, column 2", "to itself"),
    (ROUTES, "Mopti,Mentao,360,0", "Mentao,Douentza,360,0", "line 3, column 1", "already given on line 2"),
    (ROUTES, "Douentza,Mentao,487,0", "Douentza,Mentao,1e9,0", "line 2, column 3", "between 0 and 40075"),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "problem"), CORRUPTIONS)
def test_corrupted_case_is_refused_at_line_and_column(case: Path, file: str, old: str, new: str, where: str,
                                                      problem: str) -> None:
    _replace(case / file, old, new)
    with pytest.raises(InputError) as e:
        read_case(case)
    assert e.value.file == str(case / file)
    assert e.value.where == where
    assert problem in e.value.problem


def test_observed_count_nan_or_negative_is_refused(case: Path) -> None:
    ref = case / REFUGEES
    lines = ref.read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln[:1].isdigit())
    date = lines[i].split(",")[0]
    for bad, words in (("nan", "finite"), ("-5", "between 0 and")):
        lines[i] = f"{date},{bad}"
        ref.write_text("\n".join(lines) + "\n")
        with pytest.raises(InputError) as e:
            read_case(case)
        assert e.value.where == f"line {i + 1}, column 2" and words in e.value.problem


def test_empty_routes_file_is_refused(case: Path) -> None:
    (case / ROUTES).write_text("#name1,name2,distance,forced_redirection\n")
    with pytest.raises(InputError, match="no routes"):
        read_case(case)


def test_too_many_day_cells_are_refused_before_allocation(case: Path) -> None:
    # a hundred years over 323 places (300 towns added in a chain): 36,500 x (323 + 670) day cells
    _replace(case / PERIOD, "Length,300", "Length,36500")
    with (case / LOC).open("a") as f:
        f.writelines(f"T{i},r,Mali,0,0,town,0,10\n" for i in range(300))
    with (case / ROUTES).open("a") as f:
        f.writelines(f"{'Kidal' if i == 0 else f'T{i - 1}'},T{i},10,0\n" for i in range(300))
    with pytest.raises(InputError, match="more than 20,000,000") as e:
        read_case(case)
    assert e.value.file == str(case / PERIOD)


def test_cli_gives_one_line_exit_2_and_writes_nothing(case: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _replace(case / LOC, "conflict_zone,0,25617", "conflict_zone,0,nan")
    out = tmp_path / "out"
    assert main(["run", str(case), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "locations.csv: line 2, column 8" in err[0]
    assert not out.exists()

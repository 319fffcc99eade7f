"""Flee-format reader: bundled cases, a synthetic case with comment headers/extra columns/no optional files,
bad input named by file, line and column (API and CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossings.cli import main
from crossings.core.errors import InputError
from crossings.core.observed import flee_case_dir
from crossings.flee.api import run_case
from crossings.flee.reader import Series, _add_tables, interpolate, read_case
from crossings.flee.synthetic import write_chain_case


@pytest.mark.parametrize("name,days,n_loc,n_routes,camps", [
    ("mali2012", 300, 23, 35, 7), ("burundi2015", 396, 30, 41, 5),
    ("car2013", 820, 63, 86, 14), ("ssudan2013", 604, 51, 60, 10),
])
def test_bundled_cases_read(name: str, days: int, n_loc: int, n_routes: int, camps: int) -> None:
    case = read_case(flee_case_dir(name))
    assert (case.length, case.n_loc, len(case.route_a)) == (days, n_loc, n_routes)
    assert sum(k in ("camp", "idpcamp") for k in case.loc_kind) == camps
    assert "total" in case.series and case.conflicts is not None
    assert case.warnings == []


def test_registration_correction_and_sum_of_tables() -> None:
    case = read_case(flee_case_dir("mali2012"))
    s = case.series["Mentao"]
    i = int(np.nonzero(s.days == (np.datetime64("2012-10-03") - np.datetime64("2012-02-29")).astype(int))[0][0])
    assert s.values[i - 1] == pytest.approx(s.values[i])  # level-1 counts rescaled to the level-2 one
    t = _add_tables(Series(np.array([0, 10]), np.array([1.0, 2.0])), Series(np.array([0, 10]), np.array([5.0, 7.0])))
    assert t.values.tolist() == [6.0, 9.0]


def test_interpolation_like_flee() -> None:
    s = Series(np.array([2, 6]), np.array([10.0, 20.0]))
    assert interpolate(s, 9).tolist() == [10, 10, 10, 12, 15, 17, 20, 20, 20]
    assert interpolate(s, 4, scale=3.0).tolist() == [3, 3, 3, 4]


def test_synthetic_case_without_optional_files_runs(tmp_path: Path) -> None:
    case = write_chain_case(tmp_path / "plain", days=20, with_optional=False, extra_columns=True)
    assert not (case / "input_csv" / "conflicts.csv").exists()
    result = run_case(case, seed=1)
    assert result.n_agents > 0
    assert set(result.camps["camp"]) == {"C", "D"}
    assert result.ard_rescaled >= 0.0 and np.isfinite(result.ard)


def _broken(tmp_path: Path, rel: str, text: str) -> Path:
    case = write_chain_case(tmp_path / "bad", days=20)
    (case / rel).write_text(text)
    return case


@pytest.mark.parametrize("rel,text,where", [
    ("input_csv/routes.csv", "#name1,name2,distance\nA,B,60\nB,C,far\n", "line 3, column 3"),
    ("input_csv/routes.csv", "A,B,60\nB,Nowhere,10\n", "line 2, column 2"),
    ("input_csv/locations.csv", "#h\nA,R,X,1,1,conflict_zone,0,100\nB,R,X,1,1,conflict_zone,soon,5\n", "line 3, column 7"),
    ("input_csv/locations.csv", "A,R,X,1,1,conflict_zone,0,lots\n", "line 1, column 8"),
    ("input_csv/closures.csv", "#t\ncountry,Home,Away,soon,4\n", "line 2, column 4"),
    ("input_csv/sim_period.csv", "StartDate,2020-13-01\nLength,10\n", "line 1, column 2"),
    ("source_data/c.csv", "2020-01-01,0\n2020-01-05,many\n", "line 2, column 2"),
])
def test_malformed_csv_names_file_line_column(tmp_path: Path, rel: str, text: str, where: str) -> None:
    case = _broken(tmp_path, rel, text)
    with pytest.raises(InputError) as err:
        run_case(case)
    assert err.value.where == where
    assert Path(err.value.file).name == Path(rel).name


def test_cli_bad_input_exit_2_one_line_no_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _broken(tmp_path, "input_csv/routes.csv", "A,B,60\nB,C,oops\n")
    out = tmp_path / "out"
    code = main(["run", str(case), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "routes.csv: line 2, column 3" in err and "Traceback" not in err
    assert not out.exists()


def test_cli_run_writes_tables_and_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_chain_case(tmp_path / "ok", days=15)
    out = tmp_path / "res"
    assert main(["run", str(case), "--out", str(out), "--seed", "3", "--no-parquet"]) == 0
    assert "ARD" in capsys.readouterr().out
    import json

    m = json.loads((out / "manifest.json").read_text())
    assert m["seed"] == 3 and len(m["scenario_hash"]) == 64 and "git_commit" in m and m["version"]
    for name in ("occupancy", "camps", "daily"):
        assert (out / f"{name}.csv").exists()


def test_cli_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_chain_case(tmp_path / "ok", days=15)
    assert main(["validate", str(case), "--seeds", "2", "--json"]) == 0
    import json

    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    res = json.loads(lines[0])
    for key in ("ard", "ard_rescaled", "ard_sd", "seeds", "days", "agents_max", "wall_s"):
        assert key in res
    assert res["seeds"] == 2 and res["days"] == 15


def test_cli_rules_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_chain_case(tmp_path / "ok", days=10)
    bad = tmp_path / "rules.yml"
    bad.write_text("move_rules:\n  camp_wieght: 2\n")  # unknown key: ignored as flee 3.1 does, with a warning
    assert main(["validate", str(case), "--rules", str(bad), "--seeds", "1"]) == 0
    assert "warning:" in (err := capsys.readouterr().err) and "move_rules.camp_wieght" in err
    bad.write_text("move_rules:\n  softening: soft\n")
    assert main(["validate", str(case), "--rules", str(bad), "--seeds", "1"]) == 2
    assert "move_rules.softening" in capsys.readouterr().err


def test_bundled_case_copy_with_comment_and_extra_column(tmp_path: Path) -> None:
    dst = tmp_path / "mali"
    shutil.copytree(flee_case_dir("mali2012"), dst)
    loc = dst / "input_csv" / "locations.csv"
    lines = loc.read_text().splitlines()
    lines = ["# a comment line", lines[0] + ",note"] + [ln + ",x" for ln in lines[1:]]
    loc.write_text("\n".join(lines) + "\n")
    a = read_case(dst)
    b = read_case(flee_case_dir("mali2012"))
    assert a.loc_names == b.loc_names and (a.loc_popcap == b.loc_popcap).all()


_CELLS = st.sampled_from(["A", "B", "C", "Nowhere", "", "12", "-3", "x1", "1e3", "nan", " 7 ", "#"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, min_size=0, max_size=6), min_size=0, max_size=5))
def test_fuzzed_routes_only_raise_input_error(tmp_path: Path, rows: list[list[str]]) -> None:
    case = tmp_path / "fz"
    if not case.exists():
        write_chain_case(case, days=10)
    (case / "input_csv" / "routes.csv").write_text("\n".join(",".join(r) for r in rows) + "\n")
    try:
        read_case(case)
    except InputError as err:
        assert "routes.csv" in err.file

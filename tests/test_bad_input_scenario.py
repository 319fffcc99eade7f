"""Regression tests (issue 9, "Bad input"): each reproducer of a bad scenario or CLI input gives one
InputError naming the file, the key path (or line) and the problem; exit 2 from the CLI; nothing written."""

from __future__ import annotations

import re
import shutil
import time
import tracemalloc
from pathlib import Path

import pytest

from crossings.cli import main
from crossings.core.errors import InputError
from crossings.scenario.load import load_scenario, read_yaml

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
CHANNEL = (SCEN / "channel.yaml").read_text()


def _scenario(tmp_path: Path, text: str) -> Path:
    """The Channel scenario with `text` as its file, beside a copy of its fitted file."""
    shutil.copy(SCEN / "channel.fitted.yaml", tmp_path / "channel.fitted.yaml")
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def _edited(old: str, new: str) -> str:
    assert CHANNEL.count(old) == 1, old
    return CHANNEL.replace(old, new)


def test_alias_bomb_is_refused_fast_with_bounded_memory(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n")
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError, match="expands to more than") as e:
            read_yaml(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 5.0
    assert peak < 50e6, f"peak {peak / 1e6:.0f} MB"
    assert e.value.where.startswith("line ")


@pytest.mark.parametrize("text", ["[" * 50_000 + "]" * 50_000, "a:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(500))])
def test_deep_nesting_is_one_line_not_a_recursion_error(tmp_path: Path, text: str) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text(text)
    with pytest.raises(InputError, match="nested more than 64 levels deep"):
        read_yaml(p)


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "rec.yaml"
    p.write_text("a: &a [1, *a]\n")
    with pytest.raises(InputError, match="contains it"):
        read_yaml(p)


def test_duplicate_keys_are_refused_naming_key_and_line(tmp_path: Path) -> None:
    p = _scenario(tmp_path, _edited("compare_to_baseline: true", "compare_to_baseline: true\nstart: 2019-01-01"))
    with pytest.raises(InputError, match=r"duplicate key 'start' \(first on line 9\)") as e:
        load_scenario(p)
    assert e.value.where.startswith("line 13")


def test_merge_keys_still_work(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("x: &x {a: 1, b: 2}\ny:\n  <<: *x\n  a: 3\n")
    assert read_yaml(p) == {"x": {"a": 1, "b": 2}, "y": {"a": 3, "b": 2}}


BAD_VALUES = [
    # (old text, new text, key path, words of the problem)
    ("2023-01-01: 48.9", "2023-01-01: -50", "sea_links.0.people_per_boat.values.2023-01-01", "greater than or equal to 1"),
    ("2023-01-01: 48.9", "2023-01-01: .nan", "sea_links.0.people_per_boat.values.2023-01-01", "finite"),
    ("2023-01-01: 48.9", "2023-01-01: 1e308", "sea_links.0.people_per_boat.values.2023-01-01", "less than or equal to 2000"),
    # inflow knots are replaced by the fitted file: still validated as written
    ("2023-07-01: 100", "2023-07-01: .inf", "inflows.0.knots.2023-07-01", "finite"),
    ("2023-07-01: 100", "2023-07-01: 1e308", "inflows.0.knots.2023-07-01", "less than or equal to 10000000"),
    ("2023-07-01: 100", "2023-07-01: 1.0e+400", "inflows.0.knots.2023-07-01", "finite"),  # YAML reads it as inf
    ("attractiveness: 0.0", "attractiveness: .nan", "land_links.0.attractiveness", "finite"),
    ("risk_weight: 0.0", "risk_weight: .inf", "choice.risk_weight", "finite"),
    ("risk_weight: 0.0", "risk_weight: '-.inf'", "choice.risk_weight", ""),
    ("start: 2023-03-10", "start: 2023-03-10\n    ramp_days: .inf", "levers.uk_france_deal.ramp_days", "finite"),
    ("prevention: 0.44", 'prevention: "nan"', "levers.uk_france_deal.prevention", ""),
    # launch_share is replaced by the fitted file: an invalid value as written is still refused
    ("launch_share: 0.5 ", "launch_share: 7 ", "sea_links.0.launch_share", "less than or equal to 1"),
    ("seasonal_amplitude: 0.5", "seasonal_amplitude: .nan", "inflows.0.seasonal_amplitude", "finite"),
    # acted as one boat a day
    ("prevention: 0.44", "prevention: 0.44\n    launch_capacity: 1e-300", "levers.uk_france_deal.launch_capacity",
     "greater than or equal to 1"),
]


@pytest.mark.parametrize(("old", "new", "where", "problem"), BAD_VALUES)
def test_bad_values_are_refused_at_their_key_path(tmp_path: Path, old: str, new: str, where: str, problem: str) -> None:
    p = _scenario(tmp_path, _edited(old, new))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.file == str(p)
    assert e.value.where == where
    assert problem in e.value.problem


def test_non_finite_in_the_fitted_file_names_the_fitted_file(tmp_path: Path) -> None:
    p = _scenario(tmp_path, CHANNEL)
    fitted = tmp_path / "channel.fitted.yaml"
    fitted.write_text(re.sub(r"launch_share: [0-9.]+", "launch_share: .nan", fitted.read_text(), count=1))
    with pytest.raises(InputError, match="finite") as e:
        load_scenario(p)
    assert e.value.file == str(fitted)
    assert e.value.where == "values.sea_links.france_uk.launch_share"


def test_set_overrides_are_checked_too(tmp_path: Path) -> None:
    p = _scenario(tmp_path, CHANNEL)
    with pytest.raises(InputError, match="finite") as e:
        load_scenario(p, {"choice.risk_weight": float("inf")})
    assert e.value.where == "choice.risk_weight"


def _cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    rc = main(list(args))
    err = capsys.readouterr().err.strip().splitlines()
    assert not (tmp_path / "out").exists(), "written despite the error"
    return rc, err


@pytest.mark.parametrize("seed", ["-1", str(2**64 - 1), str(2**63), str(2**70)])
def test_seeds_out_of_range_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: str) -> None:
    rc, err = _cli(tmp_path, capsys, "run", str(SCEN / "channel.yaml"), "--out", str(tmp_path / "out"), "--seed", seed)
    assert rc == 2 and len(err) == 1 and "--seed: must be between 0 and 2**63 - 1" in err[0]


def test_ensemble_seed_range_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, err = _cli(tmp_path, capsys, "ensemble", str(SCEN / "channel.yaml"), "--out", str(tmp_path / "out"),
                   "--first-seed", str(2**63 - 2), "--seeds", "5")
    assert rc == 2 and len(err) == 1 and "--seeds" in err[0]


def test_a_bad_value_gives_one_line_exit_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _scenario(tmp_path, _edited("risk_weight: 0.0", "risk_weight: .inf"))
    rc, err = _cli(tmp_path, capsys, "run", str(p), "--out", str(tmp_path / "out"))
    assert rc == 2 and err == [f"crossings: error: {p}: choice.risk_weight: must be a finite number, got inf"]


@pytest.mark.parametrize("opt", [["--start", "2012-03-01"], ["--end", "2012-05-01"], ["--set", "a=1"]])
def test_yaml_only_options_with_a_flee_case_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        opt: list[str]) -> None:
    case = Path(__file__).resolve().parents[1] / "src/crossings/data/flee_cases/mali2012"
    rc, err = _cli(tmp_path, capsys, "run", str(case), "--out", str(tmp_path / "out"), *opt)
    assert rc == 2 and len(err) == 1 and f"{opt[0]}: for YAML scenarios only" in err[0]


def test_rules_with_a_yaml_scenario_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, err = _cli(tmp_path, capsys, "run", str(SCEN / "channel.yaml"), "--out", str(tmp_path / "out"), "--rules", "x.yml")
    assert rc == 2 and len(err) == 1 and "--rules: for Flee case directories only" in err[0]


def test_a_control_character_is_one_line_with_its_place(tmp_path: Path) -> None:
    # found by tests/test_fuzz_scenario.py: PyYAML's message spans two lines
    p = tmp_path / "c.yaml"
    p.write_bytes(b"name: x\x05\n")
    with pytest.raises(InputError, match="not valid YAML") as e:
        read_yaml(p)
    assert "\n" not in str(e.value) and e.value.where == "character 8"


@pytest.mark.parametrize(("key", "value"), [
    ("asylum.destinations.uk.initial_appeals", 10**20),  # was a numpy allocation traceback
    ("asylum.destinations.uk.costs.hotel_per_night", 1e300),  # was a cost of 1.9e306 a month, exit 0
])
def test_asylum_counts_and_costs_are_bounded(key: str, value: float) -> None:
    with pytest.raises(InputError, match="less than or equal to") as e:
        load_scenario(SCEN / "uk_asylum.yaml", {key: value})
    assert e.value.where == key


def test_asylum_schedules_are_bounded() -> None:
    # found by the fuzz suite: a stock of 1e300 people in support overflowed the cost to inf
    with pytest.raises(InputError, match="less than or equal to 1000000000"):
        load_scenario(SCEN / "uk_asylum.yaml", {"asylum.destinations.uk.support_outside_queues": 1e300})


@pytest.mark.parametrize("args", [
    ["ensemble", "channel.yaml", "--seeds", "0"],
    ["ensemble", "channel.yaml", "--seeds", "1000001"],
    ["ensemble", "channel.yaml", "--jobs", "1025"],
    ["compare", "channel.yaml", "--seeds", str(10**12)],
    ["sensitivity", "channel.yaml", "--n", "0", "--params", "choice.risk_weight=0:1", "--outputs", "arrivals:uk@2024"],
    ["forecast", "channel.yaml", "--draws", str(10**9)],
    ["forecast", "channel.yaml", "--horizon", "121"],
])
def test_counts_have_upper_bounds(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    """A typo in a count (seeds, jobs, draws, sample size, horizon) is refused before any work: bounded time."""
    cmd, scen, *rest = args
    rc, err = _cli(tmp_path, capsys, cmd, str(SCEN / scen), "--out", str(tmp_path / "out"), *rest)
    assert rc == 2 and len(err) == 1 and f"{rest[0]}: must be between 1 and" in err[0], err

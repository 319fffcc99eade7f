"""The module commands (the route system's fits and origin fit, the sea deaths fit) answer bad input with one
line naming the problem and exit 2, not a traceback, and write nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from crossings.calibrate import deaths, europe, europe_deaths, europe_onward
from crossings.forecasting import europe_forecast

ROOT = Path(__file__).resolve().parents[1]
Main = Callable[[list[str] | None], int]


def _bad(main: Main, argv: list[str], prog: str, words: str, capsys: pytest.CaptureFixture[str],
         folder: Path) -> None:
    before = sorted(folder.iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{prog}: error: ") and words in err[0], err
    assert sorted(folder.iterdir()) == before  # nothing written beside the scenario


@pytest.mark.parametrize(("main", "prog"), [(europe.main, "crossings.calibrate.europe"),
                                            (europe_onward.main, "crossings.calibrate.europe_onward"),
                                            (europe_deaths.main, "crossings.calibrate.europe_deaths"),
                                            (deaths.main, "crossings.calibrate.deaths")])
def test_missing_scenario_is_one_line(main: Main, prog: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _bad(main, [str(tmp_path / "nowhere.yaml")], prog, "nowhere.yaml", capsys, tmp_path)


def _copy(tmp_path: Path) -> Path:
    for f in (ROOT / "scenarios").glob("europe*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / "europe.yaml"


def test_bad_dates_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sc = _copy(tmp_path)
    _bad(europe_deaths.main, [str(sc), "--fit-end", "2023-13-40"], "crossings.calibrate.europe_deaths",
         "--fit-end: not a date", capsys, tmp_path)
    _bad(deaths.main, [str(ROOT / "scenarios" / "channel.yaml"), "--fit-end", "2023-02-30"],
         "crossings.calibrate.deaths", "--fit-end: not a date", capsys, tmp_path)
    _bad(europe_forecast.main, [str(sc), "--origin", "2024-03-01"], "crossings.forecasting.europe_forecast",
         "starts on 1 January", capsys, tmp_path)


def test_no_onward_block_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sc = _copy(tmp_path)
    text = sc.read_text(encoding="utf-8")
    head, sep, _ = text.partition("\nonward:")
    assert sep, "europe.yaml has an onward block to remove"
    # drop the block: its lines are indented under `onward:` up to the next top-level key
    rest = text[len(head) + len(sep):].split("\n")
    i = next(k for k, line in enumerate(rest) if k > 0 and line and not line.startswith((" ", "#")))
    sc.write_text(head + "\n" + "\n".join(rest[i:]), encoding="utf-8")
    _bad(europe_onward.main, [str(sc)], "crossings.calibrate.europe_onward", "no onward block", capsys, tmp_path)

"""Every command's --help prints and exits 0 (argparse formats help strings with %: a bare % crashes)."""

from __future__ import annotations

import pytest

from crossings.cli import main


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["validate", "--help"], ["ensemble", "--help"],
                                  ["demo", "--help"]])
def test_help_prints(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0
    assert "usage: crossings" in capsys.readouterr().out

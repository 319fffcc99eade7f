"""Every command and option of the CLI explains itself: help text on every option, examples on every command."""

from __future__ import annotations

import argparse

import pytest

from crossings.cli import _parser, main


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    p = _parser()
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(subs) == 1
    return dict(subs[0].choices)


def test_every_option_of_every_command_has_help():
    missing = [f"{name} {a.option_strings or a.dest}" for name, sp in _subcommands().items() for a in sp._actions
               if not a.help]
    assert not missing, f"options without help text: {missing}"


def test_every_command_has_an_example():
    missing = [name for name, sp in _subcommands().items()
               if "example" not in f"{sp.description or ''} {sp.epilog or ''}".lower()]
    assert not missing, f"commands without an example: {missing}"


def test_every_command_is_listed_with_help_in_top_level_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in _subcommands():
        assert f"    {name} " in out or f"    {name}\n" in out, name
    assert "ensemble" in out


def test_defaults_are_shown(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    out = capsys.readouterr().out
    assert "(default: 20)" in out and "examples:" in out


def test_version(capsys):
    from crossings import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"crossings {__version__}"


def test_help_walk_catches_an_option_without_help():
    p = _parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    sub.choices["run"].add_argument("--undocumented")
    assert any(not a.help for a in sub.choices["run"]._actions)

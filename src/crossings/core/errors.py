"""One error type for bad input: it names the file, the place in it and the problem."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class InputError(Exception):
    """Bad user input (scenario file, CSV, CLI argument).

    `where` is a line/column ("line 4, column 3") or a key path ("levers.tunisia_mou.start").
    The CLI prints `str(err)` and exits non-zero; nothing is written.
    """

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = str(file)
        # one line whatever the source said (PyYAML's messages, for one, span several)
        self.where = " ".join(str(where).split())
        self.problem = " ".join(str(problem).split())
        where, problem = self.where, self.problem
        super().__init__(f"{self.file}: {where}: {problem}" if where else f"{self.file}: {problem}")


def guarded(prog: str, command: Callable[[], int]) -> int:
    """A module command's exit code: bad input gives one line on stderr (`prog: error: file: where: problem`) and
    2, not a traceback. The command writes its files last (atomically), so nothing is half-written."""
    try:
        return command()
    except InputError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 2


def date_arg(flag: str, text: str) -> dt.date:
    """A command-line date, or InputError naming the flag."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("command line", flag, f"not a date (YYYY-MM-DD): {text!r}") from None


def _key_path(loc: Iterable[object], drop: Iterable[str]) -> str:
    """pydantic's error location as a key path, without the tags it inserts: discriminated-union members
    (`drop`, e.g. a lever's type) and constrained-type members ("constrained-float", "list[Step]",
    "literal['observed']", "float"); date keys such as 2021-01-01 stay."""
    tags = set(drop)
    keys = [str(p) for p in loc]
    # a tag right after `levers` is a lever's name (a lever may be named like its type): kept
    parts = [p for i, p in enumerate(keys) if p not in {"float", "int"}
             and not (p in tags and (i == 0 or keys[i - 1] != "levers"))
             and not re.search(r"[\[\]']", p) and not re.fullmatch(r"[a-z_]+(-[a-z_]+)+", p)]
    return ".".join(parts)


def from_validation_error(err: ValidationError, file: str, prefix: str = "", drop: Iterable[str] = ()) -> InputError:
    """The first problem pydantic found, as InputError(file, key path, problem)."""
    first = err.errors()[0]
    where = ".".join(p for p in (prefix, _key_path(first["loc"], drop)) if p)
    msg = str(first["msg"]).removeprefix("Value error, ")
    # model validators report "key.path: problem" at their own level; lift the path out
    head, sep, tail = msg.partition(": ")
    if sep and " " not in head:
        where = ".".join(p for p in (where, head) if p)
        msg = tail
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    n = len(err.errors())
    return InputError(file, where or "(top level)", msg + (f" (and {n - 1} more problems)" if n > 1 else ""))

"""One error type for bad input: it names the file, the place in it and the problem."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input (scenario file, CSV, CLI argument).

    `where` is a line/column ("line 4, column 3") or a key path ("levers.tunisia_mou.start").
    The CLI prints `str(err)` and exits non-zero; nothing is written.
    """

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = str(file)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.file}: {where}: {problem}" if where else f"{self.file}: {problem}")

"""Small CSV helpers shared by the Flee readers: comment-aware rows with line numbers, typed cells.

Every parse error becomes an InputError naming the file, the line and the (1-based) column.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

from crossings.core.errors import InputError


def rows(path: Path, *, keep_comments: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) for every non-blank row; '#'-rows are skipped unless asked for."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InputError(str(path), "", f"cannot read file ({err.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "", "not a UTF-8 text file") from None
    for lineno, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not cells or all(c == "" for c in cells):
            continue
        if cells[0].startswith("#") and not keep_comments:
            continue
        yield lineno, cells


def where(line: int, col: int) -> str:
    return f"line {line}, column {col}"


def cell(path: Path, line: int, cells: list[str], col: int, what: str) -> str:
    """Cell `col` (0-based) or an InputError saying it is missing."""
    if col >= len(cells):
        raise InputError(str(path), where(line, col + 1), f"missing {what} ({len(cells)} columns on this line)")
    return cells[col]


def to_float(path: Path, line: int, col: int, text: str, what: str, default: float | None = None) -> float:
    if text == "" and default is not None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise InputError(str(path), where(line, col + 1), f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(value):  # Python reads 'nan', 'inf', '1e400': none is a count, distance or rate
        raise InputError(str(path), where(line, col + 1), f"{what} must be a finite number, got {text!r}")
    return value


def check_range(path: Path, line: int, col: int, value: float, what: str, lo: float, hi: float, why: str = "") -> None:
    """lo <= value <= hi, or an InputError naming the bounds (and why they are what they are)."""
    if not lo <= value <= hi:
        raise InputError(str(path), where(line, col + 1),
                         f"{what} must be between {lo:g} and {hi:g}{why}, got {value:g}")


def to_int(path: Path, line: int, col: int, text: str, what: str, default: int | None = None) -> int:
    value = to_float(path, line, col, text, what, None if default is None else float(default))
    if value != int(value):
        raise InputError(str(path), where(line, col + 1), f"{what} must be a whole number, got {text!r}")
    return int(value)


def parse_date(text: str) -> dt.date:
    """Flee's datetime.strptime(text, "%Y-%m-%d"): also takes unpadded months and days (2012-3-5)."""
    return dt.datetime.strptime(text, "%Y-%m-%d").date()


def to_date(path: Path, line: int, col: int, text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError:
        raise InputError(str(path), where(line, col + 1), f"expected a date YYYY-MM-DD, got {text!r}") from None

"""YAML file -> validated Scenario. Every problem becomes InputError(file, "key.path", problem)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crossings.errors import InputError
from crossings.scenario.overrides import apply_overrides
from crossings.scenario.schema import Scenario
from crossings.scenario.yaml_loader import NoDatesLoader


def _unalias(node: Any) -> Any:
    """Copy without sharing: YAML anchors (&x / *x) would otherwise make one override change every alias."""
    if isinstance(node, dict):
        return {k: _unalias(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unalias(v) for v in node]
    return node


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as err:
        raise InputError(str(path), "", f"cannot read: {err.strerror}") from None
    try:
        raw = yaml.load(text, Loader=NoDatesLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(str(path), where, f"not valid YAML: {getattr(err, 'problem', err)}") from None
    except ValueError as err:  # YAML resolved a date-like scalar that is no date (2023-13-45)
        raise InputError(str(path), "", f"invalid date: {err}") from None
    if not isinstance(raw, dict):
        raise InputError(str(path), "", "a scenario must be a YAML mapping")
    return dict(_unalias(raw))


def fitted_path(path: Path, raw: Mapping[str, Any]) -> Path | None:
    name = raw.get("fitted_file")
    return (path.parent / str(name)) if name else None


def _loc(loc: tuple[Any, ...]) -> str:
    # pydantic puts the union tag in the location (levers.x.partner_coastguard.route): drop it
    # and the union-member tags of constrained types ("constrained-float", "list[Step]", "literal['observed']")
    parts = [str(p) for p in loc if p not in ("partner_coastguard", "anti_smuggling", "rescue", "float", "int")
             and not re.search(r"[\[\-']", str(p))]
    return ".".join(parts)


def _translate(err: ValidationError, file: str) -> InputError:
    first = err.errors()[0]
    where = _loc(tuple(first["loc"]))
    msg = str(first["msg"]).removeprefix("Value error, ")
    # model validators report "key.path: problem" at the root; lift the path out
    head, sep, tail = msg.partition(": ")
    if sep and " " not in head:
        where = ".".join(p for p in (where, head) if p)
        msg = tail
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    n = len(err.errors())
    return InputError(file, where or "(top level)", msg + (f" (and {n - 1} more problems)" if n > 1 else ""))


def validate(raw: dict[str, Any], file: str) -> Scenario:
    try:
        sc = Scenario.model_validate(raw)
    except ValidationError as err:
        raise _translate(err, file) from None
    if sc.asylum is not None:
        try:
            from crossings.asylum.schema import AsylumConfig
        except ImportError:
            raise InputError(file, "asylum", "the asylum module is not available in this build") from None
        try:
            sc.asylum = AsylumConfig.model_validate(sc.asylum)
        except ValidationError as err:
            inner = _translate(err, file)
            raise InputError(file, f"asylum.{inner.where}", inner.problem) from None
    return sc


def load_raw(path: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The raw dict after merging the fitted-values file and then `overrides` (both by key path)."""
    p = Path(path)
    raw = read_yaml(p)
    if overrides and "fitted_file" in overrides:  # e.g. an out-of-sample fit: read it instead
        raw["fitted_file"] = overrides["fitted_file"]
    fp = fitted_path(p, raw)
    if fp is not None:
        if not fp.exists():
            raise InputError(str(p), "fitted_file", f"{fp} does not exist (run crossings.sea.fit)")
        fitted = read_yaml(fp)
        apply_overrides(raw, fitted.get("values", {}), file=str(fp))
    if overrides:
        apply_overrides(raw, overrides)
    return raw


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    return validate(load_raw(path, overrides), str(path))

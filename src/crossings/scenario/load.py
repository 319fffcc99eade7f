"""YAML file -> validated Scenario. Every problem becomes InputError(file, "key.path", problem)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crossings.core.errors import InputError, from_validation_error
from crossings.scenario.levers import LEVER_TAGS as SEA_LEVER_TAGS
from crossings.scenario.overrides import apply_overrides
from crossings.scenario.schema import Scenario
from crossings.scenario.yaml_loader import MAX_BYTES, NoDatesLoader


def _unalias(node: Any) -> Any:
    """Copy without sharing: YAML anchors (&x / *x) would otherwise make one override change every alias."""
    if isinstance(node, dict):
        return {k: _unalias(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unalias(v) for v in node]
    return node


# files that sit beside a scenario but are not scenarios: fitted values, covariances, posterior draws
SIDECAR_MARKS = (".fitted.", ".uncertainty.", ".fit_to_", ".posterior.")


def is_scenario_file(path: Path) -> bool:
    """A shipped-scenario listing keeps *.yaml files that are not a scenario's sidecar (SIDECAR_MARKS)."""
    return path.suffix in (".yaml", ".yml") and not any(t in path.name for t in SIDECAR_MARKS)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(str(path), "", f"larger than {MAX_BYTES:,} bytes: not a scenario file")
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(str(path), "", f"cannot read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"byte {err.start}", "not a UTF-8 text file") from None
    try:
        raw = yaml.load(text, Loader=NoDatesLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.reader.ReaderError as err:  # a control character: YAML allows none
        raise InputError(str(path), f"character {err.position + 1}", f"not valid YAML: {err.reason} "
                         f"({err.character!r})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(str(path), where, f"not valid YAML: {getattr(err, 'problem', err)}") from None
    except ValueError as err:  # YAML resolved a date-like scalar that is no date (2023-13-45)
        raise InputError(str(path), "", f"invalid date: {err}") from None
    except RecursionError:  # the loader bounds nesting (yaml_loader.MAX_DEPTH); this is a last guard
        raise InputError(str(path), "", "nested too deeply") from None
    if not isinstance(raw, dict):
        raise InputError(str(path), "", "a scenario must be a YAML mapping")
    return dict(_unalias(raw))


def check_finite(node: Any, file: str, path: str = "") -> None:
    """Every number in the tree is finite (YAML's .inf/.nan, or 1e400 read as inf): named by key path."""
    if not _all_finite(node):
        _name_non_finite(node, file, path)


def _all_finite(node: Any) -> bool:
    # the fits validate a scenario per evaluation: exact type tests first, no key paths until one fails
    kind = type(node)
    if kind is float:
        return math.isfinite(node)
    if kind is dict:
        return all(_all_finite(v) for v in node.values())
    if kind is list or kind is tuple:
        return all(_all_finite(v) for v in node)
    if kind is int or kind is str or kind is bool or node is None:
        return True
    if isinstance(node, float):
        return math.isfinite(node)
    if isinstance(node, Mapping):
        return all(_all_finite(v) for v in node.values())
    if isinstance(node, list | tuple):
        return all(_all_finite(v) for v in node)
    return True


def _name_non_finite(node: Any, file: str, path: str) -> None:
    if isinstance(node, float) and not math.isfinite(node):
        raise InputError(file, path or "(top level)", f"must be a finite number, got {node}")
    if isinstance(node, Mapping):
        for k, v in node.items():
            _name_non_finite(v, file, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            _name_non_finite(v, file, f"{path}.{i}" if path else str(i))


def fitted_path(path: Path, raw: Mapping[str, Any]) -> Path | None:
    name = raw.get("fitted_file")
    return (path.parent / str(name)) if name else None


# pydantic puts the lever's type in the error location (levers.x.partner_coastguard.route): dropped, for every
# registered sea lever (crossings.scenario.levers)
LEVER_TAGS = SEA_LEVER_TAGS


def validate(raw: dict[str, Any], file: str) -> Scenario:
    check_finite(raw, file)
    try:
        sc = Scenario.model_validate(raw)
    except ValidationError as err:
        raise from_validation_error(err, file, drop=LEVER_TAGS) from None
    # numbers given as text ("nan", "inf") pass the YAML check above but are parsed by the schema
    check_finite(sc.model_dump(by_alias=True), file)
    if sc.asylum is not None:
        check_finite(sc.asylum.model_dump(by_alias=True), file, "asylum")
    return sc


def _plain_numbers(v: Any) -> bool:
    number = (float, int)
    return type(v) in number or (type(v) is list and all(type(e) in number for e in v))


def validate_changed(raw: dict[str, Any], file: str, changed: Mapping[str, Any]) -> Scenario:
    """`validate` for a tree that is a validated one with the key paths `changed` set: when every changed value
    is a plain number or a list of them, only those are checked for finiteness before the schema (the rest was
    checked when the base was validated, and a number cannot be text); otherwise the full validation."""
    if not all(_plain_numbers(v) for v in changed.values()):
        return validate(raw, file)
    for path, v in changed.items():
        check_finite(v, file, path)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise from_validation_error(err, file, drop=LEVER_TAGS) from None


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` over `base`: mappings merge key by key, everything else (lists included) is replaced."""
    out = dict(base)
    for k, v in top.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def _with_bases(p: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[Path]]:
    """The file's dict over the chain of scenarios it `extends`, and every file read (for the manifest hash).

    A scenario can build on another (`extends: channel.yaml`): the asylum scenarios reuse the fitted sea
    routes this way instead of carrying copies that would drift. The base's fitted file is applied to the
    base before the child's keys go over it.
    """
    if p.resolve() in seen:
        raise InputError(str(p), "extends", "scenarios extend each other in a circle")
    raw = read_yaml(p)
    files = [p]
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw, files
    base_path = p.parent / str(base_name)
    if not base_path.is_file():
        raise InputError(str(p), "extends", f"{base_path} does not exist")
    base, base_files = _with_bases(base_path, (*seen, p.resolve()))
    base_fp = fitted_path(base_path, base)
    if base_fp is not None and "fitted_file" not in raw:
        base_files.append(base_fp)
        validate(base, str(base_path))  # as written: keys the fitted file replaces are checked too
        _apply_fitted(base, base_fp, base_path)
        base.pop("fitted_file")
    return deep_merge(base, raw), base_files + files


def _apply_fitted(raw: dict[str, Any], fp: Path, owner: Path) -> None:
    if not fp.exists():
        raise InputError(str(owner), "fitted_file", f"{fp} does not exist (run crossings.calibrate.fit)")
    values = read_yaml(fp).get("values", {})
    check_finite(values, str(fp), "values")
    apply_overrides(raw, values, file=str(fp))


def scenario_files(path: str | Path, overrides: Mapping[str, Any] | None = None) -> list[Path]:
    """Every file a scenario is made of (itself, what it extends, fitted files): hashed into the manifest."""
    p = Path(path)
    raw, files = _with_bases(p)
    if overrides and "fitted_file" in overrides:
        raw["fitted_file"] = overrides["fitted_file"]
    fp = fitted_path(p, raw)
    return files + ([fp] if fp is not None and fp.exists() else [])


def load_raw(path: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The raw dict after merging bases (`extends`), the fitted-values file and then `overrides` (by key path)."""
    p = Path(path)
    raw, _ = _with_bases(p)
    if overrides and "fitted_file" in overrides:  # e.g. an out-of-sample fit: read it instead
        raw["fitted_file"] = overrides["fitted_file"]
    fp = fitted_path(p, raw)
    if fp is not None:
        validate(raw, str(p))  # as written: keys the fitted file replaces are checked too
        _apply_fitted(raw, fp, p)
    if overrides:
        apply_overrides(raw, overrides)
    return raw


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    return validate(load_raw(path, overrides), str(path))

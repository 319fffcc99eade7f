"""`--set key.path=value`: change the raw YAML dict before validation, so overrides are validated too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from crossings.core.errors import InputError
from crossings.scenario.yaml_loader import NoDatesLoader


def parse_set(items: list[str], file: str = "--set") -> dict[str, Any]:
    """['a.b=1', ...] -> {'a.b': 1}; values parsed as YAML scalars/lists (1, 0.5, false, [1, 2], 2023-07-16)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(file, item, "expected KEY.PATH=VALUE")
        try:
            out[key.strip()] = yaml.load(raw, Loader=NoDatesLoader) if raw.strip() else ""  # noqa: S506
        except yaml.YAMLError as err:
            raise InputError(file, key.strip(), f"value is not valid YAML: {err}") from None
        except ValueError as err:  # e.g. a date-like value that is no date (2023-13-45)
            raise InputError(file, key.strip(), f"invalid value {raw.strip()!r}: {err}") from None
    return out


def _step(node: Any, part: str, path: str, file: str) -> tuple[Any, Any]:
    """Return (container, key) for `part` inside `node`; lists are indexed by number or by item `name`."""
    if isinstance(node, Mapping):
        if part in node:  # the usual string key, without the scan (fits resolve thousands of paths)
            return node, part
        for k in node:
            if str(k) == part:
                return node, k
        raise InputError(file, path, f"unknown key {part!r} (known: {', '.join(map(str, node))})")
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        for i, item in enumerate(node):
            if isinstance(item, Mapping) and str(item.get("name")) == part:
                return node, i
        raise InputError(file, path, f"no list item {part!r}")
    raise InputError(file, path, f"cannot descend into a {type(node).__name__}")


def get_path(raw: Any, path: str, file: str = "--set") -> Any:
    """The value at a key path (as `--set` addresses it: list items by number or `name`)."""
    node: Any = raw
    parts = path.split(".")
    for depth, part in enumerate(parts):
        container, key = _step(node, part, ".".join(parts[: depth + 1]), file)
        node = container[key]
    return node


def _set_path(root: dict[str, Any], path: str, value: Any, file: str, copied: set[int] | None) -> None:
    """Set one key path in `root`. The path must exist, except a missing last key of a mapping that is an
    optional field (validation then checks it). `copied`: copy each container on the path not yet in it
    (copy-on-write, the ids of the copies kept there); None: change `root` in place."""
    parts = path.split(".")
    node: Any = root
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if last and isinstance(node, dict) and part not in node and part not in {str(k) for k in node}:
            node[part] = value  # new optional key: the schema rejects it if unknown
            return
        container, key = _step(node, part, ".".join(parts[: depth + 1]), file)
        if last:
            container[key] = value
            return
        child = container[key]
        if copied is not None and id(child) not in copied and isinstance(child, Mapping | list):
            child = list(child) if isinstance(child, list) else dict(child)
            copied.add(id(child))
            container[key] = child
        node = child


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any], file: str = "--set") -> dict[str, Any]:
    """Set each key path in `raw` (in place, returned). The path must exist, except a missing last key
    of a mapping that is an optional field (e.g. `levers.x.end`); validation then checks it."""
    for path, value in overrides.items():
        _set_path(raw, path, value, file, None)
    return raw


def with_overrides(raw: dict[str, Any], overrides: Mapping[str, Any], file: str = "--set") -> dict[str, Any]:
    """`apply_overrides` on a copy that shares every part of `raw` it does not change: only the mappings and
    lists on each override's key path are copied (a fit builds one scenario per evaluation from one base tree;
    a deep copy of the whole tree cost more than the model's run). `raw` itself is left as it was."""
    root = dict(raw)
    copied = {id(root)}
    for path, value in overrides.items():
        _set_path(root, path, value, file, copied)
    return root

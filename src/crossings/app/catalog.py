"""What the app offers: the shipped scenarios and, per scenario, its levers with their editable fields.

Levers are read from the scenario's raw YAML (after `extends` and the fitted file), so each field's key path
is exactly the one `crossings run --set` accepts; the app sends edits back as such key paths.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossings.core.errors import InputError
from crossings.report.demo import scenario_dirs
from crossings.scenario.load import is_scenario_file, load_raw

# files beside the scenarios that are not scenarios: fitted values and their uncertainty


def shipped_scenarios() -> dict[str, Path]:
    """name (file stem) -> path, from the first scenario folder that has any."""
    for d in scenario_dirs():
        files = sorted(p for p in d.glob("*.yaml") if is_scenario_file(p))
        if files:
            return {p.stem: p for p in files}
    return {}


def scenario_path(name: str) -> Path:
    known = shipped_scenarios()
    if name not in known:
        raise InputError("scenario", name, f"unknown scenario (known: {', '.join(known)})")
    return known[name]


@dataclass
class LeverField:
    key: str  # the full --set key path
    name: str
    value: str  # as YAML would write it (the form sends it back as text, parsed like --set)
    kind: str  # "number", "date", "text"


@dataclass
class Lever:
    name: str
    key: str  # key path of the lever's mapping; `{key}.enabled=false` switches it off
    type: str
    enabled: bool
    fields: list[LeverField] = field(default_factory=list)


def _text(v: Any) -> tuple[str, str] | None:
    """(text, kind) of a scalar field; None for mappings, lists and switches (shown otherwise)."""
    if isinstance(v, bool) or v is None or isinstance(v, dict | list):
        return None
    if isinstance(v, int | float):
        return repr(v) if isinstance(v, float) else str(v), "number"
    if isinstance(v, dt.date):
        return v.isoformat(), "date"
    s = str(v)
    try:
        dt.date.fromisoformat(s)
        return s, "date"
    except ValueError:
        return s, "text"


def _lever(name: str, key: str, body: dict[str, Any], kind: str | None = None) -> Lever:
    lv = Lever(name=name, key=key, type=str(body.get("type", kind or name)), enabled=body.get("enabled", True) is not False)
    for k, v in body.items():
        if k in ("type", "enabled"):
            continue
        t = _text(v)
        if t is not None:
            lv.fields.append(LeverField(key=f"{key}.{k}", name=str(k), value=t[0], kind=t[1]))
    return lv


def levers_of(path: Path) -> list[Lever]:
    """The sea levers (`levers.NAME`) and the asylum levers (`asylum.destinations.D.levers.KIND[.i]`)."""
    raw = load_raw(path)
    out = [_lever(str(n), f"levers.{n}", b) for n, b in (raw.get("levers") or {}).items() if isinstance(b, dict)]
    dests = ((raw.get("asylum") or {}).get("destinations") or {})
    for d, body in dests.items():
        for kind, lv in ((body or {}).get("levers") or {}).items():
            base = f"asylum.destinations.{d}.levers.{kind}"
            if isinstance(lv, dict):
                out.append(_lever(f"{d}: {kind}", base, lv, str(kind)))
            elif isinstance(lv, list):
                out.extend(_lever(f"{d}: {kind} {i + 1}", f"{base}.{i}", item, str(kind))
                           for i, item in enumerate(lv) if isinstance(item, dict))
    return out


def window_of(path: Path) -> tuple[str, str]:
    raw = load_raw(path)
    return str(raw.get("start")), str(raw.get("end"))

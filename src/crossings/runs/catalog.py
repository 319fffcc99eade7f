"""What a user can steer: the shipped scenarios, a scenario's levers with their dates, and what one `--set` key
means (unit, bounds, default, value, source, doc page).

Everything is read from where it is defined: the scenario files (and their comments), the fitted-values file,
and the pydantic schema (field types, bounds, defaults, and the comment beside the field in its source).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crossings.core.errors import InputError
from crossings.scenario.load import is_scenario_file

SEA_DOC, ASYLUM_DOC, FORMAT_DOC = "docs/sea_model.md", "docs/asylum_model.md", "docs/scenario_format.md"


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios are looked for: ./scenarios, the checkout's scenarios/, package data."""
    here = Path(__file__).resolve()
    return [Path.cwd() / "scenarios", here.parents[3] / "scenarios", here.parents[1] / "data" / "scenarios"]


def shipped_scenarios() -> list[Path]:
    """The scenario files of the first scenario folder that has any (fitted and uncertainty files left out)."""
    for d in scenario_dirs():
        files = sorted(p for p in d.glob("*.yaml") if is_scenario_file(p))
        if files:
            return files
    return []


def resolve_scenario(name: str | Path) -> Path:
    """A path, or a shipped scenario's name (central_med, central_med.yaml)."""
    p = Path(name)
    if p.is_file():
        return p
    for f in shipped_scenarios():
        if f.stem == p.stem:
            return f
    known = ", ".join(f.stem for f in shipped_scenarios())
    raise InputError(str(name), "", f"no such scenario file or shipped scenario (shipped: {known})")


@dataclass(frozen=True)
class ScenarioEntry:
    name: str
    path: Path
    start: str
    end: str
    levers: int
    asylum: bool
    description: str


def list_scenarios() -> list[ScenarioEntry]:
    from crossings.runs.compare import levers_of
    from crossings.runs.runner import prepare

    out = []
    for f in shipped_scenarios():
        try:
            sc = prepare(f)
        except InputError as err:  # listed, with why it does not load, rather than hiding the others
            out.append(ScenarioEntry(f.stem, f, "?", "?", 0, False, f"(does not load: {err.problem})"))
            continue
        out.append(ScenarioEntry(sc.name, f, str(sc.start), str(sc.end), sum(lv.enabled for lv in levers_of(f)),
                                 sc.asylum is not None, " ".join(sc.description.split())))
    return out


def yaml_comment(files: Iterable[Path], key: str) -> str:
    """The comment on the line that defines `key` (`key:` or `name: key`) in the first file that has one."""
    pat = re.compile(rf"^\s*(?:-\s*)?(?:\{{\s*)?(?:name:\s*)?{re.escape(key)}\b[:,].*?#\s*(.+)$")
    for f in files:
        try:
            text = Path(f).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            m = pat.match(line)
            if m:
                return m.group(1).strip()
    return ""


def key_comment(files: Iterable[Path], key: str) -> str:
    """The comment on the line of a key path (`levers.tunisia_mou.prevention`), found part by part, each part
    after the line of the one before it (a list index counts the list's items); '' if no file has one."""
    parts = key.split(".")
    for f in files:
        try:
            lines = Path(f).read_text().splitlines()
        except OSError:
            continue
        pos, ok = 0, True
        for part in parts:
            if part.isdigit():
                items = [i for i in range(pos, len(lines)) if re.match(r"^\s*- ", lines[i])]
                if int(part) >= len(items):
                    ok = False
                    break
                pos = items[int(part)]
                continue
            q = re.escape(part)
            pat = re.compile(rf"^\s*(?:-\s*)?(?:\{{\s*)?(?:name:\s*{q}\s*(?:[,}}]|$)|{q}\s*:)|[{{,]\s*{q}:")
            hit = next((i for i in range(pos, len(lines)) if pat.search(lines[i].split("#", 1)[0])), None)
            if hit is None:
                ok = False
                break
            pos = hit
        if ok and "#" in lines[pos]:
            return lines[pos].split("#", 1)[1].strip()
    return ""


# ---- the schema behind a key path --------------------------------------------------------------------------

def _unwrap(tp: Any) -> list[Any]:
    """The concrete alternatives of a type (Optional, unions and Annotated unwrapped)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(tp) for t in _unwrap(a)]
    return [tp]


def _pick_model(alts: list[Any], raw: Any) -> type[BaseModel] | None:
    models = [t for t in alts if isinstance(t, type) and issubclass(t, BaseModel)]
    if len(models) > 1 and isinstance(raw, dict) and "type" in raw:  # a `type:`-discriminated lever
        for m in models:
            f = m.model_fields.get("type")
            if f is not None and raw["type"] in typing.get_args(f.annotation):
                return m
    return models[0] if models else None


@dataclass(frozen=True)
class FieldDoc:
    owner: type[BaseModel] | None
    name: str
    info: FieldInfo | None
    container: str = ""  # "mapping" / "list" when the key names an entry of one


def schema_field(raw: dict[str, Any], parts: list[str]) -> FieldDoc:
    """Walk the scenario schema along a key path, choosing union members by the raw values."""
    from crossings.scenario.asylum import AsylumConfig
    from crossings.scenario.overrides import get_path
    from crossings.scenario.schema import Scenario

    model: type[BaseModel] | None = Scenario
    tp: Any = None
    doc = FieldDoc(None, "", None)
    i = 0
    while i < len(parts):
        part = parts[i]
        here = get_path(raw, ".".join(parts[: i + 1])) if i + 1 <= len(parts) else None
        if model is not None:
            info = model.model_fields.get(part) or next(
                (f for f in model.model_fields.values() if f.alias == part), None)
            if info is None:
                return FieldDoc(model, part, None)
            doc = FieldDoc(model, part, info)
            tp = AsylumConfig if (model is Scenario and part == "asylum") else info.annotation
            model = None
            i += 1
        else:  # inside a mapping or list value: this part is a key or an index
            alts = _unwrap(tp)
            containers = [t for t in alts if typing.get_origin(t) in (dict, list)]
            if not containers:
                return doc
            args = typing.get_args(containers[0])
            tp = args[-1]
            doc = FieldDoc(doc.owner, doc.name, doc.info,
                           "mapping" if typing.get_origin(containers[0]) is dict else "list")
            i += 1
            here = get_path(raw, ".".join(parts[:i]))
        nxt = _pick_model(_unwrap(tp), here)
        if nxt is not None and i < len(parts):
            model = nxt
    return doc


def field_comment(owner: type[BaseModel] | None, name: str) -> str:
    """The comment beside (or the comment lines just above) a field in its class's source."""
    if owner is None:
        return ""
    for cls in owner.__mro__:
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or name not in getattr(cls, "__annotations__", {}):
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            return ""
        for k, line in enumerate(lines):
            if re.match(rf"^\s+{re.escape(name)}\s*:", line):
                if "#" in line:
                    return line.split("#", 1)[1].strip()
                above: list[str] = []
                j = k - 1
                while j >= 0 and lines[j].strip().startswith("#"):
                    above.insert(0, lines[j].strip().lstrip("# ").strip())
                    j -= 1
                return " ".join(above)
    return ""


def bounds_of(info: FieldInfo | None) -> str:
    """'>= 0, <= 1' from the field's constraints (and those inside its Annotated type)."""
    if info is None:
        return ""
    found: dict[str, Any] = {}

    def scan(meta: Iterable[Any]) -> None:
        for m in meta:
            for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
                v = getattr(m, attr, None)
                if v is not None:
                    found[sym] = v
            if isinstance(m, FieldInfo):
                scan(m.metadata)

    scan(info.metadata)
    for alt in typing.get_args(info.annotation) or ():
        if typing.get_origin(alt) is typing.Annotated:
            scan(typing.get_args(alt)[1:])
    if typing.get_origin(info.annotation) is typing.Annotated:
        scan(typing.get_args(info.annotation)[1:])
    return ", ".join(f"{s} {v:g}" if isinstance(v, float) else f"{s} {v}" for s, v in found.items())


def _type_name(tp: Any) -> str:
    names = []
    for t in _unwrap(tp):
        if t is type(None):
            names.append("null")
        elif typing.get_origin(t) is typing.Literal:
            names.append(" | ".join(repr(a) for a in typing.get_args(t)))
        else:
            names.append(getattr(t, "__name__", str(t)).replace("typing.", ""))
    return " | ".join(dict.fromkeys(names))


@dataclass(frozen=True)
class Explanation:
    key: str
    scenario: Path
    meaning: str
    part_of: str  # the first sentence of the docstring of the model the key belongs to
    unit: str
    type: str
    bounds: str
    default: str
    value: Any
    fitted_in: str  # the fitted file that sets it, "" if none
    source: str  # the comment on its line in the scenario files
    doc: str

    def lines(self) -> list[str]:
        rows = [("meaning", self.meaning), ("part of", self.part_of), ("unit", self.unit), ("type", self.type), ("bounds", self.bounds),
                ("default", self.default), ("value", f"{self.value}" + (f" (fitted: {self.fitted_in})"
                                                                          if self.fitted_in else "")),
                ("source", self.source or "(no comment on its line in the scenario file)"), ("doc", self.doc)]
        return [f"{self.key}  (in {_shown(self.scenario)})", *(f"  {k + ':':<9}{v}" for k, v in rows if v != "")]


def _shown(p: Path) -> str:
    """A path relative to the current folder when under it (no absolute local paths in output)."""
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def _unit(info: FieldInfo | None, meaning: str, value: Any, bounds: str) -> str:
    if isinstance(value, dict) and "unit" in value:
        return str(value["unit"])
    if bounds in (">= 0.0, <= 1.0", ">= 0, <= 1") or re.search(r"\b(share|chance|probability)\b", meaning):
        return "probability or share (0 to 1)"
    m = re.search(r"\b((?:people|boats|days?|GBP|EUR|log units)(?: per [a-z ]+)?)", meaning)
    if m:
        return m.group(1).strip()
    if info is not None and "date" in _type_name(info.annotation):
        return "date (YYYY-MM-DD)"
    return ""


def explain(key: str, scenario: str | Path | None = None) -> Explanation:
    """What `--set KEY=...` changes: looked up in `scenario`, else in the first shipped scenario that has KEY."""
    from crossings.scenario.load import load_raw, scenario_files
    from crossings.scenario.overrides import get_path

    parts = key.split(".")
    candidates = [resolve_scenario(scenario)] if scenario is not None else shipped_scenarios()
    raw: dict[str, Any] | None = None
    path: Path | None = None
    for c in candidates:
        r = load_raw(c)
        try:
            get_path(r, key)
        except InputError:
            continue
        raw, path = r, c
        break
    if raw is None or path is None:
        where = str(scenario) if scenario is not None else "any shipped scenario"
        raise InputError("explain", key, f"no such key in {where} (keys are --set paths, e.g. "
                                         "levers.tunisia_mou.prevention, sea_links.libya_italy.launch_share)")
    value = get_path(raw, key)
    fd = schema_field(raw, parts)
    meaning = field_comment(fd.owner, fd.name)
    if not meaning and fd.info is not None and fd.info.description:
        meaning = fd.info.description
    part_of = ""
    if fd.owner is not None and fd.owner.__doc__ and "Usage docs" not in fd.owner.__doc__:
        part_of = " ".join(fd.owner.__doc__.split()).split(". ")[0].rstrip(".") + f" ({fd.owner.__name__})"
    if not meaning:
        meaning, part_of = part_of, ""
    bounds = bounds_of(fd.info)
    default = ""
    if fd.info is not None and not fd.container:
        default = "required" if fd.info.is_required() else (
            "none (optional)" if fd.info.default is None else repr(fd.info.default))
    files = scenario_files(path)
    fitted = ""
    if files and any(t in files[-1].name for t in (".fitted.", ".fit_to_")):
        vals = (yaml.safe_load(files[-1].read_text()) or {}).get("values", {}) or {}
        if key in {str(k) for k in vals}:
            fitted = files[-1].name
    source = key_comment([f for f in files if ".fitted." not in f.name], key)
    doc = FORMAT_DOC
    if parts[0] == "levers" and len(parts) > 1:
        kind = str(get_path(raw, ".".join(parts[:2])).get("type", ""))
        doc = lever_doc(kind)
    elif parts[0] == "asylum":
        doc = lever_doc(parts[4]) if len(parts) > 4 and parts[3] == "levers" else ASYLUM_DOC
    elif parts[0] in ("sea_links", "inflows", "choice", "land_links"):
        doc = SEA_DOC
    return Explanation(key, path, meaning, part_of, _unit(fd.info, meaning, value, bounds),
                       _type_name(fd.info.annotation) if fd.info is not None else "", bounds, default,
                       value if not isinstance(value, dict | list) else yaml.safe_dump(value, default_flow_style=True,
                                                                                          width=200).strip(),
                       fitted, source, doc)


LEVER_PAGES = {"partner_coastguard": "partner_coastguard", "anti_smuggling": "anti_smuggling", "rescue": "rescue",
               "safe_route": "safe_routes", "third_country": "third_country", "offshore": "offshore",
               "deterrence": "deterrence", "decision_capacity": "decision_capacity"}


def lever_doc(kind: str) -> str:
    """The doc page of a kind of lever."""
    return f"docs/levers/{LEVER_PAGES.get(kind, kind)}.md"


# ---- printed listings ----------------------------------------------------------------------------------------

def scenarios_lines() -> list[str]:
    """`crossings scenarios`: one block per shipped scenario."""
    rows = list_scenarios()
    if not rows:
        return ["no shipped scenarios found (looked in: " + ", ".join(str(d) for d in scenario_dirs()) + ")"]
    out = [f"{'scenario':<20}{'file':<34}{'period':<25}{'levers on':>10}  asylum"]
    for r in rows:
        out.append(f"{r.name:<20}{_shown(r.path):<34}{r.start + ' to ' + r.end:<25}{r.levers:>10}  "
                   f"{'yes' if r.asylum else 'no'}")
        out.append(f"    {r.description}")
    out.append("levers of one: crossings levers SCENARIO; what a key means: crossings explain KEY")
    return out


def levers_lines(scenario: str | Path) -> list[str]:
    """`crossings levers SCENARIO`: every lever with its dates, state, switch and settings."""
    from crossings.runs.compare import levers_of
    from crossings.scenario.load import load_raw, scenario_files
    from crossings.scenario.overrides import get_path

    path = resolve_scenario(scenario)
    files = [f for f in scenario_files(path) if ".fitted." not in f.name]
    raw = load_raw(path)
    levers = levers_of(path)
    if not levers:
        return [f"{_shown(path)}: no levers"]
    out = [f"{_shown(path)}: {len(levers)} levers (switch one off: --set KEY=false; baseline: all off)"]
    for lv in levers:
        raw_key = lv.key.removesuffix(".enabled")
        what = key_comment(files, raw_key) or ""
        dates = f"{lv.start} to {lv.end or 'open'}"
        out.append(f"\n{lv.name}  [{lv.kind}]  {dates}  {'on' if lv.enabled else 'OFF'}"
                   + (f"  acts on {', '.join(lv.routes)}" if lv.routes else f"  in {lv.place}"))
        if what:
            out.append(f"    {what}")
        settings = get_path(raw, raw_key)
        if isinstance(settings, dict):
            shown = {k: v for k, v in settings.items() if k not in ("type", "route", "routes", "start", "end",
                                                                   "enabled")}
            for k, v in shown.items():
                val = yaml.safe_dump(v, default_flow_style=True, width=200).strip().removesuffix("...").strip() \
                    if isinstance(v, dict | list) else v
                out.append(f"    {raw_key}.{k} = {val}")
        out.append(f"    switch: {lv.key}   doc: {lever_doc(lv.kind)}")
    return out

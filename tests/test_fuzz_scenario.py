"""Fuzz (issue 9): scenario YAML (structure and values) and --out folders. Every generated input ends in
a valid run or one InputError line with exit 2, within a time and memory limit; never a traceback, a hang,
a non-finite result or a deleted user file."""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cli_outcome import check_outcome
from crossings.cli import main
from crossings.core import output
from crossings.core.errors import InputError
from crossings.scenario.load import load_scenario, read_yaml

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
# CI: 25 (about 60 s for this file on a loaded 2-core machine); longer hunts: CROSSINGS_FUZZ_EXAMPLES=500
EXAMPLES = int(os.environ.get("CROSSINGS_FUZZ_EXAMPLES", "25"))
FAST = settings(max_examples=2 * EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
RUNS = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- YAML structure: anchors, aliases, nesting, duplicate keys, odd scalars -------------------------------

SCALARS = st.sampled_from([".nan", ".inf", "-.inf", "1e308", "1.0e+400", "-50", "0", "1e-300", "null", "~", "true",
                           "2023-02-30", "2023-13-45", "9999-12-31", "'x'", '"a\\u0000b"', "abc", "[]", "{}", "!!str 3",
                           "!!python/object:os.system", "*undefined", "&a 1", "'2023-01-01'", "0x1F", "1_000"])


def _yaml_node(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return SCALARS
    inner = _yaml_node(depth - 1)
    return st.one_of(
        SCALARS,
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", "b", "start", "name", "<<", "1", "a"]), inner), max_size=4)
        .map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
        st.tuples(st.integers(0, 3), inner).map(lambda t: f"&n{t[0]} {t[1]}"),
        st.integers(0, 3).map(lambda i: f"*n{i}"),
    )


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    levels, fan = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _read_bounded(p: Path) -> None:
    # the peak before this read, not at import: under pytest-xdist a worker runs other test files first, and a
    # peak they reached (not this read's) must not count; a read that blows up still raises the peak past it
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    t0 = time.perf_counter()
    try:
        out = read_yaml(p)
        assert isinstance(out, dict)
    except InputError as err:
        assert str(err).startswith(str(p)) and "\n" not in str(err)
    # a flood of '[' costs the pure-Python scanner up to ~2.5 s (it looks 1,024 characters ahead for a key)
    assert time.perf_counter() - t0 < 10.0
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1e3
    assert grown < 500, f"peak memory grew by {grown:.0f} MB"


@FAST
@given(text=st.one_of(
    st.lists(st.tuples(st.sampled_from(["name", "start", "end", "levers", "x", "a"]), _yaml_node(3)), max_size=6)
    .map(lambda kv: "".join(f"{k}: {v}\n" for k, v in kv)),
    alias_bombs(),
    st.tuples(st.integers(1, 300), st.sampled_from(["[", "{a: ", "- "])).map(lambda t: t[1] * t[0]),
    st.text(max_size=200),
))
@example(text="[" * 50_000)
@example(text="{a: " * 5_000)
def test_any_yaml_text_is_read_or_refused_in_bounded_time_and_memory(tmp_path: Path, text: str) -> None:
    p = tmp_path / "s.yaml"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    _read_bounded(p)


# --- values at every key path of a real scenario -------------------------------------------------------------

VALUES = st.one_of(
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 1e-300, -50, 0, -1, 10**30, 2**63,
                     None, True, "", "nan", "inf", "x", "2023-02-30", "1800-01-01", "9999-12-31", "2023-01-01",
                     [], {}, [1, 2], {"unknown": 1}, "observed", "partner_coastguard"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**20, 10**20),
    st.text(max_size=8),
)


def _leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(node, dict):
        out = [path + ("extra_key",)] if path else []
        return out + [q for k, v in node.items() for q in _leaves(v, (*path, str(k)))]
    if isinstance(node, list):
        return [q for i, v in enumerate(node) for q in _leaves(v, (*path, str(i)))]
    return [path]


def _set(node: Any, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value


def _scenario_copy(tmp_path: Path, name: str) -> tuple[Path, dict[str, Any]]:
    for f in SCEN.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / name, read_yaml(SCEN / name)


CHANNEL_PATHS = _leaves(read_yaml(SCEN / "channel.yaml"))
UK_PATHS = _leaves(read_yaml(SCEN / "uk_asylum.yaml"))


def _run_a_month(scen: Path, out: Path, extra: list[str] | None = None, within_s: float | None = None) -> None:
    """Run January 2023 in-process: exit 0 with finite tables, or exit 2 with one error line and nothing written."""
    err = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["run", str(scen), "--out", str(out), "--no-parquet", "--quiet", "--start", "2023-01-01",
                   "--end", "2023-01-31", *(extra or [])])
    if within_s is not None:
        assert time.perf_counter() - t0 < within_s
    check_outcome(rc, err.getvalue(), out)


@RUNS
@given(path=st.sampled_from(CHANNEL_PATHS), value=VALUES, how=st.sampled_from(["file", "set"]))
def test_any_value_anywhere_gives_a_run_or_one_error_line(tmp_path: Path, path: tuple[str, ...], value: Any,
                                                          how: str) -> None:
    work = tmp_path / "w"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    scen, raw = _scenario_copy(work, "channel.yaml")
    extra: list[str] = []
    if how == "file":
        _set(raw, path, value)
        scen.write_text(yaml.safe_dump(raw, sort_keys=False))
    else:
        extra = ["--set", f"{'.'.join(path)}={yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"]
    _run_a_month(scen, work / "out", extra, within_s=60.0)


@RUNS
@given(path=st.sampled_from(UK_PATHS), value=VALUES)
def test_any_value_in_the_asylum_part_gives_a_run_or_one_error_line(tmp_path: Path, path: tuple[str, ...],
                                                                    value: Any) -> None:
    work = tmp_path / "w"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    scen, raw = _scenario_copy(work, "uk_asylum.yaml")
    _set(raw, path, value)
    scen.write_text(yaml.safe_dump(raw, sort_keys=False))
    try:
        load_scenario(scen)
    except InputError as err:
        assert "\n" not in str(err)
        return
    _run_a_month(scen, work / "out")  # valid: run it (a month, in-process)


# --- --out folders: a file Crossings did not write is never deleted -----------------------------------------

ENTRIES = st.dictionaries(
    st.sampled_from(["daily.csv", "monthly.csv", "user.txt", "scenario.yaml", ".hidden", "sub"]),
    st.sampled_from(["text", "dir"]), max_size=4)
MANIFESTS = st.sampled_from([None, "{}", "[]", "not json", '{"written_by": "crossings"}',
                             '{"written_by": "crossings", "files": ["daily.csv"]}',
                             '{"written_by": "crossings", "files": ["daily.csv", "monthly.csv", "user.txt"]}',
                             '{"written_by": "someone", "files": ["daily.csv", "user.txt"]}'])


@FAST
@given(entries=ENTRIES, manifest=MANIFESTS)
def test_out_folder_never_loses_a_file_crossings_did_not_write(tmp_path: Path, entries: dict[str, str],
                                                               manifest: str | None) -> None:
    root = tmp_path / "r"
    shutil.rmtree(root, ignore_errors=True)
    out = root / "d"
    out.mkdir(parents=True)
    for name, kind in entries.items():
        if kind == "dir":
            (out / name).mkdir()
            (out / name / "inside.txt").write_text("keep")
        else:
            (out / name).write_text("keep")
    if manifest is not None:
        (out / "manifest.json").write_text(manifest)
    listed: set[str] = set()
    try:
        m = json.loads(manifest or "null")
        if isinstance(m, dict) and m.get("written_by") == "crossings" and isinstance(m.get("files"), list):
            listed = set(m["files"]) | {"manifest.json"}
    except ValueError:
        pass
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    try:
        output.write_outputs(out, {"daily": pd.DataFrame({"a": [1]})}, {"seed": 1}, parquet=False)
    except InputError:
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert after == before, "a refused --out was changed"
    else:  # replaced: everything that was there was Crossings' own (listed plain files)
        assert all(str(p) in listed and len(p.parts) == 1 for p in before), before
    assert sorted(p.name for p in root.iterdir()) == ["d"], "staging left behind"

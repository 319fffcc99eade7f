"""The sea engines' named bundles (sea/bundles.py) are the one declaration of their inputs: the numba kernel, the
numpy reference and the mean-field take the bundles and read them by name, and no call site spells the arrays
out by position."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from crossings.runs.runner import prepare
from crossings.sea import kernel, meanfield, reference
from crossings.sea.bundles import SeaDraws, SeaMeans, SeaRoutes, draws, means, route_arrays
from crossings.sea.kernel import N_OUT, sea_kernel
from crossings.sea.model import SeaArrays, build
from crossings.sea.simulate import draw_seed, run_arrays

ROOT = Path(__file__).resolve().parents[1]
ENGINES = {"sea_kernel": ("crossings.sea.kernel", ["seed", "draws", "routes", "out"]),
           "sea_reference": ("crossings.sea.reference", ["seed", "draws", "routes", "out"]),
           "mean_field": ("crossings.sea.meanfield", ["means", "routes"])}


def _fields_read(module: object, name: str) -> set[str]:
    """Attributes read on the variable `name` anywhere in the module's source."""
    return set(re.findall(rf"\b{name}\.(\w+)", inspect.getsource(module))) - {"_replace", "_fields"}


def test_engine_signatures_take_the_bundles() -> None:
    for fn, params in ((kernel.sea_kernel.py_func, ENGINES["sea_kernel"][1]),
                       (reference.sea_reference, ENGINES["sea_reference"][1]),
                       (meanfield.mean_field.py_func, ENGINES["mean_field"][1])):
        assert list(inspect.signature(fn).parameters) == params, fn.__name__


def test_engines_read_the_bundles_by_their_declared_names() -> None:
    """Every field the agent engines read is declared once in bundles.py, and each declared field is read (a
    field nobody reads, or a name read that is not declared, fails here before numba would)."""
    for mod in (kernel, reference):
        assert _fields_read(mod, "routes") == set(SeaRoutes._fields), mod.__name__
        assert _fields_read(mod, "draws") == set(SeaDraws._fields), mod.__name__
    assert _fields_read(meanfield, "means") == set(SeaMeans._fields)
    mf_routes = _fields_read(meanfield, "routes")
    assert mf_routes <= set(SeaRoutes._fields)
    # not read: the loss table (expected losses are in lethality) and the detained share (they leave the stock)
    # nor the boat-size factors (their cv is in boat_cv, their expected loss in lethality) and the day's loss table
    assert set(SeaRoutes._fields) - mf_routes == {"loss_cdf", "loss_table", "det", "size_factors"}


def _engine_calls(path: Path) -> list[tuple[str, int, int]]:
    """(engine, line, positional + keyword arguments) of each call of a sea engine imported in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, str] = {}  # local name -> engine
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for al in node.names:
                if al.name in ENGINES and ENGINES[al.name][0] == node.module:
                    names[al.asname or al.name] = al.name
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            calls.append((names[node.func.id], node.lineno, len(node.args) + len(node.keywords)))
    return calls


def test_no_call_site_spells_the_arrays_out() -> None:
    files = [p for d in ("src", "tests", "benchmarks", "scripts") for p in (ROOT / d).rglob("*.py")]
    seen = 0
    for p in files:
        for engine, line, nargs in _engine_calls(p):
            seen += 1
            assert nargs == len(ENGINES[engine][1]), f"{p.relative_to(ROOT)}:{line}: {engine} with {nargs} arguments"
    assert seen >= 5  # simulate.py, bench, benchmark and the tests call them
    # and no call anywhere passes the route arrays one by one (the old positional spelling: x.region_of_coast,
    # x.choice, x.keep, ... as arguments)
    spelled = []
    for p in files:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                attrs = {a.attr for a in node.args if isinstance(a, ast.Attribute)}
                if {"region_of_coast", "choice", "keep"} <= attrs:
                    spelled.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert not spelled


@pytest.fixture(scope="module")
def arrays() -> SeaArrays:
    return build(prepare(ROOT / "scenarios" / "central_med.yaml", start="2023-05-01", end="2023-07-31"))


def test_route_arrays_share_memory_and_fix_dtypes(arrays: SeaArrays) -> None:
    r = route_arrays(arrays)
    for f in SeaRoutes._fields:
        v = getattr(r, f)
        assert v.flags.c_contiguous
        assert v.dtype == (np.int64 if f in ("region_of_coast", "boat_size", "traffic_group", "loss_table")
                           else np.float64), f
        np.testing.assert_array_equal(v, getattr(arrays, f))
    assert np.shares_memory(r.choice, arrays.choice)  # built once without copying
    m = means(arrays)
    np.testing.assert_array_equal(m.inflow, arrays.inflow)
    assert means(arrays, 2 * arrays.inflow).inflow.sum() == pytest.approx(2 * arrays.inflow.sum())
    d = draws(np.zeros((2, 3), dtype=np.int32), np.ones((1, 3)), np.ones((1, 3)))
    assert (d.counts.dtype, d.good.dtype, d.launch.dtype) == (np.int64, np.int8, np.float64)


def test_one_routes_bundle_serves_every_seed(arrays: SeaArrays) -> None:
    """An ensemble builds the routes once and draws per seed: the same as run_arrays, seed by seed (without the
    deaths' year driver, which redraws the incident chance per seed)."""
    arrays = dataclasses.replace(arrays, incident_dispersion=np.zeros(len(arrays.routes)))
    r = route_arrays(arrays)
    for seed in (1, 2, 3):
        out = np.zeros((N_OUT, len(arrays.routes), arrays.n_days))
        sea_kernel(seed, draw_seed(arrays, seed), r, out)
        np.testing.assert_array_equal(out, run_arrays(arrays, seed))

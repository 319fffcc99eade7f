"""The house's structure, enforced: the floors of docs/architecture.md (import-linter contracts in
pyproject.toml) and no circle between modules (grimp's import graph, the one import-linter builds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _module_cycles() -> list[list[str]]:
    graph = grimp.build_graph("crossings")
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    # Tarjan's strongly connected components: any component with more than one module is a circle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for m in modules:
        if m not in index:
            visit(m)
    return out


def test_no_module_circle() -> None:
    # the package root re-exports the public API, so it imports from everywhere: left out of the graph
    cycles = [[m for m in c if m != "crossings"] for c in _module_cycles()]
    cycles = [c for c in cycles if len(c) > 1]
    assert cycles == [], f"import circles: {cycles}"


def test_floors_contracts_kept() -> None:
    proc = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_a_broken_floor_is_caught(tmp_path: Path) -> None:
    """The check can fail: a contract that forbids what the code does is reported broken."""
    cfg = tmp_path / "contracts.toml"
    cfg.write_text('[tool.importlinter]\nroot_package = "crossings"\n\n[[tool.importlinter.contracts]]\n'
                   'name = "upside down"\ntype = "layers"\nlayers = ["crossings.core", "crossings.runs"]\n')
    proc = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", str(cfg)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout

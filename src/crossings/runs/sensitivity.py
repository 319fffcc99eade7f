"""Global sensitivity of a scenario's outputs to its parameters (SALib): Sobol or Morris.

`crossings sensitivity SCENARIO --params KEY=LOW:HIGH ... --method sobol|morris --outputs SPEC ... --n N`.
Each parameter is a key path of the scenario (as `--set` takes it), varied uniformly between LOW and HIGH.
Each output is MEASURE:PLACE@PERIOD, PERIOD a year (2024) or a month range (2023-07..2024-06): the measure
over the period by its period rule (flows and money summed, stocks the period's last month, rates averaged),
e.g. arrivals:italy@2024, deaths:libya_italy@2024, awaiting_decision:uk@2024, cost:uk@2024.

Every sample point is one run of the scenario with the same seed (common random numbers: the indices measure
the parameters' effect, not run-to-run noise), evaluated on the ensemble executor (crossings.core.executor),
so any backend and worker count give the same indices. Sobol: Saltelli's extension of Sobol' sequences
(SALib.sample.sobol, N x (D + 2) runs), first- and total-order indices with bootstrap confidence intervals
(SALib.analyze.sobol, 95%, seeded). Morris: elementary effects (mu*, sigma) with bootstrap intervals for mu*.
The same `indices` function, given a plain numpy model, recovers the Ishigami function's known indices
(tests/test_sensitivity.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.errors import InputError

Model = Callable[[np.ndarray], np.ndarray]  # samples (n, D) -> outputs (n, K)
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:\.\.(\d{4})-(\d{2}))?$")


@dataclass(frozen=True)
class Output:
    text: str
    measure: str
    place: str
    first: str  # first month YYYY-MM
    last: str  # last month YYYY-MM


def parse_params(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for item in items:
        key, sep, rng = item.partition("=")
        lo_s, sep2, hi_s = rng.partition(":")
        try:
            lo, hi = float(lo_s), float(hi_s)
        except ValueError:
            raise InputError("--params", item, "expected KEY=LOW:HIGH with numbers LOW < HIGH") from None
        if not sep or not sep2 or not key.strip() or not lo < hi:
            raise InputError("--params", item, "expected KEY=LOW:HIGH with numbers LOW < HIGH")
        out[key.strip()] = (lo, hi)
    if not out:
        raise InputError("--params", "", "give at least one KEY=LOW:HIGH")
    return out


def parse_output(text: str) -> Output:
    head, at, period = text.partition("@")
    measure, colon, place = head.partition(":")
    m = _PERIOD.match(period)
    if not at or not colon or not measure or not place or m is None:
        raise InputError("--outputs", text, "expected MEASURE:PLACE@YYYY or MEASURE:PLACE@YYYY-MM..YYYY-MM")
    y, mo, y2, mo2 = m.groups()
    if mo is None:
        first, last = f"{y}-01", f"{y}-12"
    else:
        first, last = f"{y}-{mo}", (f"{y2}-{mo2}" if y2 else f"{y}-{mo}")
    return Output(text, measure, place, first, last)


def output_matrix(template: pd.DataFrame, outputs: Sequence[Output]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Weights W (K x rows) and, per output, whether it is a stock (last month: a one-hot row) so that
    the outputs of a member are W @ monthly vector. Raises InputError for an output the table lacks."""
    from crossings.runs.member import _place_col, _rule

    pc = _place_col(list(template.columns))
    w = np.zeros((len(outputs), len(template)))
    rules = []
    for k, o in enumerate(outputs):
        sel = ((template[pc].astype(str) == o.place) & (template["measure"].astype(str) == o.measure)
               & (template["month"] >= o.first) & (template["month"] <= o.last)).to_numpy()
        rows = np.flatnonzero(sel)
        if not len(rows):
            known = sorted(set(template[pc].astype(str)))
            raise InputError("--outputs", o.text, f"no such rows in the scenario's monthly table (places: "
                             f"{', '.join(known)}; months {template['month'].min()}..{template['month'].max()})")
        rule = _rule(o.measure)
        if rule == "last":
            w[k, rows[np.argmax(template["month"].to_numpy()[rows])]] = 1.0
        else:
            w[k, rows] = 1.0 / len(rows) if rule == "mean" else 1.0
        rules.append(rule)
    return w, np.array(rules), [o.text for o in outputs]


def sample(method: str, bounds: Mapping[str, tuple[float, float]], n: int, seed: int) -> tuple[dict[str, Any], np.ndarray]:
    problem = {"num_vars": len(bounds), "names": list(bounds), "bounds": [list(b) for b in bounds.values()]}
    if method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    elif method == "morris":
        from SALib.sample import morris

        x = morris.sample(problem, n, num_levels=4, seed=seed)
    else:
        raise InputError("--method", method, "expected sobol or morris")
    return problem, np.asarray(x, dtype=np.float64)


def analyse(method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, names: Sequence[str],
            seed: int, resamples: int = 1000) -> pd.DataFrame:
    """One row per (output, parameter): S1, S1_conf, ST, ST_conf (Sobol) or mu_star, mu_star_conf, sigma
    (Morris); the _conf columns are half-widths of 95% bootstrap intervals."""
    rows = []
    for k, name in enumerate(names):
        yk = np.ascontiguousarray(y[:, k])
        if method == "sobol":
            from SALib.analyze import sobol

            r = sobol.analyze(problem, yk, calc_second_order=False, num_resamples=resamples, conf_level=0.95,
                              seed=seed)
            for j, p in enumerate(problem["names"]):
                rows.append({"output": name, "parameter": p, "S1": r["S1"][j], "S1_conf": r["S1_conf"][j],
                             "ST": r["ST"][j], "ST_conf": r["ST_conf"][j]})
        else:
            from SALib.analyze import morris

            r = morris.analyze(problem, x, yk, num_resamples=resamples, conf_level=0.95, seed=seed)
            for j, p in enumerate(problem["names"]):
                rows.append({"output": name, "parameter": p, "mu_star": r["mu_star"][j],
                             "mu_star_conf": r["mu_star_conf"][j], "sigma": r["sigma"][j]})
    return pd.DataFrame(rows)


def indices(model: Model, bounds: Mapping[str, tuple[float, float]], names: Sequence[str], method: str = "sobol",
            n: int = 256, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Sample, evaluate `model` on every point, analyse: (indices table, samples, outputs)."""
    problem, x = sample(method, bounds, n, seed)
    y = np.asarray(model(x), dtype=np.float64).reshape(len(x), len(names))
    return analyse(method, problem, x, y, names, seed), x, y


def scenario_model(path: str | Path, keys: Sequence[str], outputs: Sequence[Output], seed: int = 1,
                   overrides: Mapping[str, Any] | None = None, jobs: int = 1, backend: str = "local",
                   address: str | None = None, progress: bool = False) -> Model:
    """The scenario as a model: each sample row -> one run (same seed) -> the outputs."""

    def model(x: np.ndarray) -> np.ndarray:
        from crossings.core.executor import make_executor
        from crossings.runs.member import prepare_members, run_members

        per = [{**(overrides or {}), **{k: float(v) for k, v in zip(keys, row, strict=True)}} for row in x]
        spec, template = prepare_members(path, [seed] * len(per), per)
        w, _, _ = output_matrix(template, outputs)
        chunks = [list(range(i, min(i + 16, len(per)))) for i in range(0, len(per), 16)]
        y = np.empty((len(per), len(outputs)))
        bar = None
        if progress:
            import sys

            from tqdm import tqdm

            bar = tqdm(total=len(per), unit="run", file=sys.stderr, leave=False)
        for c, res in make_executor(backend, jobs, address).run(run_members, spec, chunks):
            y[chunks[c]] = res["monthly"] @ w.T
            if bar is not None:
                bar.update(len(chunks[c]))
        if bar is not None:
            bar.close()
        return y

    return model


def tornado(table: pd.DataFrame, method: str, file: Path) -> None:
    """One panel per output: parameters sorted by total-order index (or mu*), bars with 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(len(outs), 1, figsize=(8, 0.5 + 0.45 * table["parameter"].nunique() * len(outs) + 0.6 * len(outs)),
                             squeeze=False)
    for ax, o in zip(axes[:, 0], outs, strict=True):
        t = table[table["output"] == o]
        main, conf = ("ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf")
        t = t.sort_values(main)
        ypos = np.arange(len(t))
        ax.barh(ypos, t[main], xerr=t[conf], color="#4c72b0", alpha=0.8, label="total order" if method == "sobol" else "mu*")
        if method == "sobol":
            ax.barh(ypos, t["S1"], height=0.4, xerr=t["S1_conf"], color="#dd8452", label="first order")
        ax.set_yticks(ypos, t["parameter"], fontsize=8)
        ax.set_title(o, fontsize=9)
        ax.axvline(0, color="black", lw=0.5)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(file, dpi=110, metadata={"Date": None} if file.suffix == ".svg" else None)  # no timestamp
    plt.close(fig)


def json_summary(table: pd.DataFrame, method: str, bounds: Mapping[str, tuple[float, float]], n: int,
                 runs: int, extra: Mapping[str, Any]) -> str:
    return json.dumps({"method": method, "n": n, "runs": runs, "parameters": {k: list(v) for k, v in bounds.items()},
                       "indices": table.to_dict(orient="records"), **extra}, indent=2, default=float)

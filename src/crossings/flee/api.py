"""Python API for Flee-format cases: `run_case(case_dir, rules=None, seed=1, engine="numba") -> FleeResult`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from crossings.core.errors import InputError
from crossings.core.observed import flee_ruleset
from crossings.flee.metrics import ard, daily_errors
from crossings.flee.model import Model, RawRun, build_model, simulate
from crossings.flee.reader import read_case
from crossings.flee.rules import FleeRules, load_rules

if TYPE_CHECKING:
    import pandas as pd

BUNDLED_RULES = flee_ruleset("simsetting.yml")


def resolve_rules(case_dir: str | Path, rules: str | Path | FleeRules | None) -> tuple[FleeRules, str]:
    """Rules object and where it came from: given file, else the case's simsetting.yml, else the bundled one."""
    if isinstance(rules, FleeRules):
        return rules, "<FleeRules object>"
    if rules is not None:
        p = Path(rules)
        if not p.is_file():
            raise InputError(str(p), "", "rules file not found")
    else:
        own = Path(case_dir) / "simsetting.yml"
        p = own if own.is_file() else BUNDLED_RULES
    return load_rules(p), str(p)


def prepare(case_dir: str | Path, rules: str | Path | FleeRules | None = None) -> tuple[Model, str]:
    r, src = resolve_rules(case_dir, rules)
    case = read_case(case_dir)
    case.warnings.extend(r.warnings)  # unknown rule keys, ignored as flee 3.1 ignores them
    return build_model(case, r), src


@dataclass
class FleeResult:
    """One run: tidy tables (pandas) plus Flee's error metric against the camp series."""

    case: str
    seed: int
    rules: str
    days: int
    n_agents: int
    ard: float
    ard_rescaled: float
    wall_s: float
    occupancy: pd.DataFrame    # day, date, location, kind, agents
    camps: pd.DataFrame        # day, date, camp, simulated, observed
    daily: pd.DataFrame        # day, date, agents, in_transit, sim_in_camps, data_in_camps, error, error_rescaled
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.case}: {self.days} days, {self.n_agents} agents, seed {self.seed}: "
                f"ARD {self.ard:.4f}, ARD_rescaled {self.ard_rescaled:.4f} ({self.wall_s:.2f} s)")


def tables(model: Model, raw: RawRun) -> dict[str, Any]:
    import pandas as pd

    case, tl = model.case, model.tl
    T, L = raw.loc_counts.shape
    dates = pd.date_range(pd.Timestamp(case.start), periods=T, freq="D")
    kinds = np.array(case.loc_kind, dtype=object)
    occupancy = pd.DataFrame({
        "day": np.repeat(np.arange(T), L), "date": np.repeat(dates, L),
        "location": np.tile(np.array(case.loc_names, dtype=object), T), "kind": np.tile(kinds, T),
        "agents": raw.loc_counts.reshape(-1),
    })
    C = len(tl.camps)
    sim = raw.loc_counts[:, tl.camps]
    camps = pd.DataFrame({
        "day": np.repeat(np.arange(T), C), "date": np.repeat(dates, C),
        "camp": np.tile(np.array([case.loc_names[c] for c in tl.camps], dtype=object), T),
        "simulated": sim.reshape(-1), "observed": tl.camp_data.reshape(-1),
    })
    e, e_r = daily_errors(sim, tl.camp_data)
    daily = pd.DataFrame({
        "day": np.arange(T), "date": dates, "agents": raw.agents, "in_transit": raw.transit,
        "sim_in_camps": sim.sum(axis=1), "data_in_camps": tl.camp_data.sum(axis=1),
        "error": e, "error_rescaled": e_r,
    })
    return {"occupancy": occupancy, "camps": camps, "daily": daily}


def run_case(case_dir: str | Path, rules: str | Path | FleeRules | None = None, seed: int = 1,
             engine: str = "numba") -> FleeResult:
    """Run one seed of a Flee-format case and compare the camps with their UNHCR series."""
    t0 = time.perf_counter()
    model, src = prepare(case_dir, rules)
    raw = simulate(model, seed, engine)
    a, a_r = ard(raw.loc_counts[:, model.tl.camps], model.tl.camp_data)
    t = tables(model, raw)
    return FleeResult(
        case=model.case.name, seed=seed, rules=src, days=model.case.length, n_agents=raw.n_agents,
        ard=a, ard_rescaled=a_r, wall_s=time.perf_counter() - t0, occupancy=t["occupancy"],
        camps=t["camps"], daily=t["daily"], warnings=list(model.case.warnings),
    )

"""Where the Flee kernel's per-agent-day work goes: the day loop of engine_numba.run_days replayed from Python pass
by pass (as flee_breakdown.py does), counting, every day, the agents at camps / at other places / under way when the
day starts, the successful move draws by the move chance of the place, and the agents still under way at the end of
the day (multi-day journeys). The counts say which agents a pass could skip: an agent whose move draw fails touches
nothing but its recent_travel_distance, so a pass that visited only the agents that act would do O(movers) work.

    uv run --frozen python benchmarks/flee_work.py ssudan2013 [--seed 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from crossings.core.rng import uniform_np  # noqa: E402
from crossings.flee import engine_numba as K  # noqa: E402
from crossings.flee.api import prepare  # noqa: E402
from crossings.flee.model import Model, simulate  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "src" / "crossings" / "data" / "flee_cases"
ROWS = ("agents", "camp", "other", "under_way_at_start", "movers_camp", "movers_other", "under_way_in_finish",
        "under_way_at_end")


def replay(model: Model, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from flee_breakdown import day_loop_state, day_tables  # noqa: PLC0415  (benchmarks/ is on sys.path when run as a script)

    tl, net, days, prm, cap = model.tl, model.net_tuple(), model.days_tuple(), model.params, model.tl.cap
    T, L = tl.movechance.shape
    ag, n, pop, occ, occ_link, wbuf, pw, path_from, step_link, fixed = day_loop_state(model, 0)
    mc, cum = np.zeros(L), np.zeros(L)
    out = {k: np.zeros(T, dtype=np.int64) for k in ROWS}
    for t in range(T):
        n = K.spawn(t, n, seed, tl.n_spawn[t], days.spawn_mult, days.conflict_now, *ag, occ, pop, prm, cum)
        day_tables(t, net, days, prm, cap, pop, pw, mc, fixed, path_from, step_link)
        away = (ag.flags[:n] & K.TRAVELLING) != 0
        here = np.where(away, 0, ag.pos[:n])
        at_camp = ~away & (days.camp[t, here] != 0)
        u = uniform_np(K.day_key(seed, K.STREAM_MOVE, t, 0), np.arange(n, dtype=np.int64))
        go = ~away & (u < mc[here])
        out["agents"][t] = n
        out["camp"][t] = int(at_camp.sum())
        out["other"][t] = int((~away & ~at_camp).sum())
        out["under_way_at_start"][t] = int(away.sum())
        out["movers_camp"][t] = int((go & at_camp).sum())
        out["movers_other"][t] = int((go & ~at_camp).sum())
        K.agent_pass(0, 0, n, seed, t, net, days, ag, cap, prm, pw, mc, step_link, fixed, occ, occ, occ_link, wbuf)
        out["under_way_in_finish"][t] = int(((ag.flags[:n] & K.TRAVELLING) != 0).sum())
        K.agent_pass(1, 0, n, seed, t, net, days, ag, cap, prm, pw, mc, step_link, fixed, occ, occ, occ_link, wbuf)
        out["under_way_at_end"][t] = int(((ag.flags[:n] & K.TRAVELLING) != 0).sum())
    return out, occ


def summary(case: str, seed: int) -> dict[str, Any]:
    model, _ = prepare(CASES / case, CASES / "rulesets" / "simsetting.yml")
    out, occ = replay(model, seed)
    assert occ.tolist() == simulate(model, seed).loc_counts[-1].tolist()  # the replay is the kernel's run
    tot = {k: int(v.sum()) for k, v in out.items()}
    ad = tot["agents"]
    share = {k: round(v / ad, 4) for k, v in tot.items() if k != "agents"}
    q = {k: [int(np.percentile(out[k], p)) for p in (10, 50, 90)] for k in ("camp", "other", "movers_other")}
    return {"case": case, "seed": seed, "days": len(out["agents"]), "agent_days": ad, "totals": tot,
            "share_of_agent_days": share, "per_day_p10_p50_p90": q,
            "move_share_other": round(tot["movers_other"] / max(tot["other"], 1), 4),
            "move_share_camp": round(tot["movers_camp"] / max(tot["camp"], 1), 6)}


def main() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", nargs="?", default="ssudan2013")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    res = summary(a.case, a.seed)
    if a.json:
        print(json.dumps(res))
        return
    t, s = res["totals"], res["share_of_agent_days"]
    print(f"{res['case']} seed {res['seed']}: {res['agent_days']:,} agent-days over {res['days']} days")
    print(f"  at camps {t['camp']:,} ({s['camp']:.1%}), at other places {t['other']:,} ({s['other']:.1%}), "
          f"under way when the day starts {t['under_way_at_start']:,} ({s['under_way_at_start']:.1%})")
    print(f"  successful move draws: at camps {t['movers_camp']:,} ({res['move_share_camp']:.4%} of camp "
          f"agent-days), elsewhere {t['movers_other']:,} ({res['move_share_other']:.1%} of those agent-days)")
    print(f"  under way in the finish pass {t['under_way_in_finish']:,}; still under way at the day's end "
          f"{t['under_way_at_end']:,}")
    print(f"  per day p10/p50/p90: {res['per_day_p10_p50_p90']}")


if __name__ == "__main__":
    main()

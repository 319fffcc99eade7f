"""Lever effects with 90% intervals over seeds (common random numbers), and the safe-route pages' numbers.

    uv run --frozen python scripts/lever_intervals.py              # safe routes and the Tunisia deal (minutes)
    uv run --frozen python scripts/lever_intervals.py --seeds 10   # quicker, wider intervals

A lever's effect in one seed is (run with the lever) - (the same seed without it): both runs draw the same random
numbers (counter-based streams keyed by seed), so the difference is what the lever did, not run-to-run noise.
The effect is reported as the mean over seeds with the 5th-95th percentile of the per-seed differences (linear
interpolation, as the ensembles); that interval is the spread from the model's randomness only. Where an
assumption's evidence range is known, scripts/asylum_validation.py adds a second interval over that range.

The helpers here (paired_effect, effect_text, replace_block) are also used by scripts/asylum_validation.py.
The safe-route numbers are written between markers into docs/levers/safe_routes.md and docs/policies.md, the
EU-Tunisia deal's into docs/levers/partner_coastguard.md.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAFE_ROUTE_SEEDS = 40  # about 1 s a Channel run and 2 s a UK run (2 runs a seed): a few minutes per table


@dataclass(frozen=True)
class Effect:
    """Mean and 5th/95th percentiles of per-seed differences, over n seeds."""

    mean: float
    p05: float
    p95: float
    n: int

    @property
    def width(self) -> float:
        return self.p95 - self.p05


def effect_of(diffs: Sequence[float] | npt.ArrayLike) -> Effect:
    """Summarise per-seed differences: mean and the 90% interval (p05-p95, linear interpolation)."""
    d = np.asarray(diffs, dtype=float).ravel()
    if d.size < 2 or not np.isfinite(d).all():
        raise ValueError(f"need at least 2 finite per-seed differences, got {d.tolist()}")
    p05, p95 = np.quantile(d, [0.05, 0.95])
    return Effect(float(d.mean()), float(p05), float(p95), int(d.size))


def paired_effect(on: Sequence[float] | npt.ArrayLike, off: Sequence[float] | npt.ArrayLike) -> Effect:
    """The effect of a lever from seed-paired runs: on[i] and off[i] come from the same seed."""
    a, b = np.asarray(on, dtype=float), np.asarray(off, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"on and off must pair seed by seed: shapes {a.shape} and {b.shape}")
    return effect_of(a - b)


def effect_text(e: Effect, fmt: Callable[[float], str] = lambda x: f"{x:+,.0f}") -> str:
    """'mean [p05 to p95]' in the given number format."""
    return f"{fmt(e.mean)} [{fmt(e.p05)} to {fmt(e.p95)}]"


def replace_block(text: str, name: str, body: str) -> str:
    """Replace what lies between `<!-- begin NAME -->` and `<!-- end NAME -->` (markers kept) with body."""
    pat = re.compile(rf"(<!-- begin {re.escape(name)} -->\n).*?(<!-- end {re.escape(name)} -->)", re.S)
    if len(pat.findall(text)) != 1:
        raise ValueError(f"expected exactly one '<!-- begin {name} -->' ... '<!-- end {name} -->' block")
    return pat.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(2), text)


def write_block(path: Path, name: str, body: str) -> None:
    from crossings.core.output import write_text_atomic

    write_text_atomic(path, replace_block(path.read_text(), name, body))


# ---- safe routes -----------------------------------------------------------------------------------------


def annual(monthly: pd.DataFrame) -> pd.DataFrame:
    """Year x place x measure values of one run: flows and money summed, stocks at the year's last month."""
    from crossings.core.measures import MEASURES, period_rule

    m = monthly.rename(columns={"route": "place"}) if "place" not in monthly.columns else monthly
    m = m[m["measure"].isin(list(MEASURES))].assign(year=lambda x: x["month"].astype(str).str[:4])
    m = m.sort_values("month")
    rules = m["measure"].map(period_rule)
    parts = [m[rules == r].groupby(["year", "place", "measure"])["simulated"].agg(r) for r in ("sum", "last", "mean")
             if (rules == r).any()]
    return pd.concat(parts).to_frame("simulated")


def paired_runs(path: Path, lever: str, seeds: Sequence[int],
                per_seed: Sequence[dict[str, Any]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual values per seed with the lever on (the scenario as shipped) and off (its `enabled` false, every
    other lever kept): columns = seeds. per_seed: overrides for both runs of each seed (e.g. a parameter draw)."""
    from crossings.runs.runner import run_scenario

    on, off = {}, {}
    for i, s in enumerate(seeds):
        ov = dict(per_seed[i]) if per_seed is not None else {}
        on[s] = annual(run_scenario(path, seed=s, overrides=ov).monthly)["simulated"]
        off[s] = annual(run_scenario(path, seed=s, overrides={**ov, f"levers.{lever}.enabled": False}).monthly
                        )["simulated"]
    return pd.DataFrame(on), pd.DataFrame(off)


def _get(t: pd.DataFrame, year: str, place: str, measure: str) -> npt.NDArray[np.float64]:
    return np.asarray(t.xs((year, place, measure)), dtype=float)


def channel_safe_route(seeds: Sequence[int]) -> str:
    on, off = paired_runs(ROOT / "scenarios" / "channel_safe_route.yaml", "safe_route", seeds)
    rows, zero = [], []
    for y in ("2023", "2024"):
        deaths = paired_effect(_get(on, y, "france_uk", "deaths"), _get(off, y, "france_uk", "deaths"))
        if deaths.p05 <= 0 <= deaths.p95:
            zero.append(y)
        took = _get(on, y, "france_uk", "safe_route")
        d_arr = _get(on, y, "france_uk", "arrivals") - _get(off, y, "france_uk", "arrivals")
        rows.append([y, effect_text(effect_of(took), lambda x: f"{x:,.0f}"), effect_text(effect_of(d_arr)),
                     effect_text(effect_of(-d_arr / took), lambda x: f"{x:.2f}"),
                     effect_text(deaths),
                     f"{_get(on, y, 'france_uk', 'arrivals').mean():,.0f}",
                     f"{_get(off, y, 'france_uk', 'arrivals').mean():,.0f}"])
    head = ["year", "took the route", "Channel arrivals", "fewer arrivals per place used", "deaths at sea",
            "arrivals with the route (mean)", "arrivals without it (mean)"]
    deaths_note = (f"\n\nDeaths at sea: the 90% interval of the change includes 0 in {' and '.join(zero)}, so over"
                   f" {len(seeds)} seeds the route's effect on deaths is not told apart from run-to-run noise"
                   " (deaths come in few, large incidents; fewer boats lower the expected number)." if zero else "")
    return _md(head, rows) + deaths_note


def uk_safe_route(seeds: Sequence[int]) -> str:
    on, off = paired_runs(ROOT / "scenarios" / "uk_safe_route.yaml", "safe_route", seeds)
    spec = [("claims", "uk", "claims", "{:+,.0f}"), ("claims by the route", "uk", "safe_route_claims", "{:+,.0f}"),
            ("sea arrivals", "uk", "sea_arrivals", "{:+,.0f}"),
            ("awaiting a decision (end of year)", "uk", "awaiting_decision", "{:+,.0f}"),
            ("in hotels (end of year)", "uk", "in_hotels", "{:+,.0f}"),
            ("support cost, GBP m", "uk", "cost_support", "m"), ("deaths at sea", "france_uk", "deaths", "{:+,.0f}")]
    rows = []
    for label, place, measure, f in spec:
        cells = [label]
        for y in ("2023", "2024"):
            e = paired_effect(_get(on, y, place, measure), _get(off, y, place, measure))
            cells.append(effect_text(e, (lambda x: f"{x / 1e6:+,.1f}") if f == "m" else f.format))
        rows.append(cells)
    return _md(["effect of the route", "2023", "2024"], rows)


# ---- the EU-Tunisia deal (partner coastguard) -------------------------------------------------------------


def _tunisia_cells(on: pd.DataFrame, off: pd.DataFrame) -> list[tuple[str, Effect, str]]:
    """(quantity, effect, number format) for 2024 from seed-paired central_med runs."""
    y = "2024"
    averted = _get(off, y, "tunisia_italy", "arrivals") - _get(on, y, "tunisia_italy", "arrivals")
    libya = _get(on, y, "libya_italy", "arrivals") - _get(off, y, "libya_italy", "arrivals")
    net = _get(off, y, "italy", "arrivals") - _get(on, y, "italy", "arrivals")
    drop_on = _get(on, "2023", "italy", "arrivals") - _get(on, y, "italy", "arrivals")
    drop_off = _get(off, "2023", "italy", "arrivals") - _get(off, y, "italy", "arrivals")
    return [("Tunisia-route arrivals averted in 2024", effect_of(averted), "{:,.0f}"),
            ("extra Libya-route arrivals in 2024 (diversion)", effect_of(libya), "{:,.0f}"),
            ("diverted to Libya per arrival averted from Tunisia", effect_of(libya / averted), "{:.2f}"),
            ("net arrivals in Italy averted in 2024", effect_of(net), "{:,.0f}"),
            ("simulated 2023 -> 2024 drop in Italy, lever on", effect_of(drop_on), "{:,.0f}"),
            ("share of that drop the lever explains", effect_of((drop_on - drop_off) / drop_on), "{:.2f}")]


def tunisia_mou(seeds: Sequence[int]) -> tuple[str, str]:
    """Seed-paired effects of the EU-Tunisia MoU at the fitted values and, where the fit's parameter-
    uncertainty file matches the fitted file, with each seed's parameters drawn from it (both runs of a seed
    share the draw). Returns the table and a sentence on which interval dominates."""
    from crossings.calibrate.uncertainty import member_overrides
    from crossings.core.errors import InputError

    path = ROOT / "scenarios" / "central_med.yaml"
    fitted = _tunisia_cells(*paired_runs(path, "tunisia_mou", seeds))
    try:
        draws, u = member_overrides(path, list(seeds), None)
    except InputError as err:
        drawn, note = None, f"no interval over the fitted parameters: {err}"
    else:
        drawn = _tunisia_cells(*paired_runs(path, "tunisia_mou", seeds, draws))
        note = (f"'with the fit's uncertainty': each seed's parameters drawn from {u.path.name} (Laplace covariance"
                f" of the fit over {u.fit_window[0]} to {u.fit_window[1]}), the same draw for both runs of the seed")
    head = ["quantity (2024 unless said)", f"seeds 1-{seeds[-1]}, fitted values",
            "with the fit's uncertainty" if drawn else "", "wider"]
    rows = []
    for i, (label, e, f) in enumerate(fitted):
        d = drawn[i][1] if drawn else None
        rows.append([label, effect_text(e, f.format), effect_text(d, f.format) if d else "n/a",
                     ("parameters" if d.width > 1.5 * e.width else "comparable" if d.width > e.width / 1.5
                      else "seeds") if d else ""])
    return _md(head, rows), note


def _md(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=SAFE_ROUTE_SEEDS, help="seeds 1..N (default %(default)s)")
    ap.add_argument("--docs", default=str(ROOT / "docs"), help="folder of the pages to update")
    ap.add_argument("--only", choices=["safe_routes", "tunisia"], help="one table only")
    args = ap.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    cmd = "uv run --frozen python scripts/lever_intervals.py" + (f" --seeds {args.seeds}"
                                                                  if args.seeds != SAFE_ROUTE_SEEDS else "")
    docs = Path(args.docs)
    if args.only != "safe_routes":
        tab, note = tunisia_mou(seeds)
        print(tab, note, sep="\n")
        write_block(docs / "levers" / "partner_coastguard.md", "tunisia_mou",
                    f"Seed-paired (`{cmd}`): central_med.yaml with and without `tunisia_mou`, every other lever kept, on"
                    f" the same random numbers, seeds 1-{seeds[-1]}; mean [90% interval: 5th to 95th percentile of the"
                    f" per-seed values]; {note}. 'wider': which interval dominates (parameters or seeds: more than"
                    " 1.5 times the other's width).\n\n" + tab)
        if args.only == "tunisia":
            return 0
    ch = channel_safe_route(seeds)
    print(ch)
    uk = uk_safe_route(seeds)
    print(uk)
    note = (f"Seed-paired effects (`{cmd}`): seeds 1-{seeds[-1]}, each run with the lever and with it off (every"
            " other lever kept) on the same random numbers; mean [90% interval: 5th to 95th percentile of the"
            " per-seed differences]. The interval is the model's randomness only: every number of the lever but the"
            " eligible share is an assumption with no evidence range (EVIDENCE.md has none), so no interval over"
            " assumptions is given; vary `places_per_month` or `uptake` with `--set` to see their effect.")
    write_block(docs / "levers" / "safe_routes.md", "channel_safe_route", note + "\n\n" + ch)
    write_block(docs / "levers" / "safe_routes.md", "uk_safe_route", uk)
    write_block(docs / "policies.md", "safe_route_summary", _policies_summary(ch, uk, cmd, seeds[-1]))
    print(f"wrote the safe-route blocks of {docs / 'levers' / 'safe_routes.md'} and {docs / 'policies.md'}")
    return 0


def _policies_summary(ch: str, uk: str, cmd: str, n: int) -> str:
    """The 2024 rows of both tables, as one paragraph for policies.md."""
    c24 = next(r for r in ch.splitlines() if r.startswith("| 2024"))
    cells = [c.strip() for c in c24.strip("|").split("|")]
    ukrows = {r.strip("|").split("|")[0].strip(): [c.strip() for c in r.strip("|").split("|")]
              for r in uk.splitlines()[2:]}
    return (f"In 2024 (seed-paired, seeds 1-{n}, mean [90% interval over seeds]; `{cmd}`):"
            f" {cells[1]} people take the route and Channel arrivals change by {cells[2]}; with the UK asylum"
            f" system (`scenarios/uk_safe_route.yaml`) claims change by {ukrows['claims'][2]}, people awaiting a"
            f" decision at end-2024 by {ukrows['awaiting a decision (end of year)'][2]}, hotels by"
            f" {ukrows['in hotels (end of year)'][2]}, deaths at sea by {ukrows['deaths at sea'][2]}.")


if __name__ == "__main__":
    raise SystemExit(main())

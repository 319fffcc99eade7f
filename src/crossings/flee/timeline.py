"""Everything about places that does not depend on agents, day by day, computed once before the run.

Flee's daily order (runscripts/run.py): 1. conflicts.csv onsets/ends, 2. spawning, 3. refresh spawn
weights, 4. closures, 5. evolve (refresh weights, location scores, agents). Location type, move chance,
conflict intensity, scores and link open/closed state depend only on the calendar, so they are replayed
here in exactly that order and handed to the kernel as [day, location] / [day, link] arrays.
Spawn weights are kept as Flee keeps them: a vector refreshed only at Flee's refresh points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossings.core.errors import InputError
from crossings.flee.network import Network
from crossings.flee.reader import FleeCase, interpolate
from crossings.flee.rules import FleeRules

F64 = npt.NDArray[np.float64]
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]


@dataclass
class Timeline:
    movechance: F64     # [T, L]
    town: U8            # [T, L]
    camp: U8            # [T, L]
    score: F64          # [T, L] location score incl. Match*Ethnicity factors
    popweight: U8       # [T, L] 1 where use_pop_for_loc_weight applies (non-camp endpoints)
    spawn_mult: F64     # [T, L] spawn weight per head of population (conflict x decay), at spawn time
    conflict_now: F64   # [T, L] conflict intensity at spawn time (conflict-driven spawning)
    link_open: U8       # [T, E]
    n_spawn: I64        # [T] agents spawned per day from refugees.csv (data-driven mode)
    pop: I64            # [L] population (non-camps), after hasten
    cap: I64            # [L] capacity (camps; -1 = none), after hasten
    camps: list[int]    # camps at setup, in location order (Flee's get_camp_names): the output columns
    initial: I64        # [n camps] agents inserted in each camp on day 0
    camp_data: I64      # [T, n camps] interpolated UNHCR counts
    total_data: I64     # [T] interpolated total


def initial_types(case: FleeCase, rules: FleeRules) -> dict[str, npt.NDArray[np.generic]]:
    """Location flags at setup (flee.Location.__init__ + InputGeography.StoreInputGeographyInEcosystem)."""
    n = case.n_loc
    mc = np.zeros(n)
    camp = np.zeros(n, dtype=np.bool_)
    idp = np.zeros(n, dtype=np.bool_)
    town = np.zeros(n, dtype=np.bool_)
    marker = np.zeros(n, dtype=np.bool_)
    conflict = np.full(n, -1.0)
    for i, k in enumerate(case.loc_kind):
        if k == "conflict" and case.loc_conflict_date[i] > 0:
            k = "town"  # a conflict zone with a future date starts as a town
        if k in ("camp", "idpcamp"):
            camp[i] = True
            idp[i] = k == "idpcamp"
            mc[i] = rules.idpcamp_movechance if idp[i] else rules.camp_movechance
        elif k == "conflict":
            mc[i] = rules.conflict_movechance
            conflict[i] = case.loc_intensity[i]
        elif k in ("forward", "marker"):
            mc[i] = 1.0
            marker[i] = k == "marker"
        else:
            town[i] = True
            mc[i] = rules.default_movechance
        if mc[i] < 0.005 and not camp[i]:  # Flee auto-types such places as camps
            camp[i] = True
            town[i] = False
    return {"mc": mc, "camp": camp, "idp": idp, "town": town, "marker": marker, "conflict": conflict}


def build_timeline(case: FleeCase, rules: FleeRules, net: Network, types: dict[str, npt.NDArray[np.generic]]) -> Timeline:
    T, n, E = case.length, case.n_loc, net.n_link
    mc = types["mc"].astype(np.float64).copy()
    camp = types["camp"].astype(np.bool_).copy()
    idp = types["idp"].astype(np.bool_).copy()
    town = types["town"].astype(np.bool_).copy()
    conflict = types["conflict"].astype(np.float64).copy()
    t_conf = np.full(n, -1, dtype=np.int64)
    foreign = np.array([c != case.loc_country[0] for c in case.loc_country])
    # camps take `population` as capacity; others as population (both // hasten, like Flee)
    cap = np.where(np.array([k in ("camp", "idpcamp") for k in case.loc_kind]), case.loc_popcap // rules.hasten, -1)
    pop = np.where(cap >= 0, 0, case.loc_popcap // rules.hasten).astype(np.int64)
    camps = [i for i in range(n) if camp[i]]
    is_open = np.ones(E, dtype=np.bool_)
    country = np.array(case.loc_country, dtype=object)
    name_ix = {nm: i for i, nm in enumerate(case.loc_names)}

    out = {k: np.zeros((T, n)) for k in ("movechance", "score", "spawn_mult", "conflict_now")}
    flags = {k: np.zeros((T, n), dtype=np.uint8) for k in ("town", "camp", "popweight")}
    link_open = np.zeros((T, E), dtype=np.uint8)
    weights = np.zeros(n)

    def refresh(time: int) -> None:  # spawning.refresh_spawn_weights: weight per head = conflict x decay
        weights[:] = 0.0
        for i in range(n):
            if conflict[i] > 0.0:
                weights[i] = conflict[i] * rules.decay(time - int(t_conf[i]))

    def add_conflict(i: int, intensity: float, t: int) -> None:
        mc[i] = rules.conflict_movechance
        conflict[i] = intensity
        town[i] = False
        t_conf[i] = t
        refresh(t)

    def remove_conflict(i: int, t: int) -> None:
        mc[i] = rules.default_movechance
        conflict[i] = -1.0
        town[i] = True
        refresh(t)

    def set_links(mask: npt.NDArray[np.bool_], value: bool) -> None:
        is_open[mask] = value

    def camp_state(i: int, open_: bool, idp_: bool) -> None:
        conflict[i] = -1.0
        camp[i] = open_
        town[i] = not open_
        idp[i] = open_ and idp_
        if open_:
            mc[i] = rules.idpcamp_movechance if idp_ else rules.camp_movechance
        else:
            mc[i] = rules.default_movechance

    def closure(kind: str, a: str, b: str, open_: bool) -> None:
        if kind == "country":
            cs, cd = country[net.link_src], country[net.link_dst]
            set_links(((cs == a) & (cd == b)) | ((cs == b) & (cd == a)), open_)
        elif kind == "location":
            i = name_ix[a]
            set_links((net.link_src == i) | (net.link_dst == i), open_)
        elif kind == "link":  # both directions (flee 3.1 closes none: see docs, deviations)
            i, j = name_ix[a], name_ix[b]
            set_links(((net.link_src == i) & (net.link_dst == j)) | ((net.link_src == j) & (net.link_dst == i)), open_)
        elif kind in ("camp", "idpcamp"):
            camp_state(name_ix[a], open_, kind == "idpcamp")

    refresh(0)
    for t in range(T):
        # 1. conflicts.csv (InputGeography.AddNewConflictZones)
        if case.conflicts is not None:
            row = case.conflicts[t]
            prev = case.conflicts[t - 1] if t > 0 else None
            for i in np.nonzero(case.conflict_cols)[0]:
                v = row[i]
                if v > 1e-6 and (prev is None or prev[i] < 1e-6):
                    add_conflict(int(i), float(v), t)
                if v < 1e-6 and prev is not None and prev[i] == 1:
                    remove_conflict(int(i), t)
        else:  # intended fallback: conflict_date from locations.csv (broken in flee 3.1, see docs)
            for k in range(n):
                if case.loc_kind[k] == "conflict" and case.loc_conflict_date[k] == t:
                    add_conflict(k, float(case.loc_intensity[k]), t)
        # 2. spawning uses the weights from the last refresh
        out["spawn_mult"][t] = weights
        out["conflict_now"][t] = conflict
        refresh(t)  # 3.
        for kind, a, b, start, end in case.closures:  # 4. enact_border_closures
            if t == start:
                closure(kind, a, b, False)
            if t == end:
                closure(kind, a, b, True)
        refresh(t)  # 5. evolve: refresh, then location scores (scoring.updateLocationScore)
        score = np.ones(n)
        score[foreign] *= rules.foreign_weight
        score[camp] *= rules.camp_weight
        for i in np.nonzero(conflict > 0.0)[0]:
            score[i] *= rules.conflict_weight ** (rules.decay(t - int(t_conf[i])) * conflict[i])
        is_conf = (~camp) & (conflict > 0.0)
        is_town = (~camp) & ~(conflict > 0.0)
        if rules.match_camp_ethnicity:  # getAttributeRatio is a stub returning 1.0 in flee 3.1
            score[camp] *= 10.0
        if rules.match_conflict_ethnicity:
            score[is_conf] *= 10.0
        if rules.match_town_ethnicity:
            score[is_town] *= 10.0
        out["score"][t] = score
        out["movechance"][t] = mc
        flags["town"][t] = town
        flags["camp"][t] = camp
        flags["popweight"][t] = (~camp) if rules.use_pop_for_loc_weight else False
        link_open[t] = is_open

    series = case.series
    for c in camps:
        if case.loc_names[c] not in series:
            raise InputError(str(case.path / "source_data" / "data_layout.csv"), "",
                             f"no observed series for camp {case.loc_names[c]!r} (every camp needs a row)")
    camp_data = np.zeros((T, len(camps)), dtype=np.int64)
    for j, c in enumerate(camps):
        camp_data[:, j] = interpolate(series[case.loc_names[c]], T, rules.hasten)
    total = interpolate(series["total"], T, rules.hasten)
    initial = camp_data[0].copy() if rules.insert_day0 else np.zeros(len(camps), dtype=np.int64)
    n_spawn = spawn_counts(total, rules.insert_day0)
    return Timeline(
        movechance=out["movechance"], town=flags["town"], camp=flags["camp"], score=out["score"],
        popweight=flags["popweight"], spawn_mult=out["spawn_mult"], conflict_now=out["conflict_now"],
        link_open=link_open, n_spawn=n_spawn, pop=pop, cap=cap.astype(np.int64), camps=camps,
        initial=initial, camp_data=camp_data, total_data=total,
    )


def spawn_counts(total: I64, insert_day0: bool) -> I64:
    """spawning.spawn_daily_displaced: daily increase of the total, minus the 'refugee debt' of decreases."""
    out = np.zeros(len(total), dtype=np.int64)
    debt = 0
    for t in range(len(total)):
        diff = int(total[0]) if t == 0 else int(total[t] - total[t - 1])
        new = diff - debt
        if insert_day0 and t == 0:
            new = 0
        if new < 0:
            debt = -new
            new = 0
        elif debt > 0:
            debt = 0
        out[t] = new
    return out

"""The named array bundles the sea engines share: the numba kernel (kernel.sea_kernel), its numpy reference
(reference.sea_reference) and the mean-field (meanfield.mean_field) take these and read every array by name.

- SeaRoutes: what a built scenario says about each coast and day (coast choice, levers, boats, fates). Built
  once from SeaArrays (route_arrays) and reused for every seed of an ensemble.
- SeaDraws: one seed's draws, the agent engines' per-seed input (simulate.draw_seed).
- SeaMeans: the expectations of those draws, the mean-field's input (the same three quantities).

NamedTuples: numba takes them as tuples of arrays and reads fields by name; the dtypes are fixed here so every
call hits the same compiled signature.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from crossings.sea.boat_sizes import N_FACTORS
from crossings.sea.model import SeaArrays
from crossings.sea.quality import expected_launch

Arr = npt.NDArray[Any]


class SeaRoutes(NamedTuple):
    """Per coast c (a sea route) and day t; fixed for a built scenario."""

    region_of_coast: Arr  # int64[C] region whose people use the coast
    choice: Arr  # [C, T] P(coast | region)
    keep: Arr  # [C, T] share not deterred
    safe_share: Arr  # [C, T] chance that a person reaching the coast takes a safe-route place if one is free
    safe_cap: Arr  # [C, T] safe-route places per day (fractions accrue)
    launch_cap: Arr  # [C, T] boats a window day can launch (inf = no limit)
    prevent: Arr  # [C, T] chance a launched boat is stopped on the beach
    intercept: Arr  # [C, T] chance a departing boat is intercepted (below the patrols' capacity)
    capacity: Arr  # [C, T] boats a day the patrols can intercept
    incident: Arr  # [C, T] chance a sailing boat has a fatal incident
    lethality: Arr  # [C, T] share of the people aboard lost in an incident (per person without a loss table)
    loss_cdf: Arr  # [C, M, K] people lost per incident, cumulative; zeros: per-person lethality
    loss_table: Arr  # int64[T] which of the M tables a day uses (its calendar month where losses have a season)
    ppb: Arr  # [C, T] people per boat (float, the mean of drawn sizes)
    boat_size: Arr  # int64[C, T] max(1, round(ppb)): every boat's size when boat_cv = 0
    boat_cv: Arr  # [C] coefficient of variation of boat sizes
    ret: Arr  # [C] share of stopped or intercepted people who return to wait
    det: Arr  # [C] share detained (the rest give up)
    traffic_group: Arr  # int64[C] routes pooling their people sailing for the traffic factor (-1 = none)
    traffic_elasticity: Arr  # [C] incident chance x (people sailing in 30 days / reference)^elasticity
    traffic_reference: Arr  # [C] people sailing in 30 days where the traffic factor is 1
    size_factors: Arr  # [C, N_FACTORS] mean-one boat-size factors (sea.boat_sizes); a row of zeros: none


class SeaDraws(NamedTuple):
    """One seed's random inputs drawn ahead of the agent loop."""

    counts: Arr  # int64[R, T] people reaching each region each day
    good: Arr  # int8[C, T] 1 = crossing window
    launch: Arr  # [C, T] launch share each day (window quality drawn)


class SeaMeans(NamedTuple):
    """The expectations of SeaDraws."""

    inflow: Arr  # [R, T] expected people a day reaching each region
    p_good: Arr  # [C, T] chance that a day is a crossing window
    launch: Arr  # [C, T] expected launch share (launch / (1 + quality shape))


_INT_FIELDS = frozenset({"region_of_coast", "boat_size", "traffic_group", "loss_table"})


def route_arrays(a: SeaArrays) -> SeaRoutes:
    """The SeaRoutes of built arrays (no copy where the dtype and layout already fit); arrays built without a
    traffic factor, a boat-size law or a loss season (empty) get none (group -1, elasticity 0; size factors 0;
    loss table 0 every day)."""
    C = np.asarray(a.region_of_coast).shape[0]
    T = int(a.n_days)
    off = {"traffic_group": np.full(C, -1), "traffic_elasticity": np.zeros(C), "traffic_reference": np.ones(C),
           "size_factors": np.zeros((C, N_FACTORS)), "loss_table": np.zeros(T)}
    size = {f: C for f in off} | {"size_factors": C * N_FACTORS, "loss_table": T}
    return SeaRoutes(**{f: np.ascontiguousarray(off[f] if f in off and np.asarray(getattr(a, f)).size != size[f]
                                                else getattr(a, f), dtype=np.int64 if f in _INT_FIELDS else np.float64)
                        for f in SeaRoutes._fields})


def draws(counts: Arr, good: Arr, launch: Arr) -> SeaDraws:
    return SeaDraws(np.ascontiguousarray(counts, dtype=np.int64), np.ascontiguousarray(good, dtype=np.int8),
                    np.ascontiguousarray(launch, dtype=np.float64))


def means(a: SeaArrays, inflow: Arr | None = None) -> SeaMeans:
    """The mean-field's input: `inflow` (e.g. a forecast draw's) in place of the built one if given."""
    return SeaMeans(np.ascontiguousarray(a.inflow if inflow is None else inflow, dtype=np.float64),
                    np.ascontiguousarray(a.p_good, dtype=np.float64),
                    np.ascontiguousarray(expected_launch(a.launch, a.quality_k), dtype=np.float64))

"""The named array bundles the Flee engine's numba kernel and its numpy reference share: the network, the
per-day arrays and the agents' columns. NamedTuples, so the kernel still unpacks them by position (numba
takes them as plain tuples of arrays) while the reference and the model read them by name."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]


class NetArrays(NamedTuple):
    link_src: Arr
    link_dst: Arr
    link_km: Arr
    link_speed: Arr
    link_walkp: Arr
    out_ptr: Arr
    out_link: Arr
    path_ptr: Arr
    hop_ptr: Arr
    hop_link: Arr
    hop_node: Arr
    path_end: Arr
    path_den: Arr
    path_home: Arr


class DayArrays(NamedTuple):
    movechance: Arr
    town: Arr
    camp: Arr
    score: Arr
    popweight: Arr
    spawn_mult: Arr
    conflict_now: Arr
    link_open: Arr


class AgentArrays(NamedTuple):
    """One column per attribute, preallocated for the final population (struct of arrays)."""

    pos: Arr  # int32: location, or link while travelling
    path: Arr  # int32: chosen candidate path (-1 = none)
    hop: Arr  # int8: next hop on it
    flags: Arr  # uint8: travelling, has-arrived-once (engine_numba's flag constants)
    dist: Arr  # float32: km done on the current link
    recent: Arr  # float32: Flee's recent_travel_distance


def new_agents(n: int) -> AgentArrays:
    return AgentArrays(np.zeros(n, dtype=np.int32), np.full(n, -1, dtype=np.int32), np.zeros(n, dtype=np.int8),
                       np.zeros(n, dtype=np.uint8), np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.float32))

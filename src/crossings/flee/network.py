"""The location graph as CSR arrays, and every route an agent can choose, precomputed once.

Each routes.csv row gives two directed links (Flee's Ecosystem.linkUp): link 2r is a->b, 2r+1 is b->a.
Out-links of a location are kept in creation order (Flee's `location.links` order).

Route candidates (Flee's moving.calculateLinkWeight): all simple paths from an origin with up to
`awareness_level` non-marker hops; a path ending at a marker is no candidate and a marker hop does not use
up awareness. Paths are stored as CSR rows of (link, node) hops; whether a path is usable on a day is
decided in the kernel from the open/closed link mask (a closed link removes every path through it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossings.core.errors import InputError
from crossings.flee.reader import FleeCase
from crossings.flee.rules import FleeRules

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

MAX_PATHS = 5_000_000  # guard against a combinatorial blow-up (e.g. long marker chains)


@dataclass
class Network:
    n_loc: int
    link_src: I32
    link_dst: I32
    link_km: F64
    link_speed: F64      # per-link speed, <= 0 means the rule's max_move_speed
    link_walkp: F64
    out_ptr: I64         # CSR: out-links of location l are out_link[out_ptr[l]:out_ptr[l+1]]
    out_link: I32
    path_ptr: I64        # CSR: candidate paths from origin l are path_ptr[l]..path_ptr[l+1]-1
    hop_ptr: I64         # CSR: hops of path p are hop_ptr[p]..hop_ptr[p+1]-1
    hop_link: I32
    hop_node: I32
    path_end: I32
    path_den: F64        # (softening + total km) ** distance_power
    path_home: F64       # stay_close_to_home factor 1/max(1, km(origin, end))**power (1.0 when off)
    uniform_choice: bool  # awareness 0: pick a neighbour uniformly

    @property
    def n_link(self) -> int:
        return len(self.link_src)

    @property
    def n_path(self) -> int:
        return len(self.path_end)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance with Flee's radius R = 6373 km (flee.Location.calculateDistance)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 6373.0 * 2 * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def build_links(case: FleeCase) -> tuple[I32, I32, F64, F64, F64, I64, I32]:
    r = len(case.route_a)
    src = np.empty(2 * r, dtype=np.int32)
    dst = np.empty(2 * r, dtype=np.int32)
    src[0::2], dst[0::2] = case.route_a, case.route_b
    src[1::2], dst[1::2] = case.route_b, case.route_a
    km = np.repeat(case.route_km, 2)
    speed = np.nan_to_num(np.repeat(case.route_speed, 2), nan=-1.0)
    walkp = np.repeat(case.route_walkp, 2)
    order = np.argsort(src, kind="stable")  # stable: keeps creation order within a location
    counts = np.bincount(src, minlength=case.n_loc)
    out_ptr = np.zeros(case.n_loc + 1, dtype=np.int64)
    np.cumsum(counts, out=out_ptr[1:])
    return src, dst, km, speed, walkp, out_ptr, order.astype(np.int32)


def build_network(case: FleeCase, rules: FleeRules, marker: npt.NDArray[np.bool_]) -> Network:
    src, dst, km, speed, walkp, out_ptr, out_link = build_links(case)
    aw = rules.awareness_level
    path_ptr = [0]
    hop_ptr = [0]
    hop_link: list[int] = []
    hop_node: list[int] = []
    ends: list[int] = []
    dists: list[float] = []
    origins: list[int] = []

    def emit(origin: int, hops: list[int], total: float) -> None:
        for e in hops:
            hop_link.append(e)
            hop_node.append(int(dst[e]))
        hop_ptr.append(len(hop_link))
        ends.append(int(dst[hops[-1]]))
        dists.append(total)
        origins.append(origin)
        if len(ends) > MAX_PATHS:
            raise InputError(str(case.path / "input_csv" / "routes.csv"), "",
                             f"more than {MAX_PATHS} route candidates; lower awareness_level")

    def rec(origin: int, e: int, prior: float, visited: list[int], step: int, hops: list[int]) -> None:
        end = int(dst[e])
        hops = hops + [e]
        total = prior + km[e]
        if not marker[end]:
            emit(origin, hops, total)
        else:
            step -= 1  # markers do not use up awareness
        if aw > step:
            for j in range(out_ptr[end], out_ptr[end + 1]):
                f = int(out_link[j])
                if int(dst[f]) in visited:
                    continue
                rec(origin, f, total, visited + [end], step + 1, hops)

    for o in range(case.n_loc):
        for j in range(out_ptr[o], out_ptr[o + 1]):
            e = int(out_link[j])
            if aw == 0:
                emit(o, [e], float(km[e]))
            else:
                rec(o, e, 0.0, [o], 1, [])
        path_ptr.append(len(ends))

    end_arr = np.array(ends, dtype=np.int32)
    den = (rules.softening + np.array(dists, dtype=np.float64)) ** rules.distance_power
    home = np.ones(len(ends))
    if rules.stay_close_to_home:
        for p, (o, e_) in enumerate(zip(origins, ends, strict=True)):
            d = haversine_km(case.loc_lat[o], case.loc_lon[o], case.loc_lat[e_], case.loc_lon[e_])
            home[p] = 1.0 / max(1.0, d) ** rules.home_distance_power
    return Network(
        n_loc=case.n_loc, link_src=src, link_dst=dst, link_km=km, link_speed=speed, link_walkp=walkp,
        out_ptr=out_ptr, out_link=out_link,
        path_ptr=np.array(path_ptr, dtype=np.int64), hop_ptr=np.array(hop_ptr, dtype=np.int64),
        hop_link=np.array(hop_link, dtype=np.int32), hop_node=np.array(hop_node, dtype=np.int32),
        path_end=end_arr, path_den=den, path_home=home, uniform_choice=(aw == 0),
    )

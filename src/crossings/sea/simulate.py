"""Run the sea process on built arrays and package a SeaOutcome."""

from __future__ import annotations

from typing import Literal

import numpy as np

from crossings.sea.bundles import SeaDraws, draws, means, route_arrays
from crossings.sea.deaths import with_year_driver
from crossings.sea.kernel import (
    ARR,
    BOATS,
    DEATHS,
    DEP,
    INT,
    N_OUT,
    PREV,
    SAFE_OUT,
    WAIT,
    draw_inflow,
    draw_weather,
    sea_kernel,
)
from crossings.sea.meanfield import mean_field
from crossings.sea.model import SeaArrays
from crossings.sea.outcome import SeaOutcome
from crossings.sea.quality import launch_by_day

Engine = Literal["numba", "numpy", "meanfield"]


def draw_seed(a: SeaArrays, seed: int, engine: Engine = "numba") -> SeaDraws:
    """One seed's draws for the agent engines: people reaching each region, crossing windows (numba, or the numpy
    reference's), the launch share with the window quality drawn (the same array for both engines)."""
    if engine == "numpy":
        from crossings.sea.reference import weather_reference

        good = weather_reference(int(seed), a.p_good, a.rho)
    else:
        good = draw_weather(int(seed), a.p_good, a.rho)
    return draws(draw_inflow(int(seed), a.inflow), good, launch_by_day(int(seed), a.launch, a.quality_k))


def run_arrays(a: SeaArrays, seed: int, engine: Engine = "numba") -> np.ndarray:
    """out[measure, coast, day] (rows as in crossings.sea.kernel)."""
    if engine == "meanfield":
        return mean_field(means(a), route_arrays(a))
    a = with_year_driver(a, int(seed))  # the incident chance's latent year driver, drawn per seed (sea.deaths)
    out = np.zeros((N_OUT, len(a.routes), a.n_days))
    if engine == "numpy":
        from crossings.sea.reference import sea_reference

        sea_reference(int(seed), draw_seed(a, seed, engine), route_arrays(a), out)
    else:
        sea_kernel(int(seed), draw_seed(a, seed, engine), route_arrays(a), out)
    return out


def to_outcome(a: SeaArrays, out: np.ndarray) -> SeaOutcome:
    def per_route(row: int) -> dict[str, np.ndarray]:
        return {r: out[row, i].astype(np.float64).copy() for i, r in enumerate(a.routes)}

    arr = per_route(ARR)
    return SeaOutcome(
        start=a.start, n_days=a.n_days, routes=list(a.routes), destination_of_route=dict(a.destination_of_route),
        arrivals=arr, departures=per_route(DEP), boats=per_route(BOATS), interceptions=per_route(INT),
        deaths=per_route(DEATHS), prevented=per_route(PREV), waiting=per_route(WAIT), safe_route=per_route(SAFE_OUT),
        rescued_by_destination={r: arr[r] * a.rescued_share[i] for i, r in enumerate(a.routes)},
    )


def simulate(a: SeaArrays, seed: int, engine: Engine = "numba") -> SeaOutcome:
    return to_outcome(a, run_arrays(a, seed, engine))

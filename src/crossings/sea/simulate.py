"""Run the sea process on built arrays and package a SeaOutcome."""

from __future__ import annotations

from typing import Literal

import numpy as np

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
from crossings.sea.quality import expected_launch, launch_by_day

Engine = Literal["numba", "numpy", "meanfield"]


def run_arrays(a: SeaArrays, seed: int, engine: Engine = "numba") -> np.ndarray:
    """out[measure, coast, day] (rows as in crossings.sea.kernel)."""
    if engine == "meanfield":
        return mean_field(a.inflow, a.region_of_coast, a.choice, a.keep, a.safe_share, a.safe_cap, a.p_good,
                          expected_launch(a.launch, a.quality_k), a.launch_cap, a.prevent, a.intercept, a.capacity,
                          a.incident, a.lethality, a.ppb, a.boat_size, a.boat_cv, a.ret, a.det)
    a = with_year_driver(a, int(seed))  # the incident chance's latent year driver, drawn per seed (sea.deaths)
    counts = draw_inflow(int(seed), a.inflow)
    out = np.zeros((N_OUT, len(a.routes), a.n_days))
    if engine == "numpy":
        from crossings.sea.reference import sea_reference, weather_reference

        good, agents = weather_reference(int(seed), a.p_good, a.rho), sea_reference
    else:
        good, agents = draw_weather(int(seed), a.p_good, a.rho), sea_kernel
    launch = launch_by_day(int(seed), a.launch, a.quality_k)  # the same array for both engines
    agents(int(seed), counts, a.region_of_coast, a.choice, a.keep, a.safe_share, a.safe_cap, good, launch,
           a.launch_cap, a.prevent, a.intercept, a.capacity, a.incident, a.lethality, a.boat_size, a.ppb, a.boat_cv,
           a.ret, a.det, out, a.loss_cdf)
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

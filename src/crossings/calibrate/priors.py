"""Priors of the Bayesian calibration (calibrate/bayes.py), one per free parameter of a scenario's `fit:` blocks.

Every prior's support is the fit spec's bounds (calibrate/fitspec.py). Inside them:
- a lever parameter with a range in ../shared/design/EVIDENCE.md gets a normal prior, truncated to the bounds,
  centred on the evidence's central value with the evidence's range as +-2 sd (LEVER_PRIORS: the line cited);
- every other parameter is weakly informative: uniform on its bounds (log-inflow knots and `log_value`
  parameters are uniform on the log scale), plus, for each yearly-knot curve, a normal prior on the second
  differences of its knots (sd ROUGH_SD: the year-on-year growth rate of the inflow may change by a factor
  e^2 = 7.4 within one sd; it only stops knots the data do not inform from wandering);
- the negative-binomial size of each observed measure (one more parameter per measure, log scale):
  log r ~ Normal(log 10, 1.5) truncated to [log 0.1, log 1e4]: from near-Poisson (r = 1e4) to a coefficient of
  variation above 1 (r < 1), centred on a monthly count's cv of about 0.3.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from crossings.calibrate.fitspec import Free

ROUGH_SD = 2.0
NB_LOG_SIZE = (math.log(10.0), 1.5)  # mean and sd of log r
NB_LOG_SIZE_BOUNDS = (math.log(0.1), math.log(1.0e4))

# name pattern -> (mean, sd, citation); patterns match Free.name (fnmatch)
LEVER_PRIORS: dict[str, tuple[float, float, str]] = {
    # EVIDENCE.md, "Partner-country interception and deals", line 31: share of departures intercepted on the
    # Libya route 0.15 (2017), 0.43 (2018), 0.39 (2019) (Risk & Rumours inputs), "about 0.4 (2018-2019)". The
    # lever's level before its yearly schedule covers Feb 2017 - Dec 2019: centred on the mean of the three years
    # (0.32), +-2 sd = 0.12..0.52 spans them; the later yearly levels (2020-2024) have no range there: uniform.
    "levers.libya_coastguard.interception": (0.32, 0.1, "EVIDENCE.md line 31 (Libya route intercepted share 0.15 "
                                                        "in 2017, 0.43 in 2018, 0.39 in 2019; Bijak et al. 2021, "
                                                        "ISPI, IOM Libya)"),
}


@dataclass(frozen=True)
class Prior:
    name: str
    kind: str  # "uniform" | "normal"
    lo: float
    hi: float
    mean: float = math.nan
    sd: float = math.nan
    source: str = "weakly informative: uniform on the fit spec's bounds"

    def logpdf(self, x: float) -> float:
        if not self.lo <= x <= self.hi:
            return -math.inf
        if self.kind == "normal":
            return -0.5 * ((x - self.mean) / self.sd) ** 2
        return 0.0

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "lo": self.lo, "hi": self.hi}
        if self.kind == "normal":
            d.update(mean=self.mean, sd=self.sd)
        d["source"] = self.source
        return d


def priors_for(frees: list[Free]) -> list[Prior]:
    out = []
    for f in frees:
        hit = next((v for pat, v in LEVER_PRIORS.items() if fnmatch.fnmatchcase(f.name, pat)), None)
        if hit is not None:
            out.append(Prior(f.name, "normal", f.lo, f.hi, hit[0], hit[1], hit[2]))
        elif f.log or f.name.startswith("log_inflow["):
            out.append(Prior(f.name, "uniform", f.lo, f.hi, source="weakly informative: uniform on the log scale "
                                                                   "within the fit spec's bounds"))
        else:
            out.append(Prior(f.name, "uniform", f.lo, f.hi))
    return out


def nb_prior(measure: str) -> Prior:
    return Prior(f"log_nb_size[{measure}]", "normal", *NB_LOG_SIZE_BOUNDS, *NB_LOG_SIZE,
                 source="weakly informative: log r ~ Normal(log 10, 1.5) (monthly cv about 0.3), truncated")


def log_prior(priors: list[Prior], groups: list[list[int]], theta: np.ndarray) -> float:
    lp = 0.0
    for p, v in zip(priors, theta, strict=True):
        lp += p.logpdf(float(v))
        if lp == -math.inf:
            return lp
    for g in groups:  # smoothness of each yearly-knot curve
        if len(g) >= 3:
            d2 = np.diff(theta[g], n=2)
            lp += -0.5 * float(np.sum((d2 / ROUGH_SD) ** 2))
    return lp

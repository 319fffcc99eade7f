"""`mix_identity`: an equal mixture of two after-data rules that a scenario can name (issue 10, session 10).

Session 9 scored an equal POOL of recalibrated_identity's and backlog_rw_identity's back-test members
(coverage_90 0.79, CRPS 13,570 vs the default's 14,401); a pool exists only inside the back-test. This rule
makes it a rule. Specified here and committed before its back-test was run; chosen with the pool's scores
known, and the test origins had been looked at by every earlier rule, so its scores are not a clean
out-of-sample test:

- each run (driver path p: the scenario's `path`, else the run's seed, as every stochastic rule) carries
  every input by ONE of MEMBERS, picked with equal chance and stratified in pairs: paths 2j-1 and 2j carry
  different members, which one which set by u, the first uniform of the counter-based stream
  rng.STREAM_IDS["asylum.after_mix"] seeded with j = (p + 1) // 2: member index (floor(2u) + p) mod 2.
  Each path has either member with chance 1/2, and an ensemble of consecutive paths from an odd one (the
  back-test's 1..20, a forecast's seed+1..) is split evenly, so it is the stated equal mixture rather than
  an uneven one by chance (an unstratified pick, floor(2u) with p as the seed, gave 15 of the paths 1-20 to
  recalibrated_identity: the picks were looked at, no score);
- the picked rule runs unchanged with the same path (its own streams, common random numbers), so a run of
  mix_identity with path p is the picked rule's run with path p, exactly;
- weights 1/2, not fitted: two rules with the identity terms, one carrying the decisions as a process of
  their own (local level, recalibrated), one as a share of the queue (random-walk logit share); neither is
  known to be right, and the data do not tell which;
- the summary names the rule, the member picked and the path.
"""

from __future__ import annotations

import numpy as np

from crossings.core import rng

RULE = "mix_identity"
MEMBERS = ("recalibrated_identity", "backlog_rw_identity")  # equal weights
STREAM = rng.STREAM_IDS["asylum.after_mix"]


def pick(path: int) -> str:
    """The member rule of driver path `path` (equal chance each; paths 2j-1 and 2j differ)."""
    u = float(rng.uniform_np(rng.tick_key_np((path + 1) // 2, STREAM, 0), np.arange(1))[0])
    return MEMBERS[(min(int(u * 2), 1) + path) % 2]


def resolve(rule: str, path: int) -> str:
    """The rule that carries the inputs: the picked member for a mixture, any other rule itself."""
    return pick(path) if rule == RULE else rule

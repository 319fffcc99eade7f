"""Print a posterior file's summary as a markdown table (the tables of docs/bayes.md come from here, not typed).

    uv run --frozen python scripts/posterior_table.py scenarios/channel.posterior.yaml [more files]
"""

from __future__ import annotations

import sys
from pathlib import Path

from crossings.calibrate.bayes import read


def table(path: Path) -> str:
    d = read(path).data
    s, g = d["sampler"], d["diagnostics"]
    lines = [
        f"`{path.name}`: belongs to {d['fitted_file']} (created {d['fitted_created_utc']}); emcee, {s['walkers']} walkers "
        f"x {s['steps']} steps, burn {s['burn']}, thin {s['thin']}, seed {s['seed']}, start: {s['start']}; "
        f"{s['evaluations']:,} evaluations in {s['seconds']:.0f} s, acceptance {s['acceptance']:.3f}. "
        f"R-hat max {g['rhat_max']:.4f}, ESS bulk min {g['ess_bulk_min']:,.0f}, tail min {g['ess_tail_min']:,.0f}: "
        f"converged (R-hat < 1.01 and ESS > 400 for every parameter): **{'yes' if g['converged'] else 'no'}**.",
        "",
        "| parameter | posterior mean | sd | 90% interval | R-hat | ESS bulk | ESS tail | emcee tau (steps) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in d["parameters"]:
        lines.append(f"| {p['name']} | {p['mean']:.4g} | {p['sd']:.3g} | {p['p05']:.4g} to {p['p95']:.4g} | "
                     f"{p['r_hat']:.4f} | {p['ess_bulk']:.0f} | {p['ess_tail']:.0f} | {p['autocorr_steps']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    for f in sys.argv[1:]:
        print(table(Path(f)))
        print()

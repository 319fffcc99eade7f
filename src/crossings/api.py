"""The Python API, with the CLI's power: `run`, `ensemble`, `compare`, `forecast`.

Every result has `.daily` (where the command makes one) and `.monthly` tables with a `unit` column, months as
pandas Periods (`period[M]`), `.plot(measure, place=None)` returning a matplotlib Figure, and
`.to_excel(path)` writing every table to one workbook (openpyxl).

    import crossings
    res = crossings.run("scenarios/central_med.yaml", seed=1)
    res.monthly.query("measure == 'arrivals' and place == 'italy'")
    cmp = crossings.compare("scenarios/central_med.yaml", seeds=5)   # A vs its levers off, each lever off
    print(cmp.headlines[0])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and matplotlib load on first use: `import crossings` (and the CLI) stays quick
    import pandas as pd
    from matplotlib.figure import Figure

    from crossings.flee.api import FleeResult
    from crossings.runs.compare import Comparison

__all__ = ["ComparisonResult", "EnsembleResult", "ForecastResult", "RunResult", "compare", "ensemble", "forecast",
           "run", "run_flee"]


def _periods(df: pd.DataFrame) -> pd.DataFrame:
    """The month column ("YYYY-MM") as pandas monthly Periods."""
    import pandas as pd

    if "month" in df.columns and len(df):
        df = df.copy()
        df["month"] = pd.PeriodIndex(df["month"].astype(str), freq="M")
    return df


def _place(df: pd.DataFrame) -> str:
    return "place" if "place" in df.columns else "route"


def _excel(path: str | Path, tables: Mapping[str, pd.DataFrame], about: Mapping[str, Any]) -> Path:
    import pandas as pd

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        pd.DataFrame({"item": list(about), "value": [str(v) for v in about.values()]}).to_excel(
            xl, sheet_name="about", index=False)
        for name, df in tables.items():
            shown = df.copy()
            for col in shown.columns:  # Periods and dates as text: every spreadsheet reads them
                if isinstance(shown[col].dtype, pd.PeriodDtype):
                    shown[col] = shown[col].astype(str)
            shown.to_excel(xl, sheet_name=name[:31], index=False)
    return out


def _band_figure(df: pd.DataFrame, measure: str, place: str | None, label_col: str | None,
                 value: str, title: str) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from crossings.report.bands import plain_number

    f = df[df["measure"] == measure]
    if f.empty:
        raise ValueError(f"no rows for measure {measure!r} (measures here: {', '.join(sorted(set(df['measure'])))})")
    pc = _place(f)
    places = [place] if place is not None else list(dict.fromkeys(f[pc]))
    fig, axes = plt.subplots(len(places), 1, figsize=(10, 2.8 * len(places)), squeeze=False)
    for ax, p in zip(axes[:, 0], places, strict=True):
        g = f[f[pc] == p]
        if g.empty:
            raise ValueError(f"no rows for place {p!r}")
        groups = [(None, g)] if label_col is None else list(g.groupby(label_col, sort=False))
        for lab, h in groups:
            h = h.sort_values("month")
            x = h["month"].dt.to_timestamp() if isinstance(h["month"].dtype, pd.PeriodDtype) else pd.to_datetime(
                h["month"])
            line, = ax.plot(x, h[value], lw=1.3, label=str(lab) if lab is not None else value)
            if "p05" in h and "p95" in h:
                ax.fill_between(x, h["p05"], h["p95"], alpha=0.25, color=line.get_color(), lw=0)
        if "observed" in g and g["observed"].notna().any():
            o = groups[0][1].sort_values("month")
            o = o[o["observed"].notna()]
            xo = o["month"].dt.to_timestamp() if isinstance(o["month"].dtype, pd.PeriodDtype) else pd.to_datetime(
                o["month"])
            ax.plot(xo, o["observed"], "o", ms=3, color="black", label="observed")
        unit = str(g["unit"].iloc[0]) if "unit" in g else ""
        ax.set_title(f"{title}: {p}, {measure}")
        ax.set_ylabel(unit)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(plain_number))
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


@dataclass
class RunResult:
    """One run of a scenario: daily and monthly tables (date | month, place, place_kind, is_total, measure,
    unit, simulated, observed), the per-year summary and the run's manifest."""

    daily: pd.DataFrame
    monthly: pd.DataFrame
    summary: dict[str, Any]
    manifest: dict[str, Any]
    scenario: Any = field(repr=False, default=None)  # the validated scenario (crossings.scenario.schema.Scenario)

    def plot(self, measure: str, place: str | None = None) -> Figure:
        """Simulated (line) and observed (dots) per month; one panel per place unless `place` is given."""
        return _band_figure(self.monthly, measure, place, None, "simulated", self.manifest.get("scenario", ""))

    def to_excel(self, path: str | Path) -> Path:
        return _excel(path, {"monthly": self.monthly, "daily": self.daily},
                      {k: v for k, v in self.manifest.items() if not isinstance(v, dict | list)})


@dataclass
class EnsembleResult:
    """A scenario over many seeds: per month (and year) the mean, sd and 5/50/95% over members, with unit;
    `effect`: levers on minus all levers off, seed by seed, when asked."""

    monthly: pd.DataFrame
    annual: pd.DataFrame
    effect: pd.DataFrame | None
    seeds: list[int]

    def plot(self, measure: str, place: str | None = None) -> Figure:
        """Mean with its 5-95% band over seeds, observed as dots."""
        return _band_figure(self.monthly, measure, place, None, "mean", f"{len(self.seeds)} seeds")

    def to_excel(self, path: str | Path) -> Path:
        tables = {"monthly": self.monthly, "annual": self.annual}
        if self.effect is not None:
            tables["lever_effect_monthly"] = self.effect
        return _excel(path, tables, {"seeds": f"{self.seeds[0]}-{self.seeds[-1]} ({len(self.seeds)})"})


@dataclass
class ComparisonResult:
    """A against B (or its levers-off baseline and each lever off) on common random numbers.

    monthly / annual: each variant's mean and 5/50/95% over seeds; effects_monthly / effects_annual: the
    seed-by-seed differences per contrast; headlines: one sentence per contrast and year with its 90% interval.
    """

    comparison: Comparison = field(repr=False)
    monthly: pd.DataFrame
    annual: pd.DataFrame
    effects_monthly: pd.DataFrame
    effects_annual: pd.DataFrame
    headlines: list[str]

    @property
    def daily(self) -> None:
        """Comparisons are summarised per month; run `crossings.run` for a daily table."""
        return None

    def plot(self, measure: str, place: str | None = None) -> Figure:
        """Each variant's mean with its 5-95% band over seeds, observed as dots."""
        return _band_figure(self.monthly, measure, place, "variant", "mean", "compare")

    def to_excel(self, path: str | Path) -> Path:
        import pandas as pd

        return _excel(path, {"monthly": self.monthly, "annual": self.annual, "differences_monthly":
                             self.effects_monthly, "differences_annual": self.effects_annual,
                             "headlines": pd.DataFrame({"headline": self.headlines})},
                      {"seeds": str(self.comparison.seeds), "data end": self.comparison.data_end})

    def to_html(self) -> str:
        """The self-contained comparison report (the same page `crossings compare` writes)."""
        from crossings.report.compare_html import build_compare_html

        return build_compare_html(self.comparison)


@dataclass
class ForecastResult:
    """Forecast past an origin: per month, place and measure the mean and quantiles over draws, with unit."""

    monthly: pd.DataFrame
    origin: str
    draws: int
    lever_effects: pd.DataFrame | None = None

    @property
    def daily(self) -> None:
        """Forecasts are monthly."""
        return None

    def plot(self, measure: str = "arrivals", place: str | None = None) -> Figure:
        """Mean with the 5-95% band over draws, observed as dots."""
        return _band_figure(self.monthly, measure, place, None, "mean" if "mean" in self.monthly else "p50",
                            f"forecast from {self.origin}")

    def to_excel(self, path: str | Path) -> Path:
        tables = {"forecast_monthly": self.monthly}
        if self.lever_effects is not None:
            tables["lever_effects"] = self.lever_effects
        return _excel(path, tables, {"origin": self.origin, "draws": self.draws})


def run(scenario: str | Path, *, seed: int = 1, start: str | None = None, end: str | None = None,
        overrides: Mapping[str, Any] | None = None, baseline: bool = False) -> RunResult:
    """Run a Crossings scenario (.yaml) once.

    seed: the run's seed (same seed, same results); start / end: "YYYY-MM-DD" to change the window;
    overrides: {"levers.tunisia_mou.enabled": False, ...} as `--set` takes them; baseline: every lever off.
    For a case in Flee's format (a directory) use `crossings.run_flee`.
    """
    from crossings.core.errors import InputError
    from crossings.runs.runner import run_scenario

    if Path(scenario).is_dir():
        raise InputError(str(scenario), "", "a directory: a Flee-format case runs with crossings.run_flee")
    r = run_scenario(scenario, seed=seed, start=start, end=end, overrides=overrides, baseline=baseline)
    return RunResult(daily=r.daily, monthly=_periods(r.monthly), summary=r.summary, manifest=r.manifest,
                     scenario=r.scenario)


def run_flee(case_dir: str | Path, *, seed: int = 1, rules: str | Path | None = None) -> FleeResult:
    """Run one seed of a case in Flee's format (camps compared with their UNHCR series: `.ard`)."""
    from crossings.flee.api import run_case

    return run_case(case_dir, rules=rules, seed=seed)


def ensemble(scenario: str | Path, *, seeds: int | Sequence[int] = 20, overrides: Mapping[str, Any] | None = None,
             compare_baseline: bool = False, jobs: int = 1, parameter_uncertainty: bool | str | Path = False
             ) -> EnsembleResult:
    """Run a scenario over seeds (an int n = seeds 1..n) and summarise per month, place and measure.

    compare_baseline: also each seed with every lever off (`.effect`); parameter_uncertainty: draw each
    member's fitted parameters from the fit's covariance (True: the scenario's uncertainty file)."""
    from crossings.runs.ensemble import run_ensemble

    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
    e = run_ensemble(scenario, seed_list, overrides, compare_baseline, jobs, parameter_uncertainty)
    return EnsembleResult(monthly=_periods(e.monthly), annual=e.annual,
                          effect=_periods(e.effect) if e.effect is not None else None, seeds=e.seeds)


def compare(a: str | Path, b: str | Path | None = None, *, seeds: int | Sequence[int] = 20,
            overrides: Mapping[str, Any] | None = None, overrides_b: Mapping[str, Any] | None = None,
            jobs: int = 1, per_lever: bool = True) -> ComparisonResult:
    """Compare scenario `a` with `b`, or (b None, no overrides_b) with its levers-off baseline and each lever
    off in turn, every seed on common random numbers.

    overrides: applied to both; overrides_b: to B only (B = A with them when `b` is None); seeds: an int n
    = seeds 1..n. `.headlines` says each effect in words with its 90% interval; `.to_html()` is the report."""
    from crossings.runs.compare import Variant
    from crossings.runs.compare import compare as run_compare

    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
    shared = dict(overrides or {})
    va = Variant(Path(a).stem, str(a), shared)
    vb = None
    if b is not None or overrides_b:
        b_path = str(b if b is not None else a)
        label = Path(b_path).stem
        if label == va.label:
            label = f"{label} with " + ", ".join(f"{k}={v}" for k, v in (overrides_b or {}).items()) \
                if overrides_b else f"{label} (B)"
        vb = Variant(label, b_path, {**shared, **dict(overrides_b or {})})
    c = run_compare(va, vb, seed_list, jobs=jobs, per_lever=per_lever)
    return ComparisonResult(comparison=c, monthly=_periods(c.monthly), annual=c.annual,
                            effects_monthly=_periods(c.effects_monthly), effects_annual=c.effects_annual,
                            headlines=list(c.headlines))


def forecast(scenario: str | Path, *, origin: str | None = None, horizon: int = 12, draws: int = 1000,
             seed: int = 1, compare_baseline: bool = False) -> ForecastResult:
    """Probabilistic forecast of a sea scenario from `origin` ("YYYY-MM-01"; default: the day after the
    scenario's end) for `horizon` months: parameters re-estimated on data before the origin, `draws` paths of
    the latent inflow driver (crossings.forecasting; docs/forecasting.md)."""
    from crossings.forecasting.commands import _origin, _scenario, effects_table, forecast_table
    from crossings.forecasting.engine import draws as forecast_draws
    from crossings.forecasting.engine import setup
    from crossings.forecasting.origin import fit_at_origin

    path = Path(scenario)
    sc = _scenario(path)
    day0 = _origin(origin, sc.end)
    fit = fit_at_origin(path, day0)
    s = setup(path, day0, horizon, fit.values or None)
    on = forecast_draws(s, draws, seed)
    effects = None
    if compare_baseline:
        base = setup(path, day0, horizon, fit.values or None, baseline=True, driver=s.driver)
        effects = effects_table(s, on, forecast_draws(base, draws, seed))
    return ForecastResult(monthly=_periods(forecast_table(s, on)), origin=day0.isoformat(), draws=draws,
                          lever_effects=effects)

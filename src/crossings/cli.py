"""Command line: run scenarios, compare them, report, and find what can be steered (`crossings COMMAND --help`).

This file only parses arguments and dispatches; each command's work lives with its subsystem:
Flee-format cases in crossings.flee.commands, Crossings YAML scenarios in crossings.runs.commands,
comparisons, reports and the demo in crossings.report (compare_cmd, dir_report, demo), the catalog of
scenarios, levers and keys in crossings.runs.catalog. Bad input raises InputError, printed as one line, exit
status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from crossings.core.errors import InputError
from crossings.core.version import __version__


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Examples kept as written; each option's default shown after its help (unless the help names it, or
    there is none to show: a flag, an empty list, no value)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS) or not action.option_strings:
            return text
        return super()._get_help_string(action)


EXAMPLES: dict[str, list[str]] = {
    "run": ["crossings run scenarios/central_med.yaml --out out/cm --seed 2",
            "crossings run scenarios/central_med.yaml --out out/nodeal --set levers.tunisia_mou.enabled=false",
            "crossings run scenarios/uk_asylum.yaml --end 2025-12-31 --out out/uk_2025",
            "crossings run src/crossings/data/flee_cases/mali2012 --out out/mali"],
    "validate": ["crossings validate src/crossings/data/flee_cases/mali2012 --seeds 10 --json"],
    "ensemble": ["crossings ensemble scenarios/central_med.yaml --seeds 20 --jobs 2 --compare-baseline --out out/ens",
                 "crossings ensemble scenarios/channel.yaml --parameter-uncertainty --out out/ch_ens"],
    "demo": ["crossings demo", "crossings demo --out out/demo --seeds 20 --jobs 2"],
    "couple": ["crossings couple scenarios/europe.yaml scenarios/uk_asylum.yaml --out out/route_uk",
               "crossings couple scenarios/europe.yaml scenarios/uk_asylum.yaml --out out/route_uk_nodeal "
               "--set levers.eu_tunisia_mou.enabled=false",
               "crossings couple scenarios/europe.yaml scenarios/italy_albania.yaml --route central_mediterranean "
               "--destination italy --out out/route_italy"],
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crossings", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"crossings {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a scenario (Crossings YAML file or Flee case directory)")
    r.add_argument("scenario", help="a Crossings scenario .yaml, or a directory in Flee's format")
    r.add_argument("--out", required=True, help="output directory (written atomically)")
    r.add_argument("--seed", type=int, default=1, help="random seed; same seed, same results")
    r.add_argument("--start", help="first simulated date, YYYY-MM-DD (YAML scenarios)")
    r.add_argument("--end", help="last simulated date, YYYY-MM-DD (YAML scenarios)")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario parameter by key path (repeatable)")
    r.add_argument("--rules", help="Flee simsetting.yml (Flee cases; default: the case's own, else the bundled one)")
    r.add_argument("--no-parquet", action="store_true", help="write CSV only")
    r.add_argument("--profile", action="store_true",
                   help="print the phase plan with seconds per phase to stderr (YAML scenarios)")
    r.add_argument("--check", action="store_true",
                   help="also check conservation of people in the sea process (off by default: it costs time)")
    r.add_argument("--quiet", action="store_true", help="print nothing (the files are still written)")

    v = sub.add_parser("validate", help="run a Flee case over N seeds and report Flee's ARD")
    v.add_argument("case_dir", help="a case directory in Flee's format (locations.csv, routes.csv, ...)")
    v.add_argument("--rules", help="simsetting.yml (default: the case's own simsetting.yml, else the bundled classic rule set)")
    v.add_argument("--seeds", type=int, default=10, help="number of seeds")
    v.add_argument("--first-seed", type=int, default=1, help="first seed")
    v.add_argument("--engine", choices=["numba", "numpy"], default="numba",
                   help="compiled engine, or the numpy reference it is tested equal to")
    v.add_argument("--jobs", type=int, default=1, help="processes: seeds run in parallel (results do not depend on it)")
    v.add_argument("--threads", type=int, default=1,
                   help="kernel threads per seed (results do not depend on it; docs/flee_engine.md)")
    v.add_argument("--json", action="store_true", help="print one JSON object")

    e = sub.add_parser("ensemble", help="run a YAML scenario over many seeds: mean and 5/50/95%% per month")
    e.add_argument("scenario", help="a Crossings scenario .yaml")
    e.add_argument("--out", required=True, help="output directory: ensemble tables and manifest.json")
    e.add_argument("--seeds", type=int, default=20, help="number of seeds (members)")
    e.add_argument("--first-seed", type=int, default=1, help="first seed")
    e.add_argument("--compare-baseline", action="store_true",
                   help="also run each seed with every lever off and summarise the difference")
    e.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario parameter by key path (repeatable); see crossings explain KEY")
    e.add_argument("--no-parquet", action="store_true", help="write CSV only")
    e.add_argument("--parameter-uncertainty", nargs="?", const=True, default=False, metavar="FILE",
                   help="draw each member's fitted parameters from the fit's covariance (default FILE: the "
                        "fitted file's .uncertainty.yaml, see crossings.calibrate.uncertainty)")
    _executor_args(e)
    e.add_argument("--profile", action="store_true", help="print seconds per phase (prepare, members, summaries)")
    e.add_argument("--fresh", action="store_true",
                   help="ignore finished members kept from an interrupted run with the same arguments")

    se = sub.add_parser("sensitivity", help="Sobol or Morris indices of outputs to parameter ranges (SALib)",
                        description="Each sample is one run of SCENARIO with the same seed; writes "
                                    "sensitivity.csv, sensitivity.json, tornado.png and manifest.json.",
                        epilog="example:\n  crossings sensitivity scenarios/central_med.yaml --method sobol --n 64 "
                               "\\\n    --params levers.tunisia_mou.prevention=0.4:0.9 --params "
                               "levers.tunisia_mou.interception=0.3:0.7 \\\n    --outputs arrivals:italy@2024 "
                               "deaths:italy@2024 --jobs 2 --out out/sens",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    se.add_argument("scenario", help="a Crossings scenario .yaml")
    se.add_argument("--params", action="append", default=[], nargs="+", metavar="KEY=LOW:HIGH",
                    help="a parameter's key path and range (repeatable)")
    se.add_argument("--outputs", action="append", default=[], nargs="+", metavar="MEASURE:PLACE@PERIOD",
                    help="e.g. arrivals:italy@2024, awaiting_decision:uk@2024, cost:uk@2023-07..2024-06")
    se.add_argument("--method", choices=["sobol", "morris"], default="sobol",
                    help="Sobol indices (variance shares) or Morris elementary effects (cheaper screening)")
    se.add_argument("--n", type=int, default=64,
                    help="base sample size: sobol runs N x (params + 2), morris N x (params + 1)")
    se.add_argument("--seed", type=int, default=1, help="the runs' seed (all runs share it) and the sampler's")
    se.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a scenario parameter in every run (repeatable)")
    se.add_argument("--out", required=True, help="output directory")
    _executor_args(se)

    c = sub.add_parser(
        "compare", help="compare scenario A with B, or with A's levers off: headline with 90%% intervals, report.html",
        description="Run A and B for every seed on common random numbers and write tables and a self-contained "
                    "report.html. Without B (or with --baseline) B is A with every lever off, and each lever is "
                    "also switched off on its own.",
        epilog="examples:\n  crossings compare scenarios/central_med.yaml --baseline --seeds 20 --out out/cm_vs_base\n"
               "  crossings compare scenarios/uk_asylum.yaml scenarios/uk_rwanda.yaml --out out/rwanda_vs_uk\n"
               "  crossings compare scenarios/central_med.yaml --set-b levers.tunisia_mou.enabled=false --out out/deal",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("a", metavar="A", help="scenario .yaml (the reference)")
    c.add_argument("b", metavar="B", nargs="?", help="scenario .yaml to compare with A (default: A with levers off)")
    c.add_argument("--baseline", action="store_true", help="B = A with every lever off (the default without B)")
    c.add_argument("--out", required=True, help="output directory: tables, manifest.json, report.html")
    c.add_argument("--seeds", type=int, default=20, help="number of seeds (default: %(default)s)")
    c.add_argument("--first-seed", type=int, default=1, help="first seed (default: %(default)s)")
    c.add_argument("--jobs", type=int, default=1, help="processes; results do not depend on it (default: %(default)s)")
    c.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter in both A and B (repeatable), e.g. choice.risk_weight=2.5")
    c.add_argument("--set-b", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter in B only (repeatable), e.g. levers.tunisia_mou.enabled=false")
    c.add_argument("--no-per-lever", action="store_true",
                   help="with the baseline, skip switching each lever off on its own (fewer runs)")
    c.add_argument("--no-parquet", action="store_true", help="write CSV only")

    rp = sub.add_parser("report", help="an HTML report for any result folder (run, ensemble, compare, forecast)",
                        epilog="examples:\n  crossings run scenarios/central_med.yaml --out out/cm && crossings report out/cm\n"
                               "  crossings report out/cm_ens --out out/cm_ens.html",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    rp.add_argument("dir", help="a folder written by crossings run, ensemble, compare or forecast")
    rp.add_argument("--out", help="the HTML file to write (default: DIR_report.html beside DIR)")
    sub.add_parser("scenarios", help="list the shipped scenarios: period, levers, asylum part, description",
                   description="List the shipped scenarios (scenarios/*.yaml, fitted-value files left out).",
                   epilog="example:\n  crossings scenarios", formatter_class=argparse.RawDescriptionHelpFormatter)
    lv = sub.add_parser("levers", help="list a scenario's levers with their dates, settings and on/off switch",
                        epilog="examples:\n  crossings levers scenarios/central_med.yaml\n  crossings levers uk_rwanda",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    lv.add_argument("scenario", help="a scenario .yaml, or a shipped scenario's name (see: crossings scenarios)")
    ex = sub.add_parser("explain", help="what a --set KEY means: unit, bounds, default, value, source, doc page",
                        epilog="examples:\n  crossings explain levers.tunisia_mou.prevention\n"
                               "  crossings explain sea_links.libya_italy.launch_share --scenario central_med\n"
                               "  crossings explain asylum.destinations.uk.levers.third_country.capacity_per_year",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ex.add_argument("key", help="a key path as --set takes it (list items by number or name)")
    ex.add_argument("--scenario", help="look the key up in this scenario (default: the first shipped scenario "
                                       "that has it)")

    d = sub.add_parser("demo", help="what the levers did in the shipped scenarios (central Med; UK with asylum), "
                                    "with intervals: report.html")
    d.add_argument("--out", default="out/demo", help="output directory for results and report.html")
    d.add_argument("--seed", type=int, default=1, help="first seed of the comparison")
    d.add_argument("--seeds", type=int, default=5, help="number of seeds (20 for steadier bands)")
    d.add_argument("--jobs", type=int, default=1, help="processes; results do not depend on it")
    d.add_argument("--no-progress", action="store_true", help="no progress bar")

    cp = sub.add_parser("couple", help="an asylum system fed by the route system (europe.yaml): the onward leg to "
                                       "the Channel -> the UK, or a route's persons -> a destination (Italy)",
                        description="runs/route_asylum.py; docs/europe_onward.md")
    cp.add_argument("europe", help="the route-system scenario (scenarios/europe.yaml)")
    cp.add_argument("asylum", help="the asylum scenario it feeds (uk_asylum.yaml, italy_albania.yaml)")
    cp.add_argument("--out", required=True, help="output directory (monthly.csv, manifest.json)")
    cp.add_argument("--seed", type=int, default=1, help="random seed")
    cp.add_argument("--engine", choices=("agents", "meanfield"), default="agents",
                    help="the route system as agents (one per person) or its mean-field")
    cp.add_argument("--route", help="feed --destination with this route's persons instead of the onward leg")
    cp.add_argument("--destination", default="italy", help="with --route: the asylum destination fed")
    cp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a route-system key path, e.g. levers.eu_tunisia_mou.enabled=false (repeatable)")

    sv = sub.add_parser("serve", help="the browser app on http://127.0.0.1:PORT/ (this machine only)",
                        description="Pick a scenario, switch levers, run an ensemble against its baseline, "
                                    "read fan charts, download CSV, Excel and an HTML report. "
                                    "Example: crossings serve --port 8050")
    sv.add_argument("--port", type=int, default=8050, help="port on 127.0.0.1 (default: 8050)")
    sv.add_argument("--host", default="127.0.0.1",
                    help="only 127.0.0.1 (or localhost) is accepted: the app runs models on request")
    from crossings.forecasting.args import add_parsers as add_forecast_parsers

    add_forecast_parsers(sub)  # forecast, backtest
    for name, sp in sub.choices.items():  # defaults in every option's help; examples under every command
        sp.formatter_class = _HelpFormatter
        if sp.epilog is None and name in EXAMPLES:
            sp.epilog = "examples:\n" + "\n".join(f"  {e}" for e in EXAMPLES[name])
    return p


def _executor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=int, default=1, help="processes or Ray CPUs (results do not depend on it)")
    p.add_argument("--backend", choices=["local", "ray"], default="local",
                   help="local process pool (default) or Ray (results do not depend on it)")
    p.add_argument("--address", help="with --backend ray: a running cluster's address (default: a private local one)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


SEED_MAX = 2**63 - 1  # seeds key the counter-based streams as unsigned 64-bit; below 2**63 none wraps
# Upper bounds on counts, so that a typo cannot start a run that never ends or a pool that exhausts the machine:
# a million members is 100x the largest ensemble measured (docs/benchmarks.md: 10,000 within 1 GB, streamed to
# disk); 1,024 workers is more than any machine or Ray cluster this tool targets; ten years of forecast months.
COUNT_LIMITS = {"seeds": 1_000_000, "jobs": 1024, "draws": 1_000_000, "n": 1_000_000, "horizon": 120, "threads": 1024}


def _check_args(args: argparse.Namespace) -> None:
    """Checks argparse cannot make: seeds in range; options that only YAML scenarios read not given with a
    Flee case directory (they would be ignored silently), and the reverse."""
    for name in ("seed", "first_seed"):
        value = getattr(args, name, None)
        if value is not None and not 0 <= value <= SEED_MAX:
            raise InputError(f"--{name.replace('_', '-')}", "", f"must be between 0 and 2**63 - 1 "
                             f"({SEED_MAX}), got {value}")
    for name, most in COUNT_LIMITS.items():
        value = getattr(args, name, None)
        if value is not None and not 1 <= value <= most:
            raise InputError(f"--{name}", "", f"must be between 1 and {most:,}, got {value}")
    seeds, first = getattr(args, "seeds", None), getattr(args, "first_seed", None)
    if seeds is not None and first is not None and seeds > 0 and first + seeds - 1 > SEED_MAX:
        raise InputError("--seeds", "", f"the last seed {first + seeds - 1} is above 2**63 - 1 ({SEED_MAX})")
    if args.command == "run":
        flee = Path(args.scenario).is_dir()
        given = [o for o, v in (("--start", args.start), ("--end", args.end), ("--set", args.set)) if v]
        if flee and given:
            raise InputError(args.scenario, "", f"{', '.join(given)}: for YAML scenarios only; a Flee case "
                             "takes its dates from input_csv/sim_period.csv and its parameters from --rules")
        if not flee and args.rules:
            raise InputError(args.scenario, "", "--rules: for Flee case directories only")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _check_args(args)
        if args.command in ("run", "ensemble", "compare", "sensitivity", "couple"):  # refuse a bad --out before the work
            from crossings.core.output import check_target

            check_target(Path(args.out))
        if args.command == "run":
            if Path(args.scenario).is_dir():
                from crossings.flee.commands import cmd_run

                return cmd_run(args)
            from crossings.runs.commands import cmd_run as cmd_run_yaml

            return cmd_run_yaml(args)
        if args.command == "validate":
            from crossings.flee.commands import cmd_validate

            return cmd_validate(args)
        if args.command == "ensemble":
            from crossings.runs.commands import cmd_ensemble

            return cmd_ensemble(args)
        if args.command == "sensitivity":
            from crossings.runs.sensitivity_command import cmd_sensitivity

            return cmd_sensitivity(args)
        if args.command == "compare":
            from crossings.report.compare_cmd import cmd_compare

            return cmd_compare(args)
        if args.command in ("forecast", "backtest"):
            from crossings.core.output import check_target
            from crossings.forecasting import commands as forecast_commands

            if args.command == "forecast":
                check_target(Path(args.out))
                return forecast_commands.cmd_forecast(args)
            if args.out:
                check_target(Path(args.out))
            return forecast_commands.cmd_backtest(args)
        if args.command == "report":
            from crossings.report.dir_report import cmd_report

            return cmd_report(args)
        if args.command in ("scenarios", "levers", "explain"):
            from crossings.runs import catalog

            if args.command == "scenarios":
                lines = catalog.scenarios_lines()
            elif args.command == "levers":
                lines = catalog.levers_lines(args.scenario)
            else:
                lines = catalog.explain(args.key, args.scenario).lines()
            print("\n".join(lines))
            return 0
        if args.command == "demo":
            from crossings.report.demo import cmd_demo

            return cmd_demo(args)
        if args.command == "couple":
            from crossings.runs.route_asylum import main as couple

            return couple([args.europe, args.asylum, "--out", args.out, "--seed", str(args.seed), "--engine",
                           args.engine, "--destination", args.destination,
                           *(["--route", args.route] if args.route else []),
                           *[x for kv in args.set for x in ("--set", kv)]])
        if args.command == "serve":
            from crossings.app.server import serve

            return serve(args.host, args.port)
    except InputError as err:
        print(f"crossings: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # the file system said no (permissions, disk full): one line, no traceback
        print(f"crossings: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


def entry() -> None:
    """Console-script entry: run, flush, and leave without tearing the interpreter down.

    Teardown (freeing numba's compiled code and every module) adds about 0.1 s to each command and does no
    work for the user: everything is written and flushed (outputs atomically) before this exits.
    """
    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


if __name__ == "__main__":
    entry()

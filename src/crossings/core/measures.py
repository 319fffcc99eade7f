"""Every measure Crossings reports, declared once: its name, unit, kind and owner.

Every aggregator (monthly and annual tables, ensembles, windows, observed series, fit rows, reports) reads
the kind from here, so a stock is never summed over a period and a new measure needs one line, here.

Kinds and how a period (month, year) aggregates them:
- flow: people (or boats) per day, summed over the period;
- money: spending per day in the place's currency, summed over the period;
- stock: people at the end of a day, the period's last day;
- mean, share: a daily rate or probability, the period's mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["flow", "stock", "mean", "share", "money"]
PERIOD_RULE: dict[str, Literal["sum", "last", "mean"]] = {
    "flow": "sum", "money": "sum", "stock": "last", "mean": "mean", "share": "mean"}


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str  # for money: "currency" (the place's own, e.g. GBP or EUR: see unit_of)
    kind: Kind
    owner: str  # the process that writes it: sea, asylum, land, flee
    description: str


def _m(name: str, unit: str, kind: Kind, owner: str, description: str) -> tuple[str, Measure]:
    return name, Measure(name, unit, kind, owner, description)


MEASURES: dict[str, Measure] = dict([
    # the sea process (per route; a destination's row is the sum of its routes)
    _m("arrivals", "people", "flow", "sea", "people who reached the destination's coast or were rescued there"),
    _m("departures", "people", "flow", "sea", "people who left the coast: arrived, intercepted or dead"),
    _m("boats", "boats", "flow", "sea", "boats that left the coast"),
    _m("interceptions", "people", "flow", "sea", "people stopped at sea by a coastguard and taken back to the departure "
       "country (e.g. Libya, Tunisia): part of the human cost"),
    _m("deaths", "people", "flow", "sea", "people dead or missing at sea (the route system, crossings.land.deaths: on "
       "the route, IOM Missing Migrants' count)"),
    _m("prevented", "people", "flow", "sea", "people stopped on land before departure"),
    _m("safe_route", "people", "flow", "sea", "people who took a safe legal route instead of a boat"),
    _m("waiting", "people", "stock", "sea", "people waiting at the coast at the end of the day"),
    # the asylum process (per destination, offshore centre, third country)
    _m("sea_arrivals", "people", "flow", "asylum", "people arriving by sea who enter the asylum system"),
    _m("claims", "people", "flow", "asylum", "asylum claims lodged"),
    _m("safe_route_claims", "people", "flow", "asylum", "claims by people who came by a safe route"),
    _m("awaiting_decision", "people", "stock", "asylum", "people awaiting an initial decision (the backlog)"),
    _m("appeals_waiting", "people", "stock", "asylum", "people with an appeal pending"),
    _m("removable", "people", "stock", "asylum", "refused people liable to removal"),
    _m("in_support", "people", "stock", "asylum", "people in receipt of asylum support"),
    _m("in_hotels", "people", "stock", "asylum", "supported people in contingency hotels"),
    _m("in_support_move_on", "people", "stock", "asylum", "supported people in the move-on period after a decision"),
    _m("in_support_outside_queues", "people", "stock", "asylum", "supported people outside the modelled queues"),
    _m("decisions", "people", "flow", "asylum", "initial decisions"),
    _m("grants", "people", "flow", "asylum", "initial decisions granting protection"),
    _m("refusals", "people", "flow", "asylum", "initial decisions refusing protection"),
    _m("withdrawals", "people", "flow", "asylum", "claims withdrawn"),
    _m("appeals_lodged", "people", "flow", "asylum", "appeals lodged"),
    _m("appeal_decisions", "people", "flow", "asylum", "appeals decided"),
    _m("appeal_grants", "people", "flow", "asylum", "appeals allowed"),
    _m("removals", "people", "flow", "asylum", "people removed from the destination"),
    _m("absconded", "people", "flow", "asylum", "refused people who left contact"),
    _m("q", "probability", "mean", "asylum", "realised probability of transfer or removal of an arrival"),
    _m("departure_multiplier", "share", "mean", "asylum", "share of would-be departures not deterred"),
    _m("cost", "currency", "money", "asylum", "spending (the destination's: all its parts, centre and third country included)"),
    _m("cost_support", "currency", "money", "asylum", "spending on asylum support (part of cost)"),
    _m("transfers", "people", "flow", "asylum", "people transferred to an offshore centre or third country"),
    _m("screened_out", "people", "flow", "asylum", "people screened out of offshore processing"),
    _m("offshore_occupancy", "people", "stock", "asylum", "people held in the offshore centre"),
    _m("aboard", "people", "stock", "asylum", "people held on the ship until its trip day"),
    _m("returns", "people", "flow", "asylum", "people returned to their country or the country they left from (offshore centre, returns agreement)"),
    _m("released", "people", "flow", "asylum", "people released from the offshore centre to the mainland"),
    _m("awaiting_removal", "people", "stock", "asylum", "people awaiting removal to the third country"),
    _m("returned_to_queue", "people", "flow", "asylum", "people whose third-country removal failed"),
    # the route system (crossings.land; per Frontex route)
    _m("detections", "detections", "flow", "land", "Frontex detections: repeated attempts and chained routes counted again"),
    _m("persons", "people", "flow", "land", "people crossing the route's border as their route (counted once)"),
    _m("pushbacks", "people", "flow", "land", "detected attempts pushed back at the route's border"),
    _m("onward_persons", "people", "flow", "land", "people of the route system reaching a crossing region (northern "
       "France) on the onward leg (crossings.land.onward)"),
])


def measure(name: str) -> Measure:
    """The declared measure; a KeyError naming the known ones otherwise."""
    try:
        return MEASURES[name]
    except KeyError:
        raise KeyError(f"measure {name!r} is not declared in crossings.core.measures "
                       f"(known: {', '.join(sorted(MEASURES))})") from None


def unit_of(name: str, currency: str | None = None) -> str:
    """The unit to print: a money measure takes the place's currency."""
    m = measure(name)
    if m.kind == "money":
        return currency or "currency"
    return m.unit


def period_rule(name: str) -> Literal["sum", "last", "mean"]:
    """How a period (month, year) aggregates the daily values of this measure."""
    return PERIOD_RULE[measure(name).kind]


def names_by_rule(rule: Literal["sum", "last", "mean"]) -> frozenset[str]:
    return frozenset(n for n, m in MEASURES.items() if PERIOD_RULE[m.kind] == rule)

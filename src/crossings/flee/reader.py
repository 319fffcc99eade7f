"""Read a scenario directory in Flee's format (FabFlee config layout; spec: data/flee_cases/README.md §1).

Required: input_csv/locations.csv, input_csv/routes.csv, input_csv/sim_period.csv (or conflict_period.csv),
source_data/data_layout.csv with its series. Optional: conflicts.csv, closures.csv,
registration_corrections.csv, simsetting.yml. Comment headers ('#') and extra columns are accepted.
Rules-dependent quantities (hasten, camp typing by move chance) are applied later in `network.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from crossings.core.errors import InputError
from crossings.flee import csvio

# Bounds on what a case may ask for, so a typo cannot make a run allocate without limit (arrays are
# [day, location] and [day, link]; agents are the displaced total). The shipped cases use far less:
# ssudan2013 has 604 days and 1.9 million people.
MAX_DAYS = 36_500  # a hundred years
MAX_CELLS = 20_000_000  # days x (locations + links): about 0.7 GB of per-day arrays
MAX_PEOPLE = 20_000_000  # any observed count or population (one agent per person)
MAX_KM = 40_075.0  # a link no longer than the equator

CLOSURE_TYPES = ("country", "location", "link", "camp", "idpcamp", "remove_forced_redirection")
# Substring tests in Flee's order (flee.Location.__init__): camp first, then conflict, forward, marker, town.
LOC_KINDS = ("camp", "conflict", "forward", "marker", "town")


@dataclass
class Series:
    """One UNHCR series: integer day offsets from StartDate and counts (before `hasten` scaling)."""

    days: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]


@dataclass
class FleeCase:
    path: Path
    name: str
    start: dt.date
    length: int
    loc_names: list[str]
    loc_country: list[str]
    loc_kind: list[str]            # camp | idpcamp | conflict | forward | marker | town
    loc_lat: npt.NDArray[np.float64]
    loc_lon: npt.NDArray[np.float64]
    loc_conflict_date: npt.NDArray[np.int64]
    loc_popcap: npt.NDArray[np.int64]    # population (non-camps) or capacity (camps); 0 if empty
    loc_intensity: npt.NDArray[np.float64]  # `conflict_intensity` attribute (1.0 if absent)
    route_a: npt.NDArray[np.int64]
    route_b: npt.NDArray[np.int64]
    route_km: npt.NDArray[np.float64]
    route_speed: npt.NDArray[np.float64]   # per-link max_move_speed attribute, NaN = rule default
    route_walkp: npt.NDArray[np.float64]   # per-link walk_probability attribute, 0 if absent
    closures: list[tuple[str, str, str, int, int]]
    conflicts: npt.NDArray[np.float64] | None   # [length, n_loc] intensity matrix; None = no conflicts.csv
    conflict_cols: npt.NDArray[np.bool_]          # which locations have a conflicts.csv column
    series: dict[str, Series]                     # "total" and one per camp (summed, corrected)
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_loc(self) -> int:
        return len(self.loc_names)


def _input_file(case: Path, *names: str) -> Path | None:
    for n in names:
        p = case / "input_csv" / n
        if p.is_file():
            return p
    return None


def read_period(path: Path) -> tuple[dt.date, int]:
    start: dt.date | None = None
    length: int | None = None
    for line, cells in csvio.rows(path):
        key = cells[0].lower()
        if key == "startdate":
            start = csvio.to_date(path, line, 1, csvio.cell(path, line, cells, 1, "StartDate value"))
        elif key == "length":
            length = csvio.to_int(path, line, 1, csvio.cell(path, line, cells, 1, "Length value"), "Length")
            csvio.check_range(path, line, 1, length, "Length (days)", 1, MAX_DAYS, " (a hundred years)")
    if start is None or length is None:
        raise InputError(str(path), "", "needs a 'StartDate,YYYY-MM-DD' row and a 'Length,N' row")
    return start, length


def _kind(type_text: str) -> str | None:
    t = type_text.lower()
    if "camp" in t:
        return "idpcamp" if "idp" in t else "camp"
    for k in ("conflict", "forward", "marker"):
        if k in t:
            return k
    if "default" in t or "town" in t:
        return "town"
    return None


@dataclass
class _Locations:
    names: list[str]
    country: list[str]
    kind: list[str]
    lat: list[float]
    lon: list[float]
    cdate: list[int]
    popcap: list[int]
    intensity: list[float]

    @property
    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.names)}


def read_locations(path: Path, warnings: list[str]) -> _Locations:
    header = ["name", "region", "country", "latitude", "longitude", "location_type", "conflict_date", "population"]
    names: list[str] = []
    country: list[str] = []
    kind: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    cdate: list[int] = []
    popcap: list[int] = []
    intensity: list[float] = []
    seen: dict[str, int] = {}
    first = True
    for line, cells in csvio.rows(path, keep_comments=True):
        if cells[0].startswith("#") or (first and cells[0].lower() == "name"):
            first = False
            if len(cells) > 8:  # extra header columns name static per-location attributes
                header = header[:8] + [c.lstrip("#").strip() for c in cells[8:]]
            continue
        first = False
        name = cells[0]
        if len(cells) < 8:
            raise InputError(str(path), csvio.where(line, len(cells) + 1),
                             f"expected 8 columns (name,region,country,latitude,longitude,location_type,"
                             f"conflict_date,population), got {len(cells)}")
        if name in seen:
            raise InputError(str(path), csvio.where(line, 1), f"location {name!r} already defined on line {seen[name]}")
        seen[name] = line
        k = _kind(cells[5])
        if k is None:  # flee 3.1 prints an error and keeps the place with move chance 1.0 and no type flag,
            k = "forward"  # which is what a forwarding hub is in 3.1 (its `forward` flag is never read)
            warnings.append(f"{path}: line {line}, column 6: unknown location_type {cells[5]!r}: read as a "
                            "forwarding hub (move chance 1.0), as flee 3.1 does in effect")
        names.append(name)
        country.append(cells[2] or "unknown")
        kind.append(k)
        lat.append(csvio.to_float(path, line, 3, cells[3], "latitude", 0.0))
        lon.append(csvio.to_float(path, line, 4, cells[4], "longitude", 0.0))
        # flee 3.1 reads conflict_date only for conflict types (int(); empty = 0 here); other rows may hold anything
        cdate.append(csvio.to_int(path, line, 6, cells[6], "conflict_date", 0) if k == "conflict" else 0)
        pc = csvio.to_int(path, line, 7, cells[7], "population", 0)
        if pc < 0:
            raise InputError(str(path), csvio.where(line, 8), "population/capacity must not be negative")
        csvio.check_range(path, line, 7, pc, "population/capacity", 0, MAX_PEOPLE, " (one agent per person)")
        popcap.append(pc)
        inten = 1.0
        for j in range(8, len(cells)):
            if j < len(header) and header[j] == "conflict_intensity" and cells[j] != "":
                inten = csvio.to_float(path, line, j, cells[j], "conflict_intensity")
        intensity.append(inten)
    if not names:
        raise InputError(str(path), "", "no locations")
    return _Locations(names, country, kind, lat, lon, cdate, popcap, intensity)


def read_routes(path: Path, index: dict[str, int]) -> tuple[list[int], list[int], list[float], list[float], list[float]]:
    header = ["name1", "name2", "distance", "forced_redirection"]
    a: list[int] = []
    b: list[int] = []
    km: list[float] = []
    speed: list[float] = []
    walkp: list[float] = []
    first = True
    seen: dict[tuple[int, int], int] = {}
    for line, cells in csvio.rows(path, keep_comments=True):
        if cells[0].startswith("#") or (first and cells[0].lower() == "name1"):
            first = False
            if len(cells) > 4:
                header = header[:4] + [c.lstrip("#").strip() for c in cells[4:]]
            continue
        first = False
        if len(cells) < 3:
            raise InputError(str(path), csvio.where(line, len(cells) + 1),
                             f"expected at least 3 columns (name1,name2,distance), got {len(cells)}")
        for col in (0, 1):
            if cells[col] not in index:
                raise InputError(str(path), csvio.where(line, col + 1), f"unknown location {cells[col]!r}")
        if cells[0] == cells[1]:
            raise InputError(str(path), csvio.where(line, 2), f"a link from {cells[0]!r} to itself")
        pair = (min(index[cells[0]], index[cells[1]]), max(index[cells[0]], index[cells[1]]))
        if pair in seen:  # links are two-way: B,A repeats A,B
            raise InputError(str(path), csvio.where(line, 1), f"link {cells[0]!r}-{cells[1]!r} already given "
                             f"on line {seen[pair]}")
        seen[pair] = line
        d = csvio.to_float(path, line, 2, cells[2], "distance")
        csvio.check_range(path, line, 2, d, "distance (km)", 0.0, MAX_KM, " (the equator)")
        if len(cells) > 3:
            fr = csvio.to_int(path, line, 3, cells[3], "forced_redirection", 0)
            if fr not in (0, 1, 2):
                raise InputError(str(path), csvio.where(line, 4), "forced_redirection must be 0, 1 or 2")
        s, w = float("nan"), 0.0
        for j in range(4, len(cells)):
            name = header[j] if j < len(header) else ""
            if name == "max_move_speed" and cells[j] != "":
                s = csvio.to_float(path, line, j, cells[j], "max_move_speed")
                csvio.check_range(path, line, j, s, "max_move_speed (km/day)", 0.0, MAX_KM)
            elif name == "walk_probability" and cells[j] != "":
                w = csvio.to_float(path, line, j, cells[j], "walk_probability")
                csvio.check_range(path, line, j, w, "walk_probability", 0.0, 1.0)
        a.append(index[cells[0]])
        b.append(index[cells[1]])
        km.append(d)
        speed.append(s)
        walkp.append(w)
    if not a:
        raise InputError(str(path), "", "no routes (every case needs links between its locations)")
    return a, b, km, speed, walkp


def read_closures(path: Path, index: dict[str, int], warnings: list[str]) -> list[tuple[str, str, str, int, int]]:
    """closures.csv rows. flee 3.1 silently skips unknown closure types and names no place; so do we, with a
    warning (for camp/link rows 3.1 would act on its first location instead, a lookup bug not reproduced)."""
    out: list[tuple[str, str, str, int, int]] = []
    for line, cells in csvio.rows(path):
        if len(cells) < 5:
            raise InputError(str(path), csvio.where(line, len(cells) + 1),
                             "expected 5 columns (closure_type,name1,name2,closure_start,closure_end)")
        kind = cells[0]
        start = csvio.to_int(path, line, 3, cells[3], "closure_start")
        end = csvio.to_int(path, line, 4, cells[4], "closure_end")
        if kind not in CLOSURE_TYPES:
            warnings.append(f"{path}: line {line}, column 1: unknown closure_type {kind!r} ignored (known: "
                            f"{', '.join(CLOSURE_TYPES)})")
            continue
        needed = {"location": (1,), "camp": (1,), "idpcamp": (1,), "link": (1, 2),
                  "remove_forced_redirection": (1,)}.get(kind, ())
        missing = [col for col in needed if cells[col] not in index]
        if missing:
            warnings.append(f"{path}: line {line}, column {missing[0] + 1}: unknown location "
                            f"{cells[missing[0]]!r}: closure ignored")
            continue
        out.append((kind, cells[1], cells[2], start, end))
    return out


def read_conflicts(path: Path, index: dict[str, int], length: int,
                   warnings: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Day x location intensities. Row order is the day (as in Flee); column 0 is ignored."""
    n = len(index)
    mat = np.zeros((length, n))
    has = np.zeros(n, dtype=np.bool_)
    cols: list[int] = []
    day = 0
    header_done = False
    for line, cells in csvio.rows(path, keep_comments=True):
        if not header_done:
            if cells[0].startswith("#") and len(cells) < 2:
                continue  # a plain comment line before the header
            header_done = True
            for j, name in enumerate(cells[1:], start=1):
                if name in index:
                    cols.append(index[name])
                    has[index[name]] = True
                else:  # Flee prints an error and carries on; so do we, but say so.
                    cols.append(-1)
                    if name:
                        warnings.append(f"{path}: line {line}, column {j + 1}: unknown location {name!r} ignored")
            if not has.any():
                raise InputError(str(path), csvio.where(line, 2), "header names no known location")
            continue
        if cells[0].startswith("#"):
            continue
        if day >= length:
            break
        needed = max(j for j, li in enumerate(cols, start=1) if li >= 0) + 1
        if len(cells) < needed:
            raise InputError(str(path), csvio.where(line, len(cells) + 1),
                             f"expected {needed} columns, got {len(cells)}")
        for j, li in enumerate(cols, start=1):
            if li >= 0:
                mat[day, li] = csvio.to_float(path, line, j, cells[j], "conflict intensity")
        day += 1
    if day < length:
        raise InputError(str(path), f"line {day + 2}", f"has {day} day rows but the simulation is {length} days long")
    return mat, has


def _looks_like_date(text: str) -> bool:
    try:
        csvio.parse_date(text)
    except ValueError:
        return False
    return True


def _read_series(path: Path, start: dt.date) -> Series:
    """A 'YYYY-MM-DD,count' series (Flee DataTable.ConvertCsvFileToNumPyTable)."""
    days: list[int] = []
    vals: list[float] = []
    first = True
    for line, cells in csvio.rows(path):
        if first:
            first = False
            if len(cells) < 2 or not _looks_like_date(cells[0]):
                continue  # a header row (Flee skips 'Date'/'DateTime'; we skip any non-date first row)
        if len(cells) < 2 or cells[1] == "":
            continue
        d = csvio.to_date(path, line, 0, cells[0])
        days.append((d - start).days)
        v = csvio.to_float(path, line, 1, cells[1], "count")
        csvio.check_range(path, line, 1, v, "count", 0.0, MAX_PEOPLE, " (one agent per person)")
        vals.append(v)
    if not days:
        raise InputError(str(path), "", "no observations")
    if any(days[i] > days[i + 1] for i in range(len(days) - 1)):
        raise InputError(str(path), "", "dates must be in increasing order")
    return Series(np.array(days, dtype=np.int64), np.array(vals, dtype=np.float64))


def _add_tables(t1: Series, t2: Series) -> Series:
    """Flee's DataTable.AddCSVTables, step for step (it sums two series on the union of some dates)."""
    out_d: list[float] = []
    out_v: list[float] = []
    a = np.column_stack([t1.days, t1.values]).astype(np.float64)
    offset = 0
    last_c2 = (0.0, 0.0)
    for c2d, c2v in zip(t2.days.astype(np.float64), t2.values, strict=True):
        while c2d > a[offset, 0]:
            out_d.append(a[offset, 0])
            out_v.append(last_c2[1] + a[offset, 1])
            if offset < len(a) - 1:
                offset += 1
            else:
                break
        if c2d == a[offset, 0]:
            out_d.append(c2d)
            out_v.append(c2v + a[offset, 1])
            if offset < len(a) - 1:
                offset += 1
            last_c2 = (c2d, c2v)
            continue
        if c2d < a[offset, 0]:
            out_d.append(c2d)
            out_v.append(c2v + a[offset, 1])
            last_c2 = (c2d, c2v)
    return Series(np.array(out_d, dtype=np.int64), np.array(out_v, dtype=np.float64))


def read_source_data(case: Path, start: dt.date, files: list[Path], warnings: list[str]) -> dict[str, Series]:
    src = case / "source_data"
    layout = src / "data_layout.csv"
    if not layout.is_file():
        raise InputError(str(layout), "", "missing (it lists the observed series: 'total,refugees.csv' and one row per camp)")
    files.append(layout)
    series: dict[str, Series] = {}
    for line, cells in csvio.rows(layout):
        if len(cells) < 2:  # flee 3.1 (DataTable.__init__) skips rows of one cell
            warnings.append(f"{layout}: line {line}: a row with one cell ignored")
            continue
        if cells[1] == "":
            raise InputError(str(layout), csvio.where(line, 2), "expected 'name,file.csv[,more.csv...]'")
        total: Series | None = None
        for j, fname in enumerate(cells[1:], start=1):
            if fname == "":
                continue
            p = src / fname
            if not p.is_file():
                raise InputError(str(layout), csvio.where(line, j + 1), f"series file {fname!r} not found in {src}")
            files.append(p)
            s = _read_series(p, start)
            total = s if total is None else _add_tables(total, s)
        assert total is not None
        series[cells[0]] = total
    if "total" not in series:
        raise InputError(str(layout), "", "needs a 'total,<file>' row (the displaced total that drives spawning)")
    return series


def apply_registration_corrections(path: Path, series: dict[str, Series], start: dt.date) -> None:
    """Flee's correctLevel1Registrations: rescale observations before the given date to the level-2 count."""
    for line, cells in csvio.rows(path):
        if len(cells) < 2:
            continue
        name = cells[0]
        if name not in series:
            raise InputError(str(path), csvio.where(line, 1), f"{name!r} is not a series in data_layout.csv")
        day = (csvio.to_date(path, line, 1, cells[1]) - start).days
        s = series[name]
        hits = np.nonzero(s.days == day)[0]
        if len(hits) == 0:
            raise InputError(str(path), csvio.where(line, 2), f"{cells[1]} is not an observation date of {name!r}")
        i = int(hits[0])
        if i > 0 and s.values[i - 1] != 0:
            s.values[:i] *= s.values[i] / s.values[i - 1]


def read_case(case_dir: str | Path) -> FleeCase:
    case = Path(case_dir)
    if not case.is_dir():
        raise InputError(str(case), "", "not a directory")
    files: list[Path] = []
    warnings: list[str] = []
    period = _input_file(case, "sim_period.csv", "conflict_period.csv")
    if period is None:
        raise InputError(str(case / "input_csv" / "sim_period.csv"), "", "missing (also looked for conflict_period.csv)")
    files.append(period)
    start, length = read_period(period)
    loc_path = case / "input_csv" / "locations.csv"
    route_path = case / "input_csv" / "routes.csv"
    for p in (loc_path, route_path):
        if not p.is_file():
            raise InputError(str(p), "", "missing (required)")
        files.append(p)
    locs = read_locations(loc_path, warnings)
    index = locs.index
    ra, rb, rkm, rspeed, rwalk = read_routes(route_path, index)
    cells = length * (len(index) + 2 * len(ra))  # links are stored both ways
    if cells > MAX_CELLS:
        raise InputError(str(period), "", f"{length} days x ({len(index)} locations + {2 * len(ra)} directed "
                         f"links) = {cells:,} day cells: more than {MAX_CELLS:,} (a shorter Length or fewer places)")
    closures: list[tuple[str, str, str, int, int]] = []
    cpath = _input_file(case, "closures.csv")
    if cpath is not None:
        files.append(cpath)
        closures = read_closures(cpath, index, warnings)
    conflicts = None
    has = np.zeros(len(index), dtype=np.bool_)
    fpath = _input_file(case, "conflicts.csv")
    if fpath is not None:
        files.append(fpath)
        conflicts, has = read_conflicts(fpath, index, length, warnings)
    series = read_source_data(case, start, files, warnings)
    rpath = _input_file(case, "registration_corrections.csv")
    if rpath is not None:
        files.append(rpath)
        apply_registration_corrections(rpath, series, start)
    return FleeCase(
        path=case, name=case.name, start=start, length=length,
        loc_names=locs.names, loc_country=locs.country, loc_kind=locs.kind,
        loc_lat=np.array(locs.lat, dtype=np.float64), loc_lon=np.array(locs.lon, dtype=np.float64),
        loc_conflict_date=np.array(locs.cdate, dtype=np.int64),
        loc_popcap=np.array(locs.popcap, dtype=np.int64),
        loc_intensity=np.array(locs.intensity, dtype=np.float64),
        route_a=np.array(ra, dtype=np.int64), route_b=np.array(rb, dtype=np.int64),
        route_km=np.array(rkm, dtype=np.float64), route_speed=np.array(rspeed, dtype=np.float64),
        route_walkp=np.array(rwalk, dtype=np.float64),
        closures=closures, conflicts=conflicts, conflict_cols=has, series=series,
        files=files, warnings=warnings,
    )


def interpolate(s: Series, n_days: int, scale: float = 1.0) -> npt.NDArray[np.int64]:
    """Flee's DataTable.get_interpolated_data for days 0..n-1: linear between dates, held outside, truncated."""
    vals = s.values / scale
    days = np.arange(n_days)
    idx = np.searchsorted(s.days, days, side="right")
    out = np.empty(n_days, dtype=np.float64)
    before = days <= s.days[0]
    after = idx >= len(s.days)
    mid = ~(before | after)
    i = idx[mid]
    d0 = s.days[i - 1].astype(np.float64)
    frac = (days[mid] - d0) / (s.days[i] - d0)
    out[mid] = vals[i - 1] + frac * (vals[i] - vals[i - 1])
    out[after] = vals[-1]
    out[before] = vals[0]
    return np.trunc(out).astype(np.int64)

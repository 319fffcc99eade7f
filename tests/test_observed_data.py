"""Consistency of the observed series the product uses (bundled copies, read through crossings.core.observed.load).

Each derived file must equal the sums of the file it was derived from, dates must parse and be unique and
sorted, counts must not be negative and every row must name its source. Known exceptions in the real data
are listed explicitly below, each with the reason; nothing is loosened beyond them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossings.core.observed import OBSERVED_DIR, load

# Time series: (file stem, date column, pandas format, key columns that together must be unique).
TIME_SERIES = [
    ("uk_small_boats_daily", "date", "%Y-%m-%d", []),
    ("uk_small_boats_weekly_arrivals_and_french_preventions", "week_ending", "%Y-%m-%d", []),
    ("uk_small_boats_monthly", "month", "%Y-%m", []),
    ("italy_sea_arrivals_daily_unhcr", "date", "%Y-%m-%d", []),
    ("italy_sea_arrivals_daily_viminale", "date", "%Y-%m-%d", []),
    ("italy_sea_arrivals_monthly", "month", "%Y-%m", []),
    ("med_arrivals_interceptions_monthly_iom", "month", "%Y-%m", []),
    ("deaths_missing_monthly_cmr_channel_iom_mmp", "month", "%Y-%m", ["route"]),
    ("uk_asylum_quarterly", "quarter_end", "%Y-%m-%d", []),
    ("italy_reception_system_stock", "report_date", "%Y-%m-%d", []),
    ("frontex_detections_monthly_by_route", "month", "%Y-%m", ["route"]),
]

# Columns naming where a row comes from; each file must have at least one, filled on every row.
SOURCE_COLUMNS = ("source_id", "source", "source_url", "source_url_or_path", "publisher", "preferred_source")

# Columns that are not counts of people/boats/events (coordinates, ids, shares, flags, years).
NOT_COUNTS = {"lat", "lon", "year", "revised_flag", "partial_year", "complete_year", "complete_month",
              "after_report_date_placeholder", "viminale_daily_complete", "at_sea_channel_crossing_flag",
              "share_pct", "initial_grant_rate_pct"}

# Documented exception: the IOM "ALL MED DATA" file itself holds -380 for W-Med sea arrivals in Dec 2015
# (booked as a negative month in the source; not explained there). Crossings never uses the W-Med column.
KNOWN_NEGATIVE = {("med_arrivals_interceptions_monthly_iom", "wmr_sea_arrivals", "2015-12")}


def _all_stems() -> list[str]:
    return sorted(p.stem for p in OBSERVED_DIR.glob("*.csv"))


@pytest.mark.parametrize("stem,col,fmt,keys", TIME_SERIES, ids=[t[0] for t in TIME_SERIES])
def test_dates_parse_unique_sorted(stem: str, col: str, fmt: str, keys: list[str]) -> None:
    df = load(stem)
    dates = pd.to_datetime(df[col], format=fmt)  # raises on any unparsable value
    assert dates.notna().all()
    assert not df.duplicated([*keys, col]).any(), f"{stem}: duplicate {keys + [col]}"
    for _, grp in (df.assign(_d=dates).groupby(keys) if keys else [(None, df.assign(_d=dates))]):
        assert grp["_d"].is_monotonic_increasing, f"{stem}: {col} not sorted"


def test_daily_series_have_every_day() -> None:
    # HO daily includes zero days; the Viminale daily has one row per day from its first report on.
    for stem in ("uk_small_boats_daily", "italy_sea_arrivals_daily_viminale"):
        d = pd.to_datetime(load(stem)["date"])
        assert len(d) == (d.max() - d.min()).days + 1, stem
    # UNHCR daily: SOURCES.md says days without arrivals are absent, yet the file also holds some explicit
    # zero rows, so it is not checked for completeness here (only dates and sums, below).
    u = pd.to_datetime(load("italy_sea_arrivals_daily_unhcr")["date"])
    assert len(u) < (u.max() - u.min()).days + 1


@pytest.mark.parametrize("stem", _all_stems())
def test_every_row_names_its_source(stem: str) -> None:
    df = load(stem)
    cols = [c for c in SOURCE_COLUMNS if c in df.columns]
    assert cols, f"{stem}: no source column"
    named = df[cols].notna() & (df[cols].astype(str).apply(lambda s: s.str.strip()) != "")
    assert named.any(axis=1).all(), f"{stem}: rows without a source"


@pytest.mark.parametrize("stem", _all_stems())
def test_no_negative_counts(stem: str) -> None:
    df = load(stem)
    key = df.columns[0]
    for col in df.select_dtypes("number").columns:
        if col in NOT_COUNTS:
            continue
        bad = df.loc[df[col] < 0, key].astype(str)
        unexpected = [k for k in bad if (stem, col, k) not in KNOWN_NEGATIVE]
        assert not unexpected, f"{stem}.{col} negative at {unexpected}"


def test_known_negative_still_present() -> None:
    # If the data is corrected, the exception list above must shrink with it.
    df = load("med_arrivals_interceptions_monthly_iom").set_index("month")
    for _, col, key in KNOWN_NEGATIVE:
        assert (df.loc[[key], col] < 0).all()


def _channel_daily() -> pd.DataFrame:
    d = load("uk_small_boats_daily")
    d["month"] = d["date"].str[:7]
    d["year"] = d["date"].str[:4].astype(int)
    return d


def test_channel_monthly_equals_sum_of_daily() -> None:
    d = _channel_daily()
    g = d.groupby("month").agg(
        people_arrived=("people_arrived", "sum"), boats_arrived=("boats_arrived", "sum"),
        n_days_in_data=("date", "size"), max_daily_people=("people_arrived", "max"),
        days_with_arrivals=("people_arrived", lambda s: int((s > 0).sum())),
    )
    m = load("uk_small_boats_monthly").set_index("month")
    assert list(m.index) == list(g.index)
    for col in g.columns:
        np.testing.assert_array_equal(m[col].to_numpy(), g[col].to_numpy(), err_msg=col)
    with_boats = m["boats_arrived"] > 0
    ppb = (m.loc[with_boats, "people_arrived"] / m.loc[with_boats, "boats_arrived"]).round(2)
    np.testing.assert_allclose(m.loc[with_boats, "people_per_boat"], ppb, atol=0.005)
    assert m.loc[~with_boats, "people_per_boat"].isna().all()


def test_channel_annual_equals_sum_of_daily() -> None:
    d = _channel_daily()
    g = d.groupby("year").agg(people=("people_arrived", "sum"), boats=("boats_arrived", "sum"),
                              maxday=("people_arrived", "max"))
    a = load("uk_small_boats_annual_from_daily").set_index("year")
    np.testing.assert_array_equal(a["people_arrived"].to_numpy(), g.loc[a.index, "people"].to_numpy())
    np.testing.assert_array_equal(a["boats_arrived"].to_numpy(), g.loc[a.index, "boats"].to_numpy())
    np.testing.assert_array_equal(a["max_daily_people"].to_numpy(), g.loc[a.index, "maxday"].to_numpy())


def test_channel_annual_comparison_provisional_rows_match_daily() -> None:
    # The curated comparison's "sum of daily" rows must be the daily sums; finalised rows may differ
    # slightly (2020: 8,462 vs 8,466; 2022: 45,755 vs 45,774, SOURCES.md), by less than 0.1%.
    c = load("uk_small_boats_annual_comparison")
    g = _channel_daily().groupby("year")["people_arrived"].sum()
    prov = c[c["series"].str.contains("sum of daily", regex=False)]
    assert len(prov) == len(g)
    for _, row in prov.iterrows():
        assert row["people_arrived"] == g[row["year"]]
    final = c[c["series"].str.startswith("Immigration system statistics")]
    for _, row in final.iterrows():
        assert abs(row["people_arrived"] / g[row["year"]] - 1) < 0.001


def test_channel_weekly_equals_sum_of_daily() -> None:
    d = load("uk_small_boats_daily")
    s = d.assign(date=pd.to_datetime(d["date"])).set_index("date")[["people_arrived", "boats_arrived"]]
    wk = s.resample("W-SUN").sum()
    w = load("uk_small_boats_weekly_arrivals_and_french_preventions")
    w.index = pd.to_datetime(w["week_ending"])
    for col in ("people_arrived", "boats_arrived"):
        np.testing.assert_array_equal(w[col].to_numpy(), wk.loc[w.index, col].to_numpy(), err_msg=col)


def test_italy_monthly_unhcr_sum_equals_daily() -> None:
    u = load("italy_sea_arrivals_daily_unhcr")
    g = u.groupby(u["date"].str[:7])["people_arrived"].agg(["sum", "size"])
    m = load("italy_sea_arrivals_monthly").set_index("month")
    have = m["unhcr_daily_sum"].notna()
    assert set(m.index[have]) == set(g.index)
    np.testing.assert_array_equal(m.loc[have, "unhcr_daily_sum"].to_numpy(), g.loc[m.index[have], "sum"].to_numpy())
    np.testing.assert_array_equal(m.loc[have, "unhcr_days_reported"].to_numpy(),
                                  g.loc[m.index[have], "size"].to_numpy())


def test_italy_monthly_viminale_sum_equals_daily() -> None:
    v = load("italy_sea_arrivals_daily_viminale")
    g = v.groupby(v["date"].str[:7]).agg(s=("people_disembarked", "sum"), n=("date", "size"),
                                         ph=("after_report_date_placeholder", "sum"))
    m = load("italy_sea_arrivals_monthly").set_index("month")
    have = m["viminale_daily_sum"].notna()
    assert set(m.index[have]) == set(g.index)
    np.testing.assert_allclose(m.loc[have, "viminale_daily_sum"], g.loc[m.index[have], "s"], atol=0.5)
    np.testing.assert_array_equal(m.loc[have, "viminale_days"].to_numpy(), g.loc[m.index[have], "n"].to_numpy())
    np.testing.assert_array_equal(m.loc[have, "viminale_placeholder_days"].to_numpy(),
                                  g.loc[m.index[have], "ph"].to_numpy())


def test_italy_unhcr_daily_close_to_official_monthly() -> None:
    # SOURCES.md: UNHCR daily sums are within 2% of the official monthly totals in nearly all months since
    # 2020; the larger gaps it names are the documented exceptions.
    documented_gaps = {"2020-06", "2020-07", "2021-02", "2023-05", "2024-06"}
    m = load("italy_sea_arrivals_monthly")
    m = m[(m["month"] >= "2020-01") & m["unhcr_daily_sum"].notna()]
    rel = (m["unhcr_daily_sum"] / m["iom_viminale_monthly"] - 1).abs()
    off = set(m.loc[rel > 0.02, "month"])
    assert off <= documented_gaps, sorted(off - documented_gaps)


def test_italy_preferred_value_and_iom_file_agree() -> None:
    m = load("italy_sea_arrivals_monthly").set_index("month")
    med = load("med_arrivals_interceptions_monthly_iom").set_index("month")
    assert m["preferred_value"].notna().all()
    np.testing.assert_array_equal(m["preferred_value"].to_numpy(), med.loc[m.index, "sea_arrivals_in_italy"].to_numpy())


def test_italy_annual_iom_rows_equal_sum_of_monthly() -> None:
    m = load("italy_sea_arrivals_monthly")
    g = m.groupby(m["month"].str[:4].astype(int))["preferred_value"].sum()
    a = load("italy_sea_arrivals_annual")
    iom = a[a["publisher"] == "IOM_MED_XLSX"]
    assert len(iom) >= 11
    for _, row in iom.iterrows():
        assert row["people"] == g[row["year"]], row["year"]


def test_uk_asylum_annual_equals_sum_of_quarters() -> None:
    q = load("uk_asylum_quarterly")
    q["year"] = q["quarter_end"].str[:4].astype(int)
    assert (q.groupby("year").size() == 4).all()
    a = load("uk_asylum_annual_from_quarterly").set_index("year")
    flows = [c for c in q.columns if c.startswith(("asylum_claims", "initial_decisions", "initial_grants",
                                                     "initial_refusals", "initial_withdrawals"))]
    assert len(flows) == 5
    sums = q.groupby("year")[flows].sum(min_count=1)
    pd.testing.assert_frame_equal(a[flows], sums.loc[a.index], check_dtype=False, check_names=False)
    # Stocks are the value at 31 December (the year's last quarter end).
    stocks = [c for c in q.columns if c.startswith("people_")]
    last = q[q["quarter_end"].str.endswith("12-31")].set_index("year")[stocks]
    pd.testing.assert_frame_equal(a[stocks], last.loc[a.index], check_dtype=False, check_names=False)


def test_mmp_annual_equals_sum_of_monthly() -> None:
    mm = load("deaths_missing_monthly_cmr_channel_iom_mmp")
    mm["year"] = mm["month"].str[:4].astype(int)
    cols = ["dead", "missing", "dead_and_missing", "incidents"]
    g = mm.groupby(["route", "year"])[cols].sum()
    a = load("deaths_missing_by_route_annual_iom_mmp").set_index(["route", "year"])
    common = a.index.intersection(g.index)
    assert len(common) == 2 * 11  # Central Med and route to UK, 2014-2024
    pd.testing.assert_frame_equal(a.loc[common, cols], g.loc[common, cols], check_dtype=False)
    np.testing.assert_allclose(a["dead"] + a["missing"], a["dead_and_missing"])


def test_channel_incidents_sum_to_mmp_annual() -> None:
    inc = load("channel_route_incidents_iom_mmp")
    g = inc.groupby("year")[["dead", "missing"]].sum()
    a = load("deaths_missing_by_route_annual_iom_mmp")
    a = a[a["route"] == "Mainland Europe to the UK"].set_index("year")
    pd.testing.assert_frame_equal(a[["dead", "missing"]], g.loc[a.index], check_dtype=False)


def test_frontex_annual_equals_sum_of_monthly() -> None:
    fm = load("frontex_detections_monthly_by_route")
    g = fm.groupby(["route", fm["month"].str[:4].astype(int)])["detections"].sum()
    fa = load("frontex_detections_annual_by_route_from_monthly").set_index(["route", "year"])
    np.testing.assert_allclose(fa["detections"], g.loc[fa.index].to_numpy())


def test_libya_interceptions_annual_file_rows_equal_monthly() -> None:
    med = load("med_arrivals_interceptions_monthly_iom")
    g = med.groupby(med["month"].str[:4].astype(int))["interceptions_by_libyan_coast_guard"].sum()
    a = load("libya_coastguard_interceptions_annual")
    rows = a[a["publisher"].str.startswith("IOM_MED_XLSX")]
    assert len(rows) == 9
    for _, row in rows.iterrows():
        assert row["people_intercepted_returned_to_libya"] == g[row["year"]], row["year"]


def test_departure_country_full_years_below_italy_totals() -> None:
    # Per-country full-year figures must not exceed the year's total arrivals in Italy.
    dep = load("italy_sea_arrivals_by_departure_country")
    full = dep[dep["period_label"].str.fullmatch(r"\d{4}") & dep["people"].notna()]
    m = load("italy_sea_arrivals_monthly")
    tot = m.groupby(m["month"].str[:4])["preferred_value"].sum()
    for year, grp in full.drop_duplicates(["period_label", "departure_country"]).groupby("period_label"):
        assert grp["people"].sum() <= tot[year] * 1.001, year


def test_derived_caches_per_arguments_and_source_and_hands_out_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """observed.derived: one computation per arguments and loader; a list argument reaches the function as a
    list; tables and arrays come back as copies; a swapped loader computes again, and its undoing finds the first."""
    from crossings.core import observed

    calls: list[tuple[object, ...]] = []

    @observed.derived(maxsize=8)
    def table(cols: list[str], k: int) -> tuple[pd.DataFrame, np.ndarray]:
        calls.append((type(cols), k))
        df = observed.load("uk_asylum_quarterly")[cols].head(3)
        return df, np.arange(3.0) * k

    a, x = table(["quarter_end"], 2)
    a.iloc[0, 0] = "changed"
    x[:] = -1.0
    b, y = table(["quarter_end"], 2)
    assert calls == [(list, 2)] and b.iloc[0, 0] != "changed" and y.tolist() == [0.0, 2.0, 4.0]
    with monkeypatch.context() as m:
        m.setattr(observed, "load", lambda name: observed._load_cached(name).copy())
        table(["quarter_end"], 2)
        assert len(calls) == 2  # another loader: computed again
    table(["quarter_end"], 2)
    assert len(calls) == 2 and table.cache_info().hits == 2

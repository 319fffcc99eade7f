"""A leakage probe for the tests: every number dated after a cut tripled in every observed series."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crossings.core import observed


def triple_after(monkeypatch: pytest.MonkeyPatch, cut: dt.date) -> None:
    """From now on in this test, observed.load returns each series with its numbers after `cut` tripled (by
    quarter_end where a series has one, else by date)."""
    real = observed.load

    def tripled(name: str) -> pd.DataFrame:
        df = real(name)
        dcol = "quarter_end" if "quarter_end" in df.columns else "date"
        late = pd.to_datetime(df[dcol]) > pd.Timestamp(cut)
        num = df.select_dtypes("number").columns
        df.loc[late, num] = df.loc[late, num] * 3
        return df

    monkeypatch.setattr(observed, "load", tripled)

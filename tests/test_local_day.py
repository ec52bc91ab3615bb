"""Which day a timestamp belongs to: the municipality's local day (Finland Helsinki, Sweden Stockholm).

The instants sit around midnight at the end of 2026's first quarter, after the clocks went forward on
29 March: Helsinki is UTC+3 and Stockholm UTC+2, so 21:30 UTC on 31 March is 1 April in Helsinki and
still 31 March in Stockholm (and UTC), and 22:30 UTC is 1 April in both but 31 March in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app import i18n
from app.municipalities.timezone import day_start, local_day, zone
from app.portfolio.aggregate import period
from app.reports import labels

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

FI_ONLY = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
"""1 April 00:30 in Helsinki, 31 March 23:30 in Stockholm, 31 March in UTC."""
BOTH = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
"""1 April 01:30 in Helsinki, 1 April 00:30 in Stockholm, still 31 March in UTC."""


def test_each_country_has_its_zone_and_an_unknown_one_helsinkis() -> None:
    assert zone("FI").key == "Europe/Helsinki"
    assert zone("SE").key == "Europe/Stockholm"
    assert zone("se").key == "Europe/Stockholm"
    assert zone("NO").key == zone("").key == zone(None).key == "Europe/Helsinki"


def test_a_timestamp_belongs_to_the_day_on_the_municipalitys_clock() -> None:
    assert local_day(FI_ONLY, "FI") == date(2026, 4, 1)
    assert local_day(FI_ONLY, "SE") == date(2026, 3, 31)
    assert local_day(BOTH, "SE") == date(2026, 4, 1)
    assert local_day(BOTH.replace(tzinfo=None), "SE") == date(2026, 4, 1), "naive is UTC, as stored"
    winter = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # UTC+2 and UTC+1 in winter
    assert (local_day(winter, "FI"), local_day(winter, "SE")) == (date(2027, 1, 1), date(2026, 12, 31))


def test_a_local_day_starts_at_local_midnight() -> None:
    assert day_start(date(2026, 4, 1), "FI") == datetime(2026, 3, 31, 21, 0, tzinfo=UTC)
    assert day_start(date(2026, 4, 1), "SE") == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert day_start(date(2026, 1, 1), "SE") == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    for country in ("FI", "SE"):
        start = day_start(date(2026, 10, 25), country)  # the day the clocks go back: 25 hours long
        assert local_day(start, country) == date(2026, 10, 25)
        assert local_day(start - timedelta(microseconds=1), country) == date(2026, 10, 24)


def test_the_quarter_of_a_decision_without_a_date_is_its_local_day_of_creation() -> None:
    assert period(None, FI_ONLY, "FI") == (2026, 2)
    assert period(None, FI_ONLY, "SE") == (2026, 1)
    assert period(None, BOTH, "SE") == (2026, 2)
    assert period(date(2026, 3, 31), BOTH, "SE") == (2026, 1), "a planned date decides"


def test_formatted_days_and_times_follow_the_zone() -> None:
    helsinki, stockholm = zone("FI"), zone("SE")
    assert i18n.format_date(FI_ONLY, "sv", zone=helsinki) == "1 april 2026"
    assert i18n.format_date(FI_ONLY, "sv", zone=stockholm) == "31 mars 2026"
    assert i18n.format_date(FI_ONLY, "fi", "short", stockholm) == "31.3.2026"
    assert i18n.format_date(date(2026, 3, 31), "en") == "31 March 2026", "a day needs no zone"
    assert i18n.format_datetime(FI_ONLY, "sv", "short", zone=stockholm) == "2026-03-31 23:30"
    assert i18n.format_datetime(FI_ONLY, "sv", "short", zone=helsinki) == "2026-04-01 00:30"
    with pytest.raises(TypeError):
        i18n.format_date(FI_ONLY, "sv")  # a timestamp's day is no day without a zone


def test_the_reports_name_the_day_of_the_municipality() -> None:
    assert labels.day(FI_ONLY, "sv", "SE") == "31 mars 2026"
    assert labels.day(FI_ONLY, "sv", "FI") == "1 april 2026"
    assert labels.day(date(2026, 3, 31), "sv", None) == "31 mars 2026"
    assert labels.day(None, "sv", "SE") == "–"

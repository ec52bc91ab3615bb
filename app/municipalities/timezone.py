"""Which day a timestamp belongs to: the day on the municipality's own clock.

Timestamps are stored in UTC; a day shown (the web's dates, the PDFs) or counted (the portfolio's
quarters, the portfolio report's period) is the municipality's local day: Finland's municipalities keep
Europe/Helsinki time, Sweden's Europe/Stockholm. A country without a zone here counts in Helsinki time.
Pure: no database, no settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ZONES: Mapping[str, ZoneInfo] = {"FI": ZoneInfo("Europe/Helsinki"), "SE": ZoneInfo("Europe/Stockholm")}
"""The zone of each country (``Municipality.country``)."""
DEFAULT_ZONE: ZoneInfo = ZONES["FI"]
"""For a country not in :data:`ZONES`, and for pages shown to nobody signed in."""


def zone(country: str | None) -> ZoneInfo:
    """The local time zone of a municipality of ``country`` ("FI", "SE"); Helsinki when unknown."""
    return ZONES.get((country or "").strip().upper(), DEFAULT_ZONE)


def local_day(ts: datetime, country: str | None) -> date:
    """The day ``ts`` (an instant; naive means UTC, as stored) falls on in the municipality's time."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(zone(country)).date()


def day_start(day: date, country: str | None) -> datetime:
    """The instant (in UTC) the municipality's local ``day`` begins: the first instant whose
    :func:`local_day` is ``day`` (midnight is never skipped by a change of clocks in these zones)."""
    return datetime.combine(day, time.min, tzinfo=zone(country)).astimezone(UTC)

"""Ratings as CSV for spreadsheets: UTF-8 with a byte-order mark so Excel reads å, ä and ö.

Text cells that a spreadsheet would run as a formula (starting with = + - @ or a tab), or whose whole
text Excel would turn into a date, time or number (``3-4``, ``12/2026``, ``007``: :data:`_CONVERTED`),
get a leading apostrophe; numeric columns are left alone so negative scores stay numbers. The decision's columns of an
approved or superseded version are the details it was approved with, as its PDF shows them
(``views.approved_details``); rows stay ordered by the decision's case number as it is now.

Cells are separated by commas. Excel set to Swedish or Finnish (decimal comma) splits a file it opens by
semicolons instead and would show each row in one cell: :data:`SEPARATORS` names the opt-in variant with
semicolons, which changes nothing else (every number in the file is a whole number).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlmodel import Session

from app.assessments.views import approved_details
from app.transfer import csv_repository as repo

BOM = "\ufeff"
HEADER = (
    "case_number",
    "decision_title",
    "deciding_body",
    "assessment_id",
    "status",
    "version_no",
    "alternative",
    "perspective_id",
    "criterion_id",
    "target",
    "effect",
    "score",
    "likelihood",
    "horizon",
    "certainty",
    "rationale",
    "evidence",
    "mitigation",
    "affected_groups",
    "affected_area",
    "updated_at",
    "counted",
)
NUMERIC = {"version_no", "effect", "score"}
SEPARATORS = {"comma": ",", "semicolon": ";"}
"""The cell separators a caller may choose, by name (a bare ``;`` in a query string is read as a
parameter separator by some proxies and old servers)."""


def _text(value: object) -> str:
    """A cell's text; a time in UTC as the JSON of the API writes it (``2026-12-04T08:45:14.245453Z``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return utc.isoformat().removesuffix("+00:00") + "Z"
    return str(value)


_CONVERTED = re.compile(
    r"\d[\d ]*(?:[-/.:,]\s*\d[\d ]*)+[.]?%?"  # 3-4, 12/2026, 1.2., 10:30, 1,5: dates, times, decimals
    r"|0\d+|\d{16,}|\d+%"  # leading zeros lost, digits past Excel's 15, a percentage
    r"|\d+(?:[.,]\d+)?[eE][+-]?\d+"  # 1E5: a number in scientific notation
)
"""Whole text cells that Excel (also set to Swedish or Finnish) turns into a date, time or number when
it opens a CSV file, losing what was written: a case number ``3-4`` becomes the 4th of March, ``12/2026``
December 2026, ``007`` the number 7. A plain number up to 15 digits (``2026``) reads the same and is
left alone."""


def _safe(column: str, value: object) -> str:
    text = _text(value)
    if column in NUMERIC:
        return text
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") or _CONVERTED.fullmatch(text.strip()):
        return "'" + text
    return text


def ratings_csv(
    session: Session, municipality_id: uuid.UUID, assessment_id: uuid.UUID | None = None, separator: str = "comma"
) -> Iterator[str]:
    """Yields the CSV in chunks (header first), streaming rows from the database; ``separator`` is a
    name of :data:`SEPARATORS`."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=SEPARATORS[separator])
    writer.writerow(HEADER)
    yield BOM + buf.getvalue()
    for row in repo.rating_rows(session, municipality_id, assessment_id):
        buf.seek(0)
        buf.truncate()
        values = dict(zip(HEADER, row[: len(HEADER)], strict=True))
        approved = approved_details(values["status"], row[len(HEADER)])
        if approved is not None:  # an approved or superseded version: its decision as approved
            values["case_number"] = approved["case_number"]
            values["decision_title"] = approved["title"]
            values["deciding_body"] = approved["deciding_body"]
        if values["score"] is None:
            values["score"] = "unknown"
        values["evidence"] = " | ".join(values["evidence"] or [])
        values["counted"] = "true" if values["counted"] else "false"
        writer.writerow([_safe(c, values[c]) for c in HEADER])
        yield buf.getvalue()

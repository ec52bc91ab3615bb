"""Helsinki Ahjo decisions → a decision. Pure: a posted record in, a ``DecisionCreate`` and a source out.

Two spellings of the same decision are accepted:

* the Ahjo REST ``/decisions`` object as published (``NativeId``, ``Title``, ``CaseIDLabel``, ``Section``,
  HTML ``Content`` and ``Motion``, ``Organization{Name, ID, Type}``, ``Meeting{MeetingID, DateMeeting}``);
* the same decision with the HTML already extracted to text, as in Helsinki's open data snapshots
  (``source_id``, ``case_id``, ``title``, ``section``, ``decision``, ``proposal``, ``reasoning``,
  ``organization{name, id, type, sector}``, ``meeting_date``, ``meeting_id``, ``ahjo_api_url``).

Mapping: case number ← ``CaseIDLabel`` ("HEL 2021-012226"); deciding body ← ``Organization.Name``;
planned date ← the meeting date; section (§) ← ``Section``; summary ← the proposal ("Päätösehdotus" in
``Motion``), or when there is none the decision ("Päätös" in ``Content``), or the presenter's reasoning.
Ahjo data is CC BY 4.0: the attribution is kept in the source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, Field, model_validator

from app.errors import FieldProblem
from app.opendecisions.common import (
    SOURCE_TEXT_LIMIT,
    Ident,
    Imported,
    Loose,
    Mapped,
    build,
    meeting_date,
    parse_record,
    record_path,
    safe_url,
    section,
    summary_text,
    text_or_none,
)
from app.opendecisions.text import Section, clean, sections

ATTRIBUTION = (
    "Lähde: Helsingin kaupungin päätösrajapinta. Aineiston ylläpitäjä on Helsingin kaupunginkanslia. (CC BY 4.0)"
)
PROPOSAL = ("päätösehdotus", "ehdotus", "beslutsförslag", "förslag")
DECISION = ("päätös", "beslut")
REASONING = ("esittelijän perustelut", "päätöksen perustelut", "föredragandens motivering", "motivering")
_AS_PROPOSED = re.compile(r"^(päätös on ehdotuksen mukainen|beslutet är enligt förslaget)\.?$", re.IGNORECASE)


def _alias(*names: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(*names))


class Link(Loose):
    rel: str | None = None
    href: str | None = None


class Organization(Loose):
    name: str | None = _alias("Name", "name")
    id: Ident | None = _alias("ID", "id")
    type: str | None = _alias("Type", "type")
    sector: str | None = _alias("Sector", "sector")
    links: list[Link] = Field(default_factory=list)


class Meeting(Loose):
    meeting_id: Ident | None = _alias("MeetingID", "meeting_id", "id")
    date: str | None = _alias("DateMeeting", "date")
    name: str | None = _alias("Name", "name")
    decision_maker: str | None = _alias("DecisionMaker", "decision_maker")
    links: list[Link] = Field(default_factory=list)


class Municipality(Loose):
    code: Ident | None = _alias("kuntanumero", "code")

    @model_validator(mode="before")
    @classmethod
    def _three_digits(cls, data: Any) -> Any:
        """A kuntanumero is three digits (Helsinki ``091``); sent as a JSON number (``91``) it lost its
        leading zeros, which would make it another municipality's code."""
        number = data.get("kuntanumero") if isinstance(data, Mapping) else None
        if isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= 999:
            return {**data, "kuntanumero": f"{number:03d}"}
        return data


class AhjoRecord(Loose):
    native_id: Ident | None = _alias("NativeId", "native_id", "source_id")
    title: str | None = _alias("Title", "title")
    case_id_label: Ident | None = _alias("CaseIDLabel", "case_id_label", "case_id")
    case_id: Ident | None = _alias("CaseID")
    section: Ident | None = _alias("Section", "section")
    content: str | None = _alias("Content")
    motion: str | None = _alias("Motion")
    decision: str | None = None
    proposal: str | None = None
    reasoning: str | None = None
    presenter: str | None = None
    classification_code: str | None = _alias("ClassificationCode", "classification_code")
    classification_title: str | None = _alias("ClassificationTitle", "classification_title")
    organization: Organization | None = _alias("Organization", "organization")
    meeting: Meeting | None = _alias("Meeting", "meeting")
    meeting_date: str | None = None
    meeting_id: Ident | None = None
    language: str | None = _alias("title_language", "language")
    links: list[Link] = Field(default_factory=list)
    ahjo_api_url: str | None = None
    municipality: Municipality | None = None


def _find(parts: list[Section], headings: tuple[str, ...]) -> str | None:
    for wanted in headings:
        for s in parts:
            if s.heading.strip().rstrip(":").casefold() == wanted and s.text:
                return s.text
    return None


def _texts(r: AhjoRecord) -> dict[str, str | None]:
    """The proposal, decision and reasoning as plain text, from the HTML documents or the text fields."""
    motion = sections(r.motion) if r.motion else []
    content = sections(r.content) if r.content else []
    return {
        "proposal": _find(motion, PROPOSAL) or text_or_none(r.proposal),
        "decision": _find(content, DECISION) or text_or_none(r.decision),
        "reasoning": _find(motion, REASONING) or _find(content, REASONING) or text_or_none(r.reasoning),
        "presenter": _find(motion, ("esittelijä",)) or text_or_none(r.presenter),
    }


SUMMARY_ORDER = ("proposal", "decision", "reasoning")


def _summary(texts: dict[str, str | None]) -> tuple[str, str | None]:
    """The proposal, unless it only says the decision follows it; then the decision; then the reasoning."""
    for key in SUMMARY_ORDER:
        text = texts[key]
        if text and not (key == "proposal" and _AS_PROPOSED.match(text) and (texts["decision"] or texts["reasoning"])):
            return text, key
    return "", None


def _self_link(links: list[Link]) -> str | None:
    return next((safe_url(link.href) for link in links if link.rel == "self" and safe_url(link.href)), None)


def _keep(text: str | None) -> str | None:
    return text[:SOURCE_TEXT_LIMIT] if text else None


def map_record(record: Mapping[str, Any]) -> Imported:
    r = parse_record(AhjoRecord, record)
    org = r.organization or Organization()
    meeting = r.meeting or Meeting()
    problems: list[FieldProblem] = []
    date_path = record_path(record, "Meeting.DateMeeting", "meeting.date", "meeting_date")
    planned = meeting_date(meeting.date or r.meeting_date, date_path, problems)
    texts = _texts(r)
    full, summary_from = _summary(texts)
    summary, truncated = summary_text(full)
    title = clean(r.title) if r.title else None
    body = clean(org.name or meeting.decision_maker or "") or None
    decision = build(
        Mapped(
            case_number=(clean(r.case_id_label or "") or None, record_path(record, "CaseIDLabel", "case_id")),
            title=(title, record_path(record, "Title", "title")),
            deciding_body=(body, record_path(record, "Organization.Name", "organization.name")),
            summary=summary,
            planned_date=planned,
            problems=problems,
            planned_date_path=date_path,
        ),
        "ahjo",
    )
    source: dict[str, Any] = {
        "format": "ahjo",
        "ids": {
            "native_id": r.native_id,
            "case_id": r.case_id_label,
            "meeting_id": meeting.meeting_id or r.meeting_id,
            "organization_id": org.id,
        },
        "urls": {
            "self": _self_link(r.links) or safe_url(r.ahjo_api_url),
            "organization": _self_link(org.links),
            "meeting": _self_link(meeting.links),
        },
        "organisation": {"name": body, "id": org.id, "type": org.type, "sector": org.sector},
        "meeting": {
            "id": meeting.meeting_id or r.meeting_id,
            "date": planned.isoformat() if planned else None,
            "name": meeting.name,
        },
        "section": section(r.section),
        "classification": {"code": r.classification_code, "title": r.classification_title},
        "title": title,
        "language": r.language,
        "presenter": texts["presenter"],
        "summary_from": summary_from,
        "summary_truncated": truncated,
        "proposal": _keep(texts["proposal"]),
        "decision": _keep(texts["decision"]),
        "reasoning": _keep(texts["reasoning"]) if summary_from == "reasoning" else None,
        "municipality_code": r.municipality.code if r.municipality else None,
        "attribution": ATTRIBUTION,
    }
    return Imported(decision, source)

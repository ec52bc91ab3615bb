"""6Aika Open Decision API → a decision. Pure: a posted record in, a ``DecisionCreate`` and a source out.

A record is one *action* (a body's handling of a case at a meeting) with its context, as the 6Aika
import format bundles it: ``organization`` → ``event`` (the meeting) → ``action`` → ``contents[]`` →
``case``. Both spellings seen in the wild are accepted: the API's snake_case (``register_id``,
``article_number``, ``start_date``, content ``hypertext``) and the import format's camelCase
(``registerId``, ``articleNumber``, ``startDate``, content ``content``); ``case`` may be one object or a
list; localised values may be strings or ``{"fi": …, "sv": …, "en": …}`` objects.

Mapping: case number ← ``case.register_id`` (else ``action.case_id``, else a "Dno" content); title ←
``case.title`` (else ``action.title``); deciding body ← ``organization.name``; planned date ← the
event's start date; section (§) ← ``action.article_number``; summary ← the proposal content
("Päätösehdotus", type ``proposal``), else the decision ("Päätös", type ``decision``), else the
description ("Kuvaus", "Selostus", ...). Content HTML is converted to text, never rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AliasChoices, Field

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
)
from app.opendecisions.text import clean, to_text

Language = Literal["fi", "sv", "en"]
Localised = str | dict[str, str | None]

KINDS: dict[str, tuple[str, ...]] = {
    "proposal": ("päätösehdotus", "ehdotus", "esitys", "pohjaehdotus", "beslutsförslag", "förslag", "proposal"),
    "decision": ("päätös", "beslut", "decision"),
    "description": (
        "kuvaus",
        "selostus",
        "asian kuvaus",
        "tiivistelmä",
        "esittelijän perustelut",
        "perustelut",
        "beskrivning",
        "sammanfattning",
        "motivering",
        "description",
        "summary",
    ),
}
CASE_NUMBER_TITLES = ("dno", "diaarinumero", "dnro", "diarienummer")
PRESENTER_TITLES = ("esittelijä", "esittelijät", "föredragande")


def _alias(*names: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(*names))


class Organization(Loose):
    name: Localised | None = None
    id: Ident | None = _alias("id", "sourceId", "source_id", "origin_id")
    classification: str | None = None


class Event(Loose):
    id: Ident | None = _alias("id", "sourceId", "source_id", "origin_id")
    name: Localised | None = None
    start_date: str | None = _alias("start_date", "startDate")
    url: str | None = None


class Action(Loose):
    id: Ident | None = _alias("id", "sourceId", "source_id", "origin_id")
    title: Localised | None = None
    article_number: Ident | None = _alias("article_number", "articleNumber")
    case_id: Ident | None = _alias("case_id", "caseId")
    ordering: int | None = None
    url: str | None = None


class Content(Loose):
    title: Localised | None = None
    type: str | None = None
    text: Localised | None = _alias("hypertext", "content", "text")
    ordering: int | None = _alias("ordering", "order")


class Case(Loose):
    id: Ident | None = _alias("id", "sourceId", "source_id", "origin_id")
    register_id: Ident | None = _alias("register_id", "registerId")
    title: Localised | None = None
    function: Ident | None = _alias("function_id", "functionId", "category_id")
    url: str | None = None


class SixAikaRecord(Loose):
    organization: Organization | None = None
    event: Event | None = None
    action: Action | None = None
    contents: list[Content] = Field(default_factory=list, validation_alias=AliasChoices("contents", "content"))
    case: Case | list[Case] | None = None


def pick(value: Localised | None, language: Language | None) -> str | None:
    """One language of a localised value: the requested one, else fi, sv, en, else any."""
    if value is None or isinstance(value, str):
        return value or None
    order = [language] if language else []
    for key in [*order, "fi", "sv", "en", *value.keys()]:
        text = value.get(key) if key else None
        if text:
            return text
    return None


def _text(value: Localised | None, language: Language | None) -> str | None:
    raw = pick(value, language)
    return clean(raw) or None if raw else None


def _contents(r: SixAikaRecord, language: Language | None) -> list[tuple[str, str | None, str]]:
    """(title, type, plain text) in the record's order."""
    ordered = sorted(enumerate(r.contents), key=lambda p: (p[1].ordering is None, p[1].ordering or 0, p[0]))
    result = []
    for _, c in ordered:
        raw = pick(c.text, language)
        result.append(((_text(c.title, language) or "").rstrip(":").strip(), c.type, to_text(raw) if raw else ""))
    return result


def _of_kind(contents: list[tuple[str, str | None, str]], kind: str) -> tuple[str, str] | None:
    for title, ctype, text in contents:
        if text and ((ctype or "").casefold() == kind or title.casefold() in KINDS[kind]):
            return title or kind, text
    return None


def _titled(contents: list[tuple[str, str | None, str]], titles: tuple[str, ...]) -> str | None:
    return next((text for title, _, text in contents if text and title.casefold() in titles), None)


def _case_paths(*keys: str) -> list[str]:
    return [f"case.{key}" for key in keys] + [f"case.0.{key}" for key in keys]


def map_record(record: Mapping[str, Any], language: Language | None = None) -> Imported:
    r = parse_record(SixAikaRecord, record)
    cases = r.case if isinstance(r.case, list) else [r.case] if r.case else []
    case = cases[0] if cases else Case()
    org, event, action = r.organization or Organization(), r.event or Event(), r.action or Action()
    contents = _contents(r, language)
    problems: list[FieldProblem] = []
    date_path = record_path(record, "event.start_date", "event.startDate")
    planned = meeting_date(event.start_date, date_path, problems)
    chosen = _of_kind(contents, "proposal") or _of_kind(contents, "decision") or _of_kind(contents, "description")
    full = chosen[1] if chosen else ""
    summary, truncated = summary_text(full)
    case_number = clean(case.register_id or action.case_id or _titled(contents, CASE_NUMBER_TITLES) or "")
    title = _text(case.title, language) or _text(action.title, language)
    body = _text(org.name, language)
    decision = build(
        Mapped(
            case_number=(case_number or None, record_path(record, *_case_paths("register_id", "registerId"))),
            title=(title, record_path(record, *_case_paths("title"), "action.title")),
            deciding_body=(body, record_path(record, "organization.name")),
            summary=summary,
            planned_date=planned,
            problems=problems,
            planned_date_path=date_path,
        ),
        "6aika",
    )
    source: dict[str, Any] = {
        "format": "6aika",
        "ids": {
            "case_register_id": case.register_id,
            "case_id": case.id,
            "action_id": action.id,
            "event_id": event.id,
            "organization_id": org.id,
            "function_id": case.function,
        },
        "urls": {"case": safe_url(case.url), "action": safe_url(action.url), "event": safe_url(event.url)},
        "organisation": {"name": body, "id": org.id, "classification": org.classification},
        "meeting": {
            "id": event.id,
            "name": _text(event.name, language),
            "date": planned.isoformat() if planned else None,
        },
        "section": section(action.article_number),
        "title": title,
        "language": language,
        "presenter": _titled(contents, PRESENTER_TITLES),
        "summary_from": chosen[0] if chosen else None,
        "summary_truncated": truncated,
        "proposal": full[:SOURCE_TEXT_LIMIT] or None,
        "contents": [title for title, _, _ in contents if title],
    }
    return Imported(decision, source)

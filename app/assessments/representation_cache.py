"""Serialised API representations of one version of an assessment, kept per process.

``GET /assessments/{id}`` and ``GET /assessments/{id}/summary`` store the JSON they send here; the
fast path (``app/db/loop_db.py``) serves it again once the database has confirmed, in one
statement, that the caller's token may read the assessment and that this is still its current version.

Pages of the assessment list (``GET /assessments``) are kept too, by municipality, query and the head of
the municipality's audit chain (:func:`list_key`), and so are the portfolios (``GET /portfolio/impacts``):
a municipality's by the head of its chain, a country's by the summary tables' token
(``PortfolioState``, :func:`portfolio_key`); and an assessment's decision-summary PDFs by the head of its
municipality's chain (:func:`pdf_key`), and the web form of a perspective × target per user
(:func:`page_key`).

The key holds everything the representation depends on: the assessment, its lock version and its
last change (every change bumps one or both: ``service.begin_edit``, the review transitions, the review
date) and, for the summary, the weights it is scored with (a draft follows its municipality's current
weights). The pinned rubric and extensions change only with a new lock version. So a cached answer is
never stale; losing the cache costs one recomputation. Bounded: at most 512 entries and 32 MB.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

MAX_ENTRIES = 512

Kind = Literal["assessment", "summary", "list", "portfolio", "pdf", "page"]
MAX_BYTES = 32 * 1024 * 1024
"""And at most this much in all (a decision-summary PDF is about 60–200 KB)."""
NATIONAL = uuid.UUID(int=0)
"""The owner of the keys of a country's portfolio (the same for every municipality of the country)."""
Key = tuple[str, uuid.UUID, int, str, Hashable]


class Representation(NamedTuple):
    body: bytes
    etag: str | None
    gaps: tuple[int, ...] = ()
    """Offsets in ``body`` where a per-request value goes (a kept web page's CSRF token)."""


_entries: OrderedDict[Key, Representation] = OrderedDict()
_lock = threading.Lock()
_bytes = 0


def key(kind: Kind, assessment_id: uuid.UUID, lock_version: int, updated_at: datetime, weights: Any = None) -> Key:
    stamp = (updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    scored_with = json.dumps(weights or {}, sort_keys=True, separators=(",", ":")) if kind == "summary" else ""
    return (kind, assessment_id, lock_version, stamp, scored_with)


def list_key(municipality_id: uuid.UUID, chain_head: str, params: Hashable) -> Key:
    """A page of the municipality's assessment list as of its audit chain's head: every change in the
    municipality appends an audit event and so moves the head (a hash: after a restore, an earlier
    state's head keys that earlier state's content)."""
    return ("list", municipality_id, 0, chain_head, params)


def portfolio_key(municipality_id: uuid.UUID | None, head: str, params: Hashable) -> Key:
    """A municipality's portfolio as of its chain's head or, without ``municipality_id``, a country's as of
    the summary tables' token (``PortfolioState``). The summary tables behind both change only with
    approvals, which are audited in their municipality's chain and give the tables a new token."""
    return ("portfolio", municipality_id or NATIONAL, 0, head, params)


def pdf_key(assessment_id: uuid.UUID, chain_head: str, lang: str, variant: str) -> Key:
    """An assessment's decision-summary PDF as of its municipality's chain's head: everything the PDF
    shows (the assessment, its decision, the municipality's brand) changes only with an audited change
    in that municipality; the rubric and the template only with a new release, which restarts the
    process."""
    return ("pdf", assessment_id, 0, chain_head, (lang, variant))


def page_key(assessment_id: uuid.UUID, chain_head: str, params: Hashable) -> Key:
    """A web page of an assessment for one user (``params``: the path, the language, the user and the
    role) as of its municipality's chain's head, like :func:`pdf_key`; the user's name and the
    municipality's settings in the page's header change only with audited changes too. What is not
    audited (the session, the user's unsaved drafts) is checked per request: ``app/web/kept_pages.py``."""
    return ("page", assessment_id, 0, chain_head, params)


def get(k: Key) -> Representation | None:
    with _lock:
        found = _entries.get(k)
        if found is not None:
            _entries.move_to_end(k)
        return found


def put(k: Key, value: Representation) -> None:
    global _bytes
    with _lock:
        replaced = _entries.get(k)
        _bytes += len(value.body) - (len(replaced.body) if replaced is not None else 0)
        _entries[k] = value
        _entries.move_to_end(k)
        while len(_entries) > MAX_ENTRIES or _bytes > MAX_BYTES:
            _bytes -= len(_entries.popitem(last=False)[1].body)


def clear() -> None:
    global _bytes
    with _lock:
        _entries.clear()
        _bytes = 0

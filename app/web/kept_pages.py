"""Web pages of an assessment kept per change (PostgreSQL; the web side of ``app/api/fast_path.py``).

The rating form of one perspective × target is the heaviest page an official opens (about 120 KB of
HTML: every criterion with its radio groups and text fields) and costs 15–20 ms of CPU to build on the
ordinary path: the session, the assessment, its decision, alternatives, screening, ratings and the
user's draft through the ORM, each in the thread pool, then the template. Everything it shows changes only
with an audited change in the assessment's municipality (the assessment and its ratings, the decision,
the municipality's name in the header, the user) and so moves the head of that municipality's audit
chain; what is not audited is checked on every request, in the one statement that also reads the head
(``LoopDatabase.web_page``): the session (not expired, its user active), the assessment being of the
user's municipality, and the user's unsaved draft of this form (a page with a draft is built the
ordinary way, which restores it).

A page is kept per user, role, path and language, with the session's CSRF token cut out; a kept page
is sent with the requesting session's token put back. It is kept from its second building under the same
head: the form an official opens right after saving another (the save moved the head) is usually seen
once, and keeping those 120 KB pages would only push other kept answers out of the bounded cache.

A flash message, an unknown session or any doubt takes the ordinary path, which decides every redirect
and refusal itself. ``LIVSKRAFT_FAST_READS=false`` turns this off with the other kept representations.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.assessments import representation_cache as cache
from app.auth.web_sessions import WebLogin, hash_session_token
from app.db.loop_db import LoopDatabase
from app.web.deps import FLASH_COOKIE, SESSION_COOKIE, full_path

CSRF_SLOT = b"\x00csrf-token\x00"
"""Stands for the session's CSRF token in a kept page (NUL never reaches the HTML of a page)."""
served = 0
"""Pages sent from the kept copy in this process (tests and benchmarks read it)."""
SEEN_MAX = 4096
_seen: OrderedDict[cache.Key, None] = OrderedDict()
"""Keys of pages built once (only ever touched on the event loop: no lock)."""


@dataclass(frozen=True)
class Lookup:
    """A kept page ready to send, or the key the ordinary path keeps its page under (both may be None)."""

    response: Response | None = None
    key: cache.Key | None = None
    user_id: uuid.UUID | None = None
    role: str | None = None


NOTHING = Lookup()


def html(body: bytes) -> HTMLResponse:
    response = HTMLResponse(body)
    response.headers["Cache-Control"] = "no-store"
    return response


async def lookup(request: Request, lang: str, assessment_id: uuid.UUID, form_key: str) -> Lookup:
    """The kept page for this request, or the key to keep the ordinary path's page under."""
    global served
    db: LoopDatabase | None = getattr(request.app.state, "loop_db", None)
    token = request.cookies.get(SESSION_COOKIE)
    if db is None or not db.reads or not token or len(token) > 200 or request.cookies.get(FLASH_COOKIE):
        return NOTHING
    access = await db.web_page(hash_session_token(token), assessment_id, form_key)
    if access is None or not access.usable or not access.assessment_found or access.draft_found:
        return NOTHING
    key = cache.page_key(
        assessment_id, access.municipality_head, (full_path(request), lang, access.user_id, access.role)
    )
    found = cache.get(key)
    if found is None:
        return Lookup(None, key, access.user_id, access.role)
    served += 1
    return Lookup(html(fill(found, access.csrf_token.encode("ascii"))), key)


def fill(kept: cache.Representation, token: bytes) -> bytes:
    """The kept page with ``token`` in its slots, found when it was kept: searching 120 KB for them
    on every request cost 58 µs, this join 3 µs (docs/benchmarks.md)."""
    view = memoryview(kept.body)
    pieces, start = [], 0
    for at in kept.gaps:
        pieces.append(view[start:at])
        start = at + len(CSRF_SLOT)
    pieces.append(view[start:])
    return token.join(pieces)


def _slots(body: bytes) -> tuple[int, ...]:
    found: list[int] = []
    at = body.find(CSRF_SLOT)
    while at >= 0:
        found.append(at)
        at = body.find(CSRF_SLOT, at + len(CSRF_SLOT))
    return tuple(found)


def keep(found: Lookup, login: WebLogin, response: Response, restored_draft: bool) -> Response:
    """Keep the page the ordinary path built after ``found`` read the chain's head (so the page is at
    least as new as the head in its key), if it is the page that key stands for (a 200 without a
    restored draft, for the same user and role) and was built once before under that key."""
    if (
        found.key is not None
        and response.status_code == 200
        and not restored_draft
        and login.user.id == found.user_id
        and login.user.role == found.role
        and _built_before(found.key)
    ):
        body = bytes(response.body).replace(login.csrf_token.encode("ascii"), CSRF_SLOT)
        cache.put(found.key, cache.Representation(body, None, _slots(body)))
    return response


def _built_before(key: cache.Key) -> bool:
    """Whether a page was built under ``key`` before; remembers that it now has been."""
    if key in _seen:
        del _seen[key]
        return True
    _seen[key] = None
    if len(_seen) > SEEN_MAX:
        _seen.popitem(last=False)
    return False

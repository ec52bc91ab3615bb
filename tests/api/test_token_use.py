"""When each API token was last used (``api_token.last_used_at``, shown on the admin's token list):
written after the answer, at most once an hour per token, never for a refused token."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.api import middleware
from app.auth.actor import system_actor
from app.auth.tokens import hash_token, revoke_token
from app.db.session import unit_of_work
from tests.support import Api, session


def _last_used(token: str) -> datetime | None:
    with session() as s:
        value = s.execute(
            text("SELECT last_used_at FROM api_token WHERE token_hash = :h"), {"h": hash_token(token)}
        ).scalar_one()
    if isinstance(value, str):  # SQLite hands back the stored text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _recorded(token: str) -> datetime:
    """The token's last use, once recorded (the record is written just after the answer)."""
    deadline = time.monotonic() + 10
    while (value := _last_used(token)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert value is not None, "the use was not recorded"
    return value


def _settled() -> None:
    """Time for a record that should not happen to have happened."""
    time.sleep(0.5)


def _set_last_used(token: str, value: datetime) -> None:
    with session() as s:
        s.execute(
            text("UPDATE api_token SET last_used_at = :v WHERE token_hash = :h"),
            {"v": value.replace(tzinfo=None) if s.bind.dialect.name == "sqlite" else value, "h": hash_token(token)},
        )
        s.commit()


def test_a_token_records_its_use_once_an_hour(api: Api) -> None:
    assert _last_used(api.token) is None, "a new token has not been used"
    before = datetime.now(UTC)
    assessment = api.create_assessment()
    first = _recorded(api.token)
    assert before - timedelta(seconds=5) <= first <= datetime.now(UTC)

    # reads, the fast path's kept answers included, within the hour write nothing more
    for _ in range(3):
        assert api.get(f"/api/v1/assessments/{assessment['id']}").status_code == 200
        assert api.get(f"/api/v1/assessments/{assessment['id']}/summary").status_code == 200
    _settled()
    assert _last_used(api.token) == first

    # an hour later (the record set back, this process's note of it forgotten) the next read records it
    _set_last_used(api.token, first - timedelta(hours=2))
    middleware._uses_recorded.clear()
    assert api.get("/api/v1/assessments").status_code == 200
    deadline = time.monotonic() + 10
    while (again := _last_used(api.token)) is not None and again < first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert again is not None and again > first - timedelta(seconds=1)


def test_a_refusal_for_rights_is_a_use_an_unknown_or_revoked_token_records_nothing(api: Api, client) -> None:
    reader = Api.for_new_municipality(client, "091", ("read",))
    r = reader.post("/api/v1/decisions", {"case_number": "KS 2026/9", "title": "x"})
    assert r.status_code == 403, r.text
    _recorded(reader.token)  # the token was valid: it was used

    revoked = Api.for_new_municipality(client, "091", ("read",))
    with session() as s:
        [(token_id, municipality_id)] = s.execute(
            text("SELECT id, municipality_id FROM api_token WHERE token_hash = :h"), {"h": hash_token(revoked.token)}
        ).all()
    with unit_of_work() as s:
        revoke_token(s, system_actor(uuid.UUID(str(municipality_id)), "091"), uuid.UUID(str(token_id)))
    assert revoked.get("/api/v1/assessments").status_code == 401
    _settled()
    assert _last_used(revoked.token) is None

    unknown = Api(client, "lk_" + "x" * 43)
    assert unknown.get("/api/v1/assessments").status_code == 401

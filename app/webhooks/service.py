"""Webhook subscriptions of a municipality (admin right), and the outbox of events to deliver.

Events are written as delivery rows in the same transaction as the change they report (the outbox
pattern): a rolled-back change sends nothing, a committed one is delivered even if the process dies
right after. The dispatcher (``delivery.py``) sends them later, signed, with retries.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from app.assessments import repository as assessments_repo
from app.assessments.models import Assessment
from app.audit import service as audit
from app.auth.actor import Actor
from app.db.base import utcnow
from app.errors import NotFound, PreconditionFailed, ValidationFailed
from app.settings import get_settings
from app.webhooks import repository as repo
from app.webhooks import urls
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import EVENTS, DeliveryPublic, WebhookCreate, WebhookPublic, WebhookUpdate
from app.webhooks.signing import new_secret

if TYPE_CHECKING:  # the API parses the header; the service only asks whether it matches
    from app.api.deps import IfMatch

STATE_FIELDS = ("url", "events", "description", "active")


def state(sub: WebhookSubscription) -> dict[str, Any]:
    """What a client can change, hence what the ETag stands for (the table has no version column)."""
    return {key: getattr(sub, key) for key in STATE_FIELDS}


def etag(sub: WebhookSubscription) -> str:
    canonical = json.dumps(state(sub), sort_keys=True, separators=(",", ":"))
    return '"w' + hashlib.sha256(canonical.encode()).hexdigest()[:20] + '"'


def matches(sub: WebhookSubscription, if_match: IfMatch) -> bool:
    """``If-Match`` as on every route (``app/api/deps.py``: RFC 9110, a list or ``*``, strongly)."""
    return if_match.matches(etag(sub))


def _stale() -> PreconditionFailed:
    return PreconditionFailed("the webhook subscription was changed by someone else; reload and try again")


def public(sub: WebhookSubscription, municipality_code: str) -> WebhookPublic:
    return WebhookPublic(
        id=sub.id,
        municipality=municipality_code,
        url=sub.url,
        events=[e for e in sub.events.split(",") if e in EVENTS],
        description=sub.description,
        active=sub.active,
        created_at=sub.created_at,
        secret_hint="…" + sub.secret[-4:],
    )


def delivery_public(d: WebhookDelivery) -> DeliveryPublic:
    return DeliveryPublic.model_validate(
        {**d.model_dump(), "next_attempt_at": d.next_attempt_at if d.status in ("pending", "sending") else None}
    )


def _check_url(url: str) -> None:
    problems = urls.check(url, allow_private=get_settings().webhook_allow_private)
    if problems:
        raise ValidationFailed("the webhook URL cannot be used; see errors", errors=problems)


def create(session: Session, actor: Actor, data: WebhookCreate) -> WebhookSubscription:
    """Create a subscription with a new signing secret (returned once, by the API, in the answer)."""
    actor.require("admin")
    _check_url(data.url)
    sub = WebhookSubscription(
        municipality_id=actor.municipality_id,
        url=data.url,
        secret=new_secret(),
        events=",".join(data.events),
        description=data.description,
        active=data.active,
    )
    session.add(sub)
    session.flush()
    audit.record(session, actor, "webhook.created", "webhook_subscription", sub.id, None, state(sub))
    return sub


def list_subscriptions(session: Session, actor: Actor) -> list[WebhookSubscription]:
    actor.require("admin")
    return list(repo.list_subscriptions(session, actor.municipality_id))


def get(session: Session, actor: Actor, subscription_id: uuid.UUID) -> WebhookSubscription:
    actor.require("admin")
    sub = repo.get_subscription(session, actor.municipality_id, subscription_id)
    if sub is None:
        raise NotFound("webhook subscription not found")
    return sub


def update(
    session: Session, actor: Actor, sub: WebhookSubscription, data: WebhookUpdate, if_match: IfMatch
) -> WebhookSubscription:
    actor.require("admin")
    changes = data.model_dump(exclude_unset=True)  # url, events, active: null is refused by the schema
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    if "events" in changes:
        changes["events"] = ",".join(changes["events"])
    if "url" in changes:
        _check_url(changes["url"])
    if not matches(sub, if_match):
        raise _stale()
    if all(getattr(sub, key) == value for key, value in changes.items()):
        return sub  # nothing changes ({} or the values it has): as it is, with its ETag, and no event
    before = state(sub)
    if not repo.compare_and_set(session, sub, before, changes):
        raise PreconditionFailed("the webhook subscription was changed by someone else; reload and try again")
    session.refresh(sub)
    if before.get("active") and not sub.active:  # paused: what was waiting is not sent later, nor elsewhere
        repo.cancel_pending(session, sub.id, "the subscription was deactivated")
    audit.record(session, actor, "webhook.updated", "webhook_subscription", sub.id, before, state(sub))
    return sub


def delete(session: Session, actor: Actor, sub: WebhookSubscription, if_match: IfMatch) -> None:
    """Delete a subscription and its delivery history; pending deliveries are never sent."""
    actor.require("admin")
    before = state(sub)
    if not matches(sub, if_match):
        raise _stale()
    if not repo.delete_subscription(session, sub, before):
        raise PreconditionFailed("the webhook subscription was changed by someone else; reload and try again")
    session.expunge(sub)
    audit.record(session, actor, "webhook.deleted", "webhook_subscription", sub.id, before, None)


def deliveries(
    session: Session,
    actor: Actor,
    sub: WebhookSubscription,
    limit: int,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> list[WebhookDelivery]:
    actor.require("admin")
    return list(repo.list_deliveries(session, sub.id, limit, status, after))


def enqueue(session: Session, municipality_id: uuid.UUID, event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Write one delivery per active subscription of the municipality to ``event``, in the caller's
    transaction. Nothing is sent here."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    rows = [
        WebhookDelivery(subscription_id=sub.id, municipality_id=municipality_id, event=event, payload=payload)
        for sub in repo.subscribers(session, municipality_id, event)
    ]
    session.add_all(rows)
    return rows


def assessment_payload(session: Session, actor: Actor, assessment: Assessment) -> dict[str, Any]:
    """The data of an assessment event. Links are root-relative paths (`/api/v1/…`)."""
    decision = assessments_repo.get_decision(session, assessment.municipality_id, assessment.decision_id)
    aid, did = str(assessment.id), str(assessment.decision_id)
    return {
        "municipality": actor.municipality_code,
        "assessment_id": aid,
        "decision_id": did,
        "case_number": decision.case_number if decision else None,
        "title": decision.title if decision else None,
        "status": assessment.status,
        "version_no": assessment.version_no,
        "actor": actor.label,
        "occurred_at": utcnow().isoformat(),
        "links": {
            "assessment": f"/api/v1/assessments/{aid}",
            "decision": f"/api/v1/decisions/{did}",
            "summary": f"/api/v1/assessments/{aid}/summary",
            "report": f"/api/v1/assessments/{aid}/report",
        },
    }

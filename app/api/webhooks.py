"""Webhook subscriptions of the token's municipality (admin right) and their deliveries."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response, status

from app.api.deps import ActorDep, AdminOnly, IfMatchTagDep, SessionDep
from app.api.pagination import MAX_LIMIT, as_datetime, as_uuid, cursor_tag, decode_cursor, encode_cursor
from app.api.problems import responses
from app.routing import Router
from app.webhooks import service
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import (
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookUpdate,
)

router = Router(prefix="/api/v1/webhooks", tags=["webhooks"], dependencies=[AdminOnly])

ABOUT = """Every delivery is a POST of JSON `{"id", "event", "created_at", "data"}` with the headers
`Livskraft-Event`, `Livskraft-Delivery` (the delivery id, the same on every retry) and
`Livskraft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`.
Answer 2xx within 10 seconds; anything else is retried after 10 s, 1 min, 5 min, 30 min, 2 h and 6 h.
See docs/webhooks.md."""


WEBHOOK_LINKS = {
    op: {"operationId": op, "parameters": {"webhook_id": "$response.body#/id"}}
    for op in ("get_webhook", "update_webhook", "delete_webhook", "list_deliveries")
}


def subscription_dep(webhook_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> WebhookSubscription:
    return service.get(session, actor, webhook_id)


SubscriptionDep = Annotated[WebhookSubscription, Depends(subscription_dep)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a URL to events",
    description="Admin right. The URL must be https on a public host (private, loopback, link-local and "
    "reserved addresses are refused). The answer carries the signing `secret` — the only time it is "
    "shown.\n\n" + ABOUT,
    responses={
        **responses(401, 403, 409, 413, 415, 422),  # 409: a request with its Idempotency-Key still runs
        201: {"description": "Created", "links": WEBHOOK_LINKS},
    },
)
def create_webhook(data: WebhookCreate, session: SessionDep, actor: ActorDep, response: Response) -> WebhookCreated:
    sub = service.create(session, actor, data)
    response.headers["ETag"] = service.etag(sub)
    response.headers["Location"] = f"/api/v1/webhooks/{sub.id}"
    return WebhookCreated(**service.public(sub, actor.municipality_code).model_dump(), secret=sub.secret)


@router.get(
    "",
    summary="List webhook subscriptions",
    description="Admin right. The municipality's subscriptions, oldest first; secrets are never shown.",
    responses=responses(401, 403, 422),
)
def list_webhooks(session: SessionDep, actor: ActorDep) -> list[WebhookPublic]:
    return [service.public(s, actor.municipality_code) for s in service.list_subscriptions(session, actor)]


@router.get(
    "/{webhook_id}",
    summary="Read a webhook subscription",
    description="Admin right. The `ETag` is needed to change or delete it.",
    responses=responses(401, 403, 404, 422),
)
def get_webhook(sub: SubscriptionDep, actor: ActorDep, response: Response) -> WebhookPublic:
    response.headers["ETag"] = service.etag(sub)
    return service.public(sub, actor.municipality_code)


@router.patch(
    "/{webhook_id}",
    summary="Change a webhook subscription",
    description="Admin right. Change the URL, the events, the description, or pause it with "
    '`{"active": false}` (deliveries not yet sent are then cancelled). Send `If-Match`.',
    responses=responses(401, 403, 404, 412, 413, 415, 422, 428),
)
def update_webhook(
    data: WebhookUpdate,
    sub: SubscriptionDep,
    expected: IfMatchTagDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> WebhookPublic:
    sub = service.update(session, actor, sub, data, expected)
    response.headers["ETag"] = service.etag(sub)
    return service.public(sub, actor.municipality_code)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook subscription",
    description="Admin right. Deletes the subscription and its delivery history. Send `If-Match`.",
    responses=responses(401, 403, 404, 412, 422, 428),
)
def delete_webhook(sub: SubscriptionDep, expected: IfMatchTagDep, session: SessionDep, actor: ActorDep) -> Response:
    service.delete(session, actor, sub, expected)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


DELIVERIES_CURSOR = cursor_tag("webhook-deliveries", "created_at", "desc")
NEXT_PAGE = {
    "Link": {
        "description": 'The next page, when there is one: `</api/v1/webhooks/{id}/deliveries?…&cursor=…>; rel="next"` '
        "(RFC 8288); absent on the last page",
        "schema": {"type": "string"},
    }
}


@router.get(
    "/{webhook_id}/deliveries",
    summary="List the deliveries of a subscription",
    description="Admin right. Newest first (by creation, ties by id): each event sent (or to be sent) with "
    "its attempts, the last status code or error, when the next attempt is due and when it was delivered. "
    'A page at a time: while there are more, the `Link` header names the next page (`rel="next"`, the '
    "same query with `cursor`); follow it until there is none. The body stays a JSON array.",
    responses={**responses(401, 403, 404, 422), 200: {"description": "Successful Response", "headers": NEXT_PAGE}},
)
def list_deliveries(
    sub: SubscriptionDep,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many, newest first")] = 50,
    state: Annotated[DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state")] = None,
    cursor: Annotated[
        str | None,
        Query(max_length=500, description="The cursor of the `Link` header's next page, with the same `status`"),
    ] = None,
) -> list[DeliveryPublic]:
    raw = decode_cursor(cursor, DELIVERIES_CURSOR, as_datetime, as_uuid)
    after = (raw[0], raw[1]) if raw is not None else None
    rows = service.deliveries(session, actor, sub, limit + 1, state, after)
    if len(rows) > limit:
        last = rows[limit - 1]
        query = {"limit": str(limit), **({"status": state} if state else {})}
        query["cursor"] = encode_cursor(DELIVERIES_CURSOR, [last.created_at, str(last.id)])
        response.headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
    return [service.delivery_public(d) for d in rows[:limit]]

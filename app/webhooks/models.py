from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import JSONType, UTCDateTime


class WebhookSubscription(SQLModel, table=True):
    """A subscriber URL of one municipality. The signing secret must be recoverable to compute the
    HMAC, so it is stored; it is shown once at creation and never returned by the API afterwards."""

    __tablename__ = "webhook_subscription"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=128)
    events: str = Field(max_length=300, description="comma-separated event types")
    description: str = Field(default="", max_length=300)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription (an outbox row written in the same transaction as the change)."""

    __tablename__ = "webhook_delivery"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscription.id", index=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    event: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    status: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_status_code: int | None = None
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

"""What the webhook API exchanges. The secret appears once, in the answer to the creation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from app.assessments.schemas import NotNull
from app.text import CLEAN_TEXT

EventName = Literal["assessment.submitted", "assessment.approved", "assessment.returned"]
EVENTS: tuple[str, ...] = get_args(EventName)
DeliveryStatus = Literal["pending", "sending", "delivered", "failed", "cancelled"]

_CLEAN = CLEAN_TEXT.replace("^[^", "^[^\\t\\n\\r", 1)
"""The text rule of every typed text (``app/text.py``: no control characters, bidirectional embeddings,
overrides or isolates, noncharacters), and one line: no tab or line break either (a URL, a description).
The schema states it as one pattern; the check is the text rule's pattern (refused in its words, as every
field's) and then :func:`_one_line`."""
_BREAKS = {"\t": "U+0009 CHARACTER TABULATION", "\n": "U+000A LINE FEED", "\r": "U+000D CARRIAGE RETURN"}


def _one_line(value: str) -> str:
    """A tab or line break refused in words, as the text rule refuses its characters (``app/text.py``)."""
    at = next((i for i, char in enumerate(value) if char in _BREAKS), None)
    if at is not None:
        raise PydanticCustomError(
            "string_pattern_mismatch",
            "must be one line: no tab or line break; found {found}",
            {"found": f"{_BREAKS[value[at]]} at character {at + 1}"},
        )
    return value


_ONE_LINE = (AfterValidator(_one_line), Field(json_schema_extra={"pattern": _CLEAN}))
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=CLEAN_TEXT), *_ONE_LINE
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300, pattern=CLEAN_TEXT), *_ONE_LINE]
Events = Annotated[list[EventName], Field(min_length=1, max_length=len(EVENTS))]

_EXAMPLE: dict[str, Any] = {
    "url": "https://diarium.example.fi/hooks/livskraft",
    "events": ["assessment.submitted", "assessment.approved"],
    "description": "Diarium: attach approved assessments to the case",
}


def _unique(events: list[str]) -> list[str]:
    return sorted(set(events), key=EVENTS.index)


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    url: Url = Field(description="https URL of a public host; it receives a signed POST per event")
    events: Events = Field(description="The events to receive")
    description: Description = ""
    active: StrictBool = True

    @field_validator("events")
    @classmethod
    def _dedupe_events(cls, v: list[str]) -> list[str]:
        return _unique(v)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"active": False}, {"events": ["assessment.approved"]}]}
    )

    url: NotNull[Url] = None
    events: NotNull[Events] = None
    description: Description | None = Field(default=None, description="null or an empty string clears it")
    active: NotNull[StrictBool] = None

    @field_validator("events")
    @classmethod
    def _dedupe_events(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _unique(v)


class WebhookPublic(BaseModel):
    id: uuid.UUID
    municipality: str
    url: str
    events: list[EventName]
    description: str
    active: bool
    created_at: datetime
    secret_hint: str = Field(description="The last four characters of the secret, to tell secrets apart")


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="The signing secret. Shown only in this answer: store it now; it is never shown again."
    )


class DeliveryPublic(BaseModel):
    id: uuid.UUID = Field(description="Also sent as the `Livskraft-Delivery` header; the same on every retry")
    subscription_id: uuid.UUID
    event: EventName
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the next attempt is due (pending deliveries)")
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]

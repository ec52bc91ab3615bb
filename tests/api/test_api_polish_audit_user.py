"""`GET /audit-events` shows who acted by their user id too (`actor_user_id`, migration 0014): the
person's id for a personal token, null for a system token; declared in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from tests.support import Api, make_token, make_user


def test_each_event_names_the_acting_user_by_id(client: Any) -> None:
    olli = make_user("091", "olli@hel.fi", "official")
    personal = Api(client, make_token("091", ("read", "write"), olli.id))
    system = Api(client, make_token("091", ("read", "write")))
    mine = personal.create_assessment("KS 2026/1")
    theirs = system.create_assessment("KS 2026/2")
    events = system.get("/api/v1/audit-events").json()["items"]
    by_resource = {e["resource_id"]: e for e in events if e["action"] == "assessment.created"}
    assert by_resource[mine["id"]]["actor_user_id"] == str(olli.id)
    assert by_resource[mine["id"]]["actor"].startswith("Olli")
    assert by_resource[theirs["id"]]["actor_user_id"] is None  # a system token: no person acted
    assert all("actor_user_id" in e for e in events)


def test_the_openapi_document_declares_it(client: Any) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AuditEventPublic"]
    member = schema["properties"]["actor_user_id"]
    assert {"type": "string", "format": "uuid"} in member["anyOf"] and {"type": "null"} in member["anyOf"]
    assert "migration 0014" in member["description"]
    assert "actor_user_id" in schema["required"]  # always sent, null when no person acted


def test_the_assessment_history_names_the_user_and_is_typed(client: Any) -> None:
    olli = make_user("091", "olli@hel.fi", "official")
    personal = Api(client, make_token("091", ("read", "write"), olli.id))
    mine = personal.create_assessment("KS 2026/3")
    [created] = [e for e in personal.get(f"/api/v1/assessments/{mine['id']}/history").json() if e["seq"]][:1]
    assert created["actor_user_id"] == str(olli.id) and created["at"].startswith("20")
    spec = client.get("/openapi.json").json()
    history = spec["paths"]["/api/v1/assessments/{assessment_id}/history"]["get"]["responses"]["200"]
    assert history["content"]["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/HistoryEvent"}
    for name in ("HistoryEvent", "AuditEventPublic"):
        at = spec["components"]["schemas"][name]["properties"]["at"]
        assert (at["type"], at["format"]) == ("string", "date-time")

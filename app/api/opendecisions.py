"""Create decisions from records in the Finnish open decision formats (6Aika, Helsinki Ahjo)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.decisions import DECISION_LINKS
from app.api.deps import ActorDep, SessionDep
from app.api.problems import responses
from app.assessments.schemas import DecisionPublic
from app.assessments.views import decision_public, etag
from app.opendecisions import service
from app.routing import Router

router = Router(prefix="/api/v1/decisions", tags=["decisions"])


class DecisionImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["6aika", "ahjo"] = Field(
        description="`6aika`: one action of the 6Aika Open Decision API with its organization, event, "
        "contents and case. `ahjo`: one decision of the Helsinki Ahjo decisions API."
    )
    record: dict[str, Any] = Field(
        description="The record as published, unchanged. Unknown fields are ignored; HTML fields are "
        "converted to plain text."
    )
    language: Literal["fi", "sv", "en"] | None = Field(
        default=None,
        description='Which language to take from localised 6Aika values (`{"fi": …, "sv": …}`); '
        "default: fi, then sv, then en.",
    )


EXAMPLES: dict[str, Any] = {
    "6aika": {
        "summary": "6Aika: Mikkeli city board 5.6.2017 § 207",
        "value": {
            "format": "6aika",
            "record": {
                "organization": {"sourceId": "11217", "name": "Kaupunginhallitus", "classification": "hallitus"},
                "event": {"sourceId": 12381, "name": "Kokous 5.6.2017", "startDate": "2017-06-05T00:00:00+03:00"},
                "action": {"sourceId": 4032, "title": "Konserni- ja elinvoimajaoston 2017-2019 asettaminen",
                           "articleNumber": "207", "caseId": "MliDno-2017-1220"},
                "contents": [
                    {"order": 2, "title": "Päätösehdotus",
                     "content": "<p>Kaupunginhallitus esittää kaupunginvaltuustolle, että se valitsee "
                                "konserni- ja elinvoimajaostoon seitsemän (7) varsinaista jäsentä.</p>"}
                ],
                "case": [{"registerId": "MliDno-2017-1220",
                          "title": "Konserni- ja elinvoimajaoston 2017-2019 asettaminen"}],
            },
        },
    },
    "ahjo": {
        "summary": "Ahjo: Helsinki city board 13.12.2021 § 928",
        "value": {
            "format": "ahjo",
            "record": {
                "NativeId": "{89DED87F-6234-4B7D-8AFD-B63401C8C615}",
                "Title": "Rahoituksen myöntäminen nuorten palkkaamiseksi Siisti kesä -hankkeeseen kesäkaudelle 2022",
                "CaseIDLabel": "HEL 2021-012226",
                "Section": "928",
                "Motion": "<div class=\"SisaltoSektio\"><h3 class=\"SisaltoOtsikko\">Päätösehdotus</h3>"
                          "<p>Kaupunginhallitus päättää myöntää 970 770 euroa nuorten kesätyöntekijöiden "
                          "palkkaamiseen Siisti kesä -hankkeeseen.</p></div>",
                "Organization": {"Name": "Kaupunginhallitus", "ID": "00400", "Type": "Hallitus"},
                "Meeting": {"MeetingID": "00400202146", "DateMeeting": "2021-12-13T16:00:00.000"},
            },
        },
    },
}  # fmt: skip


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    summary="Create a decision from an open decision record",
    responses={**responses(401, 403, 409, 413, 415, 422), 201: {"description": "Created", "links": DECISION_LINKS}},
)
def import_decision(
    data: Annotated[DecisionImport, Body(openapi_examples=EXAMPLES)],
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> DecisionPublic:
    """Create a decision from a record in a Finnish open decision format, posted as JSON.

    Mapped: title, case number (6Aika `case.register_id`; Ahjo `CaseIDLabel`), deciding body
    (organisation name), meeting date → `planned_date`, and the proposal text → `summary` (Ahjo's
    "Päätösehdotus", else "Päätös"; cut at 20,000 characters with a `[…]` marker). The reference to the
    source — format, ids, links, organisation, meeting, section (§) and the full proposal text — is kept
    in `source`. A missing or malformed field is a 422 naming it as `record.<path>`; a case number that
    already exists in the municipality is a 409.
    """
    decision = service.import_decision(session, actor, data.format, data.record, data.language)
    response.headers["ETag"] = etag(decision.version)
    response.headers["Location"] = f"/api/v1/decisions/{decision.id}"
    return decision_public(decision, actor.municipality_code)

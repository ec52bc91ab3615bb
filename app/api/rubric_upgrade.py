"""Rubric routes of one assessment: the rubric it is rated with, and moving a draft to a newer version."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Header, Response
from pydantic import BaseModel, ConfigDict, Field

from app import i18n
from app.api.deps import ActorDep, AssessmentDep, IfMatchDep, RegistryDep, SessionDep
from app.api.problems import responses
from app.api.rubrics import LangParam
from app.assessments import service, views
from app.assessments.rubric_upgrade import UpgradeReport, upgrade_rubric
from app.assessments.schemas import AssessmentPublic
from app.routing import Router
from app.rubrics.localized import Language, LocalizedRubric, localize
from app.rubrics.models import Rubric

router = Router(prefix="/api/v1/assessments", tags=["assessments"])


class RubricUpgradeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to_version": "1.1.0"}]})

    to_version: str = Field(pattern=r"^\d+\.\d+\.\d+$", max_length=20, examples=["1.1.0"])


class RubricUpgradeResult(BaseModel):
    assessment: AssessmentPublic
    report: UpgradeReport


@router.get(
    "/{assessment_id}/rubric",
    summary="Read the rubric an assessment uses",
    responses=responses(401, 404, 409, 422),
    response_model=LocalizedRubric | Rubric,
)
def get_assessment_rubric(
    assessment: AssessmentDep,
    registry: RegistryDep,
    response: Response,
    lang: LangParam = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> LocalizedRubric | Rubric:
    """The pinned rubric version with the pinned local extensions merged in (their criteria have
    `local: true`): exactly what the assessment's form, summary and PDF show. Languages as for
    `GET /api/v1/rubrics/{rubric_id}/versions/{version}`."""
    rubric = service.rubric_of(registry, assessment)
    response.headers["Vary"] = "Accept-Language"
    if lang == "all":
        return rubric
    chosen = lang or i18n.from_accept_language(accept_language) or i18n.DEFAULT_LANGUAGE
    response.headers["Content-Language"] = chosen
    return localize(rubric, cast(Language, chosen))


@router.post(
    "/{assessment_id}/rubric-upgrade",
    summary="Move a draft to a newer rubric version",
    responses=responses(401, 403, 404, 409, 412, 413, 415, 422, 428),
)
def rubric_upgrade(
    data: RubricUpgradeRequest,
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    registry: RegistryDep,
    response: Response,
) -> RubricUpgradeResult:
    """Carry the draft's ratings over to `to_version` (and the municipality's current local
    extensions): kept criteria keep their ratings, renamed and merged ones move as the migration map
    says, and ratings of removed criteria come back in `report.removed` with their full content (also
    kept in the audit trail) – never silently dropped. Only drafts; send `If-Match`."""
    report = upgrade_rubric(
        session, actor, registry, assessment, data.to_version, expected.against(assessment.lock_version)
    )
    response.headers["ETag"] = views.etag(assessment.lock_version)
    return RubricUpgradeResult(
        assessment=views.assessment_public(session, assessment, actor.municipality_code), report=report
    )

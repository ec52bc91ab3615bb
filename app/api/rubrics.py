"""Rubric endpoints: list rubrics and versions, read one in a language, the diff between two versions
and the JSON Schema of rubric files. The catalogue is shared by every municipality."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from fastapi import Header, Query, Response
from pydantic import BaseModel, Field

from app import i18n
from app.api.deps import ActorDep, RegistryDep
from app.api.problems import responses
from app.errors import FieldProblem, NotFound, ValidationFailed
from app.routing import Router
from app.rubrics.diff import RubricDiff, diff_rubrics
from app.rubrics.localized import Language, LocalizedRubric, localize
from app.rubrics.models import Rubric, Text, semver_key
from app.rubrics.registry import RubricRegistry
from app.rubrics.schema import rubric_file_schema

router = Router(prefix="/api/v1/rubrics", tags=["rubrics"])
LangParam = Annotated[
    Literal["sv", "fi", "en", "all"] | None,
    Query(
        description="Language of the texts; `all` returns every text in sv, fi and en. "
        "Without it, `Accept-Language` decides, and Swedish is the default."
    ),
]


class RubricVersion(BaseModel):
    id: str
    version: str
    content_hash: str
    title: Text
    perspectives: int
    criteria: int
    latest: bool = Field(description="The version new assessments use")
    migrates_from: str | None = Field(default=None, description="The version its migration map starts from")


def _version(registry: RubricRegistry, r: Rubric) -> RubricVersion:
    latest = registry.latest(r.id)
    migration = registry.migration(r.id, r.version)
    return RubricVersion(
        id=r.id,
        version=r.version,
        content_hash=r.content_hash,
        title=r.title,
        perspectives=len(r.perspectives),
        criteria=sum(len(p.criteria) for p in r.perspectives),
        latest=latest is not None and latest.version == r.version,
        migrates_from=migration.from_version if migration else None,
    )


def _installed(registry: RubricRegistry, rubric_id: str, version: str) -> Rubric:
    rubric = registry.get(rubric_id, version)
    if rubric is None:
        raise NotFound(f"rubric {rubric_id}@{version} is not installed")
    return rubric


@router.get("", summary="List rubric versions", responses=responses(401))
def list_rubrics(registry: RegistryDep, _actor: ActorDep) -> list[RubricVersion]:
    """Every installed rubric version, oldest first per rubric id."""
    return [_version(registry, r) for rid in registry.ids() for r in registry.versions(rid)]


@router.get("/schema", summary="JSON Schema of rubric files")
def rubric_schema() -> dict[str, Any]:
    """The JSON Schema of rubric files (header, perspective, migration map, local extension), generated
    from the same pydantic models that validate them at start-up."""
    return rubric_file_schema()


@router.get("/{rubric_id}/versions", summary="List the versions of one rubric", responses=responses(401, 404))
def list_versions(rubric_id: str, registry: RegistryDep, _actor: ActorDep) -> list[RubricVersion]:
    """The installed versions of one rubric, oldest first; older versions stay readable for the
    assessments that pinned them."""
    versions = registry.versions(rubric_id)
    if not versions:
        raise NotFound(f"rubric {rubric_id!r} is not installed")
    return [_version(registry, r) for r in versions]


@router.get(
    "/{rubric_id}/versions/{version}",
    summary="Read one rubric version",
    responses=responses(401, 404, 422),
    response_model=LocalizedRubric | Rubric,
)
def get_rubric(
    rubric_id: str,
    version: str,
    registry: RegistryDep,
    _actor: ActorDep,
    response: Response,
    lang: LangParam = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> LocalizedRubric | Rubric:
    """The rubric in one language (`?lang=sv|fi|en`, else `Accept-Language`, else Swedish) with plain
    strings, or with `?lang=all` the full model with every text in sv, fi and en."""
    rubric = _installed(registry, rubric_id, version)
    response.headers["Vary"] = "Accept-Language"
    if lang == "all":
        return rubric
    chosen = lang or i18n.from_accept_language(accept_language) or i18n.DEFAULT_LANGUAGE
    response.headers["Content-Language"] = chosen
    return localize(rubric, cast(Language, chosen))


@router.get("/{rubric_id}/diff", summary="Compare two rubric versions", responses=responses(401, 404, 422))
def get_diff(
    rubric_id: str,
    registry: RegistryDep,
    _actor: ActorDep,
    from_version: Annotated[str, Query(alias="from", max_length=20, description="The older version")],
    to_version: Annotated[
        str | None, Query(alias="to", max_length=20, description="The newer version (default: the latest)")
    ] = None,
) -> RubricDiff:
    """Criteria added, removed (renamed, merged or dropped, as the migration maps say) and changed, with
    every changed text per language, and changes to perspectives and the scale."""
    old = _installed(registry, rubric_id, from_version)
    new = _installed(registry, rubric_id, to_version) if to_version else registry.latest(rubric_id)
    assert new is not None  # the rubric id exists: `old` was found
    if semver_key(new.version) < semver_key(old.version):
        raise ValidationFailed(
            "'from' must not be newer than 'to'",
            errors=[FieldProblem("query.from", f"{old.version} is newer than {new.version}", "range")],
        )
    return diff_rubrics(old, new, registry.criterion_map(rubric_id, old.version, new.version))

"""Local rubric extensions of the caller's municipality: list them, publish a new version (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Body, status
from pydantic import Field

from app.api.deps import ActorDep, AdminOnly, RegistryDep, SessionDep
from app.api.problems import responses
from app.routing import Router
from app.rubrics import extensions
from app.rubrics.models import RubricExtension
from app.settings import PROJECT_ROOT


def _example() -> dict[str, Any]:
    """The shipped example extension (Vaasa's business programme) as the request example."""
    import yaml

    path = PROJECT_ROOT / "rubrics" / "extensions" / "905" / "vaasa-programme" / "1.0.0.yaml"
    try:
        value = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        value = {}
    return {"vaasa": {"summary": "Vaasa's business programme goals", "value": value}}


EXTENSION_EXAMPLE = _example()
router = Router(prefix="/api/v1/rubric-extensions", tags=["rubrics"])


class RubricExtensionPublic(RubricExtension):
    content_hash: str = Field(description="What assessments pin beside id and version")
    source: Literal["file", "api"] = Field(description="Shipped as a file in rubrics/extensions/ or created here")
    created_at: datetime | None = None
    created_by: str = ""


def _public(item: extensions.InstalledExtension) -> RubricExtensionPublic:
    return RubricExtensionPublic(
        **item.extension.model_dump(),
        content_hash=item.content_hash,
        source=item.source,
        created_at=item.created_at,
        created_by=item.created_by,
    )


@router.get("", summary="List local rubric extensions", responses=responses(401))
def list_rubric_extensions(session: SessionDep, actor: ActorDep, registry: RegistryDep) -> list[RubricExtensionPublic]:
    """Every version of the municipality's own criteria, from files and from this API. New
    assessments pin the newest version of each extension that fits their rubric."""
    installed = extensions.installed_extensions(session, registry, actor.municipality_id, actor.municipality_code)
    return [_public(i) for i in installed]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a local rubric extension version",
    responses=responses(401, 403, 409, 413, 415, 422),
    dependencies=[AdminOnly],  # the admin right before the body is read, as on every admin route
)
def create_rubric_extension(
    data: Annotated[RubricExtension, Body(openapi_examples=EXTENSION_EXAMPLE)],
    session: SessionDep,
    actor: ActorDep,
    registry: RegistryDep,
) -> RubricExtensionPublic:
    """Add the municipality's own criteria to the base rubric without forking it (admin right). The
    body has the same shape as an extension file (docs/rubric.md). Versions are immutable: to change
    an extension, publish a newer version; assessments keep the version they pinned."""
    return _public(extensions.create_extension(session, actor, registry, data))

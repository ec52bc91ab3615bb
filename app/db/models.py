"""Import every table module so ``metadata`` is complete (Alembic, the model/migration agreement test)."""

from app.api import models as api_models
from app.assessments import models as assessment_models
from app.audit import models as audit_models
from app.auth import models as auth_models
from app.db.base import metadata
from app.municipalities import models as municipality_models
from app.portfolio import models as portfolio_models
from app.reports import models as report_models
from app.rubrics import tables as rubric_tables
from app.webhooks import models as webhook_models

__all__ = [
    "api_models",
    "assessment_models",
    "audit_models",
    "auth_models",
    "metadata",
    "municipality_models",
    "portfolio_models",
    "report_models",
    "rubric_tables",
    "webhook_models",
]

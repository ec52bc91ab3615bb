"""Settings, read once from the environment (prefix ``LIVSKRAFT_``; ``DATABASE_URL`` also bare).

Nothing is created at import time: call :func:`get_settings`. Outside development and test, start-up
refuses known-insecure defaults (the development secret key, demo users).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (or, in the container, the working directory holding alembic/, rubrics/, assessments/)."""
if not (PROJECT_ROOT / "alembic.ini").exists():  # installed as a package, not run from a checkout
    PROJECT_ROOT = Path.cwd()
DEV_SECRET = "insecure-development-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIVSKRAFT_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("LIVSKRAFT_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; empty means an SQLite file in data_dir.",
    )
    data_dir: Path = PROJECT_ROOT / "var"
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    assessments_dir: Path = PROJECT_ROOT / "assessments"
    secret_key: str = DEV_SECRET
    demo: bool = False
    """Demo mode creates the demo municipality, users and example assessments."""
    max_body_bytes: int = 1_000_000
    session_hours: int = 8
    secure_cookies: bool = False
    """Set to true behind TLS; then session cookies carry ``Secure`` and HSTS is sent."""
    webhook_allow_private: bool = False
    """Test mode only: allow webhook URLs on loopback/private addresses."""
    brand_name: str = "Livskraft"
    operator_name: str = Field(default="", max_length=200)
    """Who runs this service (a municipality, a joint authority, its IT company), named on the
    accessibility statement and the privacy notice (``/accessibility``, ``/privacy``); empty: they say
    "the organisation that runs this service"."""
    contact_email: str = Field(default="", max_length=254)
    """Where users report accessibility problems and ask about their personal data (both pages); empty:
    the pages send them to their municipality's Livskraft administrators."""
    brand_colour: str = "#1d4f7a"
    pdf_max_decisions: int = 2000
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    password_hashing_slots: int = Field(default=1, ge=1, le=64)
    """Password hashes (argon2id, 64 MiB each) computed at once per process: a burst of sign-ins waits
    for a slot rather than adding 64 MiB of memory per concurrent sign-in (about 8–10 a second per slot
    on a shared vCPU, docs/benchmarks.md)."""
    db_queue_timeout: float = Field(default=30.0, gt=0, le=300)
    """Seconds a request may wait in the database gate (``app/db/gate.py``) for its turn; then it is
    answered 503 with ``Retry-After`` instead of waiting on, which could outlast the 10-minute lease of
    an ``Idempotency-Key`` reservation (at most 300)."""
    fast_reads: bool = True
    """PostgreSQL: serve repeated reads of an assessment and its summary, list pages and portfolios
    after one statement on the event loop (``app/db/loop_db.py``); false: always the ordinary path."""
    fast_writes: bool = True
    """PostgreSQL: save ratings (``PUT /assessments/{id}/ratings``) in two round trips on the event loop
    (``app/assessments/fast_ratings.py``); false: always the ordinary path."""
    oidc_issuer: str = ""
    """Single sign-on (OpenID Connect, ``app/auth/oidc.py``): the identity provider's issuer URL, exactly as
    its discovery document names it (``<issuer>/.well-known/openid-configuration``). Empty: no single
    sign-on anywhere (no button, its routes answer 404). https; plain http only for a loopback host
    outside production."""
    oidc_client_id: str = ""
    """The client id Livskraft is registered with at the identity provider (required with an issuer)."""
    oidc_client_secret: SecretStr = SecretStr("")
    """The client secret of that registration (required with an issuer)."""
    oidc_display_name: str = ""
    """The provider's name on the sign-in button ("Sign in with Entra ID"); empty: "single sign-on"."""
    oidc_scopes: str = "openid email profile"
    """Scopes asked for, separated by spaces; ``openid`` and an e-mail address in the ID token are needed."""

    @model_validator(mode="after")
    def _refuse_insecure(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("LIVSKRAFT_SECRET_KEY must be set to a random value of at least 32 characters")
            if self.demo:
                raise ValueError("LIVSKRAFT_DEMO must not be enabled in production")
            if not self.database_url:
                raise ValueError("DATABASE_URL must be set in production")
            if self.webhook_allow_private:
                raise ValueError("LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE must not be enabled in production")
        return self

    @model_validator(mode="after")
    def _check_single_sign_on(self) -> Settings:
        """A configured issuer needs its client id and secret, and a URL that cannot be spoofed on the way."""
        if not self.oidc_issuer:
            return self
        from app.auth.oidc import url_problem  # only when single sign-on is configured

        problem = url_problem(self.oidc_issuer, production=self.env == "production", issuer=True)
        if problem:
            raise ValueError(f"LIVSKRAFT_OIDC_ISSUER {problem}")
        if not self.oidc_client_id or not self.oidc_client_secret.get_secret_value():
            raise ValueError(
                "LIVSKRAFT_OIDC_CLIENT_ID and LIVSKRAFT_OIDC_CLIENT_SECRET must be set when LIVSKRAFT_OIDC_ISSUER is"
            )
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("LIVSKRAFT_OIDC_SCOPES must include openid")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.data_dir / 'livskraft.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Load the example assessments and (in demo mode) the demo users."""

from __future__ import annotations

from pathlib import Path

from app.assessments import repository as assessment_repo
from app.assessments.documents import import_document, read_document
from app.auth import repository as auth_repo
from app.auth.actor import system_actor
from app.auth.users import create_user
from app.db.session import unit_of_work
from app.errors import ValidationFailed
from app.municipalities.service import get_or_create
from app.rubrics.registry import load_registry
from app.settings import get_settings

DEMO_PASSWORD = "norrsken-demo-2026"  # noqa: S105 - demo mode only; settings refuse demo in production
"""The demo users' password (README). It passes the rules of a password chosen on the web or given to
``livskraft users create`` (``users.new_password_problems``) for every demo user, so the demo needs no
exception to them (``tests/test_cli_password_policy.py``)."""
DEMO_MUNICIPALITY = "905"
DEMO_USERS = (
    ("tjansteperson@demo.livskraft.fi", "Tiina Tjänsteperson", "official"),
    ("granskare@demo.livskraft.fi", "Göran Granskare", "reviewer"),
    ("admin@demo.livskraft.fi", "Anna Admin", "admin"),
    ("fullmaktig@demo.livskraft.fi", "Frida Fullmäktig", "council"),
)


def example_files(directory: Path) -> list[Path]:
    return (
        sorted(p for p in directory.iterdir() if p.suffix in (".json", ".yaml", ".yml")) if directory.is_dir() else []
    )


def seed_examples(directory: Path, demo_users: bool = False) -> tuple[int, int]:
    """Returns (loaded, skipped). Each file is its own unit of work: one bad file names itself."""
    registry = load_registry(get_settings().rubrics_dir)
    loaded = skipped = 0
    codes: set[str] = set()
    for path in example_files(directory):
        try:
            doc = read_document(path)
        except (OSError, UnicodeDecodeError) as exc:  # unreadable, or not UTF-8 text
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            raise ValidationFailed(f"{path}: cannot read it: {reason}") from exc
        codes.add(doc.municipality)
        with unit_of_work() as session:
            m = get_or_create(session, doc.municipality)
            if assessment_repo.decision_by_case(session, m.id, doc.decision.case_number) is not None:
                skipped += 1
                continue
            import_document(session, system_actor(m.id, m.code, "seed"), registry, doc)
            loaded += 1
    if demo_users:
        create_demo_users(codes | {DEMO_MUNICIPALITY})
    return loaded, skipped


def create_demo_users(codes: set[str]) -> None:
    """The demo municipality gets the four named demo users; other example municipalities get an
    official and a reviewer each (official.CODE@… / reviewer.CODE@…). Same password for all."""
    with unit_of_work() as session:
        for code in sorted(codes):
            m = get_or_create(session, code)
            users = (
                DEMO_USERS
                if code == DEMO_MUNICIPALITY
                else (
                    (f"official.{code}@demo.livskraft.fi", f"Official {m.name}", "official"),
                    (f"reviewer.{code}@demo.livskraft.fi", f"Reviewer {m.name}", "reviewer"),
                )
            )
            for email, name, role in users:
                if auth_repo.user_by_email(session, email) is None:
                    create_user(session, m, email=email, name=name, role=role, password=DEMO_PASSWORD)

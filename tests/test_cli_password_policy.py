"""`livskraft users create` refuses the passwords the web and a reset refuse (common, a pattern, the
person's or the municipality's words), with the same messages, and creates nothing; the demo's password
passes those rules for every demo user, and the demo users sign in with it (through the real CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from app.auth.models import User
from app.auth.users import WEAKNESS_MESSAGES
from app.cli.main import app as cli
from tests.support import make_municipality, session
from tests.web.support import csrf_of

runner = CliRunner()


def users_create(monkeypatch: pytest.MonkeyPatch, password: str, email: str = "tiina.virtanen@vaasa.fi") -> Any:
    monkeypatch.setenv("LK_NEW_PASSWORD", password)
    args = ["users", "create", "--municipality", "905", "--email", email, "--name", "Tiina Virtanen"]
    return runner.invoke(cli, [*args, "--password-env", "LK_NEW_PASSWORD"])


def users() -> int:
    with session() as s:
        return int(s.exec(select(func.count()).select_from(User)).one())


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "common"),  # in the bundled list, with digits around it
        ("Sommar2026!!", "common"),  # a Swedish word of the local list
        ("abcabcabcabc", "pattern"),
        ("123456789012", "pattern"),
        ("tiina.virtanen1", "context"),  # the person's address
        ("Vaasa2026Vasa", "context"),  # the municipality's names
        ("livskraft2026", "context"),  # the product's
    ],
)
def test_users_create_refuses_an_easy_password_and_creates_nothing(
    monkeypatch: pytest.MonkeyPatch, password: str, reason: str
) -> None:
    make_municipality("905")
    result = users_create(monkeypatch, password)
    assert result.exit_code == 1, result.output
    assert "the user could not be created" in result.stderr
    assert f"password: {WEAKNESS_MESSAGES[reason]}" in result.stderr, result.stderr
    assert result.stdout == ""
    assert users() == 0


def test_users_create_keeps_the_length_rule_with_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    make_municipality("905")
    result = users_create(monkeypatch, "kort")
    assert result.exit_code == 1 and "password: use at least 12 characters" in result.stderr
    assert users() == 0


def test_users_create_accepts_a_good_password_and_the_user_signs_in(
    monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    make_municipality("905")
    result = users_create(monkeypatch, "kesäloma mökillä 2026")
    assert result.exit_code == 0, result.output
    assert users() == 1
    assert sign_in(client, "tiina.virtanen@vaasa.fi", "kesäloma mökillä 2026").status_code == 303


def test_a_password_from_stdin_is_checked_too() -> None:
    make_municipality("905")
    args = ["users", "create", "--municipality", "905", "--email", "anna@vaasa.fi", "--name", "Anna"]
    result = runner.invoke(cli, args, input="qwertyuiop12\n")
    assert result.exit_code == 1 and WEAKNESS_MESSAGES["common"] in result.stderr
    assert users() == 0


def sign_in(client: TestClient, email: str, password: str) -> Any:
    page = client.get("/login")
    data = {"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/"}
    return client.post("/login", data=data, follow_redirects=False)


def test_the_demo_password_passes_the_rules_and_every_demo_user_signs_in_with_it(
    tmp_path: Path, client: TestClient
) -> None:
    """`livskraft seed --demo-users` (what `serve --demo` runs) creates the demo users of the README with
    ``DEMO_PASSWORD``, which is no exception to the rules: it passes them for every demo user."""
    from app.auth.users import new_password_problems, password_context
    from app.cli.seed import DEMO_MUNICIPALITY, DEMO_PASSWORD, DEMO_USERS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"`{DEMO_PASSWORD}`" in readme, "the README names the demo password"
    examples = tmp_path / "examples"
    examples.mkdir()  # no example assessments: the demo municipality and its users alone
    result = runner.invoke(cli, ["seed", "--dir", str(examples), "--demo-users"])
    assert result.exit_code == 0, result.output
    with session() as s:
        demo = s.exec(select(User)).all()
        assert sorted(u.email for u in demo) == sorted(email for email, _, _ in DEMO_USERS)
        for user in demo:
            context = password_context(s, user.email, user.name, user.municipality_id)
            assert new_password_problems(DEMO_PASSWORD, context) == [], user.email
    for email, _, _ in DEMO_USERS:
        client.cookies.clear()
        assert sign_in(client, email, DEMO_PASSWORD).status_code == 303, email
    assert DEMO_MUNICIPALITY == "905"


def test_the_other_example_municipalities_demo_users_pass_the_rules_too() -> None:
    """official.CODE@… and reviewer.CODE@… of each example municipality (README)."""
    from app.auth.users import new_password_problems, password_context
    from app.cli.seed import DEMO_PASSWORD, create_demo_users

    create_demo_users({"905", "091", "097", "491", "2480"})
    with session() as s:
        created = s.exec(select(User)).all()
        assert len(created) == 4 + 4 * 2
        for user in created:
            context = password_context(s, user.email, user.name, user.municipality_id)
            assert new_password_problems(DEMO_PASSWORD, context) == [], user.email

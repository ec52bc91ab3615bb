"""A deactivation made by mistake can be undone: `livskraft users reactivate --email` lets the person
sign in again (and use the personal API tokens they had), records user.reactivated by the CLI once, and
says so when there is nothing to undo or no such user."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.audit.repository import chain
from app.cli.main import app as cli
from app.db.session import unit_of_work
from app.municipalities.repository import by_code
from tests.web.support import PASSWORD, Web

runner = CliRunner()


def reactivate(email: str) -> Any:
    return runner.invoke(cli, ["users", "reactivate", "--email", email])


def events(action: str) -> list[Any]:
    with unit_of_work(write=False) as s:
        municipality = by_code(s, "905")
        assert municipality is not None
        return [e for e in chain(s, municipality.id) if e.action == action]


def test_a_deactivated_account_is_reactivated_from_the_command_line(admin: Web, official: Web, app: Any) -> None:
    email, uid = official.user.email, str(official.user.id)
    assert admin.post(f"/admin/users/{uid}/deactivate").status_code == 303
    person = Web(TestClient(app, follow_redirects=False), user=official.user)
    assert person.login(email, PASSWORD).status_code != 303, "deactivated: cannot sign in"
    assert f"/admin/users/{uid}/deactivate" not in admin.get("/admin/users").text

    r = reactivate(email)

    assert r.exit_code == 0 and f"{email} can sign in again" in r.output, r.output
    assert person.login(email, PASSWORD).status_code == 303
    assert person.get("/").status_code == 200
    [event] = events("user.reactivated")
    assert event.resource_id == uid and event.actor == "cli"
    assert (event.before, event.after) == ({"active": False}, {"active": True})
    users_page = admin.get("/admin/users").text
    assert f"/admin/users/{uid}/deactivate" in users_page, "listed as active again, with its button"

    again = reactivate(email)
    assert again.exit_code == 0 and "is active; nothing changed" in again.output
    assert len(events("user.reactivated")) == 1


def test_an_unknown_address_is_one_clean_error() -> None:
    r = reactivate("nobody@vaasa.fi")
    assert r.exit_code == 1 and "no user nobody@vaasa.fi" in r.output and "Traceback" not in r.output

"""`livskraft users rename` changes a user's name as an administrator can on the web (the same rules,
audited as user.renamed by the CLI), refuses an empty name and an unknown address with one line, and
changes nothing when the name is the same."""

from __future__ import annotations

from typer.testing import CliRunner

from app.cli.main import app as cli
from tests.support import Api, make_token, make_user

runner = CliRunner()


def rename(email: str, name: str) -> object:
    return runner.invoke(cli, ["users", "rename", "--email", email, "--name", name])


def test_a_user_is_renamed_and_the_trail_says_who_did_it(client: object) -> None:
    olli = make_user("091", "olli@hel.fi", "official")
    r = rename("olli@hel.fi", "  Olli Virtanen-Laine ")
    assert r.exit_code == 0, r.output
    assert "renamed from" in r.output and "'Olli Virtanen-Laine'" in r.output
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    [event] = [e for e in admin.get("/api/v1/audit-events").json()["items"] if e["action"] == "user.renamed"]
    assert event["resource_id"] == str(olli.id) and event["after"] == {"name": "Olli Virtanen-Laine"}
    assert event["actor"] == "cli"
    # unchanged: nothing recorded
    r = rename("olli@hel.fi", "Olli Virtanen-Laine")
    assert r.exit_code == 0 and "nothing changed" in r.output
    events = admin.get("/api/v1/audit-events").json()["items"]
    assert len([e for e in events if e["action"] == "user.renamed"]) == 1


def test_an_empty_name_or_an_unknown_address_is_one_clean_error() -> None:
    make_user("091", "olli@hel.fi", "official")
    r = rename("olli@hel.fi", "   ")
    assert r.exit_code == 1 and "name" in r.output and "Traceback" not in r.output
    r = rename("nobody@hel.fi", "Someone")
    assert r.exit_code == 1 and "no user nobody@hel.fi" in r.output

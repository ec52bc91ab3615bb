"""The `livskraft` CLI through its real entry point (Typer runner on the real database)."""

from __future__ import annotations

from typer.testing import CliRunner

from app.cli.main import app
from tests.support import make_municipality

runner = CliRunner()


def test_municipalities_list_prints_codes_first_column() -> None:
    make_municipality("091")
    make_municipality("1496")
    result = runner.invoke(app, ["municipalities", "list"])
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["091", "1496"]


def test_tokens_create_prints_only_the_token_which_works(client) -> None:
    make_municipality("091")
    result = runner.invoke(app, ["tokens", "create", "--municipality", "091", "--scopes", "read,write"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("lk_") and "\n" not in token
    r = client.get("/api/v1/decisions", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_tokens_create_rejects_unknown_scope() -> None:
    make_municipality("091")
    result = runner.invoke(app, ["tokens", "create", "--municipality", "091", "--scopes", "read,root"])
    assert result.exit_code == 1
    assert "scopes" in result.stderr


def test_unknown_municipality_code_is_refused() -> None:
    result = runner.invoke(app, ["municipalities", "create", "999"])
    assert result.exit_code == 1
    assert "not an official code" in result.stderr


def test_rubrics_check_ok() -> None:
    result = runner.invoke(app, ["rubrics", "check"])
    assert result.exit_code == 0, result.output
    assert "kuntaliitto-vitality@1.0.0  9 perspectives" in result.stdout


def test_audit_verify_detects_tampering(api) -> None:
    from sqlalchemy import text

    from app.db.engine import get_engine

    api.create_assessment()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    unknown = runner.invoke(app, ["audit", "verify", "--municipality", "zz"])
    assert unknown.exit_code == 1 and "not in this database" in unknown.output, "nothing checked is not all well"
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event 2" in result.stdout


def test_migrate_moves_only_forward_and_says_where_the_database_is(api) -> None:
    """``--revision`` older than the database printed "migrated to 0001" while nothing was undone."""
    from app.db.migrate import current_revision

    head = current_revision()
    older = runner.invoke(app, ["migrate", "--revision", "0001"])
    assert older.exit_code == 1 and f"is at revision {head}" in older.output, older.output
    unknown = runner.invoke(app, ["migrate", "--revision", "9999"])
    assert unknown.exit_code == 1 and "cannot migrate to 9999" in unknown.output, unknown.output
    done = runner.invoke(app, ["migrate"])
    assert done.exit_code == 0 and f"migrated to {head}" in done.output, done.output
    assert current_revision() == head


def test_users_sso_unbind_forgets_the_binding_and_says_so() -> None:
    from sqlmodel import select

    from app.audit.models import AuditEvent
    from app.auth import oidc
    from app.auth.models import User
    from app.db.session import unit_of_work
    from tests.support import make_user, session

    make_user("905", "tiina@vaasa.fi", "official")
    with unit_of_work() as s:  # a first single sign-on binds the user to the provider's subject
        oidc.sign_in(s, "https://login.vaasa.fi", "248289761001", "tiina@vaasa.fi")

    result = runner.invoke(app, ["users", "sso-unbind", "TIINA@vaasa.fi"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "tiina@vaasa.fi unbound from subject '248289761001' of https://login.vaasa.fi"
    with session() as s:
        user = s.exec(select(User).where(User.email == "tiina@vaasa.fi")).one()
        assert (user.sso_issuer, user.sso_subject) == (None, None)
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "user.sso_unbound")).all()
    assert event.actor == "cli" and event.resource_id == str(user.id)
    assert event.before == {"issuer": "https://login.vaasa.fi", "subject": "248289761001"} and event.after is None

    again = runner.invoke(app, ["users", "sso-unbind", "tiina@vaasa.fi"])
    assert again.exit_code == 0 and "not bound to a single sign-on account; nothing to undo" in again.stderr


def test_users_sso_unbind_of_an_unknown_address_is_an_error() -> None:
    result = runner.invoke(app, ["users", "sso-unbind", "nobody@vaasa.fi"])
    assert result.exit_code == 1
    assert "error: no user nobody@vaasa.fi" in result.stderr


# --- `report -o` paths, and a database with migrations pending -------------------------------------


def test_report_to_a_folder_that_does_not_exist_is_refused_and_creates_nothing(api, tmp_path) -> None:
    a = api.create_assessment()
    target = tmp_path / "nonexistent" / "dir" / "x.pdf"
    result = runner.invoke(app, ["report", a["id"], "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"cannot write {target}: {target.parent} does not exist" in result.stderr
    assert not (tmp_path / "nonexistent").exists()  # no folder made on the way
    portfolio = runner.invoke(
        app,
        [
            "report",
            "portfolio",
            "--municipality",
            "091",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "-o",
            str(target),
        ],
    )
    assert portfolio.exit_code == 1 and "does not exist" in portfolio.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_report_to_a_path_that_cannot_be_written_is_one_clear_error(api, tmp_path) -> None:
    a = api.create_assessment()
    for target in ("/proc/x.pdf", str(tmp_path)):
        result = runner.invoke(app, ["report", a["id"], "-o", target])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        assert f"cannot write {target}" in result.stderr


def test_a_database_behind_the_code_is_refused_with_what_to_run(api) -> None:
    from app.db.migrate import current_revision, downgrade, resolve

    head = resolve("head")
    make_municipality("091")
    downgrade("-1")
    try:
        behind = current_revision()
        assert behind != head
        for command in (
            ["tokens", "list", "--municipality", "091"],
            ["municipalities", "list"],
            ["export", "--municipality", "091"],
            ["audit", "verify"],
        ):
            result = runner.invoke(app, command)
            assert result.exit_code == 1, (command, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
            assert "Traceback" not in result.output
            expected = f"the database is at revision {behind}, this version needs {head}: run `livskraft migrate`"
            assert result.stderr.strip() == f"error: {expected}", result.stderr
        assert runner.invoke(app, ["tokens", "list", "--help"]).exit_code == 0  # help needs no database
        assert runner.invoke(app, ["rubrics", "check"]).exit_code == 0
        migrated = runner.invoke(app, ["migrate"])
        assert migrated.exit_code == 0, migrated.output
    finally:
        from app.db.migrate import upgrade

        upgrade()
    assert current_revision() == head
    assert runner.invoke(app, ["municipalities", "list"]).exit_code == 0

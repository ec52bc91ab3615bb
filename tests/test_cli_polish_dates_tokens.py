"""CLI polish: `livskraft tokens revoke` of a token revoked already says since when (exit code 0, nothing
recorded again), an unknown or malformed id is one clear line; a date option that is not a date is
refused in the CLI's words (exit code 2), not with Click's strptime formats. Through the real command
(Typer's runner, or its own process), on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app.cli.main import app
from tests.server import free_port
from tests.support import make_municipality, session
from tests.test_cli_qa_database import livskraft

runner = CliRunner()

# --- tokens revoke ----------------------------------------------------------------------------------


def _new_token_id(code: str = "091") -> str:
    created = runner.invoke(app, ["tokens", "create", "--municipality", code, "--name", "integration"])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["tokens", "list", "--municipality", code])
    assert listed.exit_code == 0, listed.output
    [line] = [row for row in listed.stdout.splitlines() if "\tintegration\t" in row]
    return line.split("\t")[0]


def _revocations(token_id: str) -> int:
    from app.audit.models import AuditEvent

    with session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "token.revoked")).all()
    return len([e for e in events if str(e.resource_id) == token_id])


def test_revoking_a_token_revoked_already_says_since_when_and_records_nothing_again() -> None:
    make_municipality("091")
    token_id = _new_token_id()
    first = runner.invoke(app, ["tokens", "revoke", "--municipality", "091", token_id])
    assert first.exit_code == 0, first.output
    assert first.stderr.strip() == "revoked"
    assert _revocations(token_id) == 1

    again = runner.invoke(app, ["tokens", "revoke", "--municipality", "091", token_id])
    assert again.exit_code == 0, again.output  # the wanted state holds
    message = again.stderr.strip()
    assert re.fullmatch(r"already revoked on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", message), message
    listed = runner.invoke(app, ["tokens", "list", "--municipality", "091"]).stdout
    [row] = [line for line in listed.splitlines() if line.startswith(token_id)]
    assert message.removeprefix("already revoked on ").removesuffix(" UTC") == row.split("\t")[-1]
    assert _revocations(token_id) == 1, "a second revocation is no event"


def test_an_unknown_or_another_municipalitys_token_is_one_clear_error() -> None:
    make_municipality("091")
    make_municipality("1496")
    theirs = _new_token_id("1496")
    for token_id in (str(uuid.uuid4()), theirs):
        result = runner.invoke(app, ["tokens", "revoke", "--municipality", "091", token_id])
        assert result.exit_code == 1, result.output
        assert result.stderr.strip() == (
            f"error: no token {token_id} in municipality 091 (see `livskraft tokens list --municipality 091`)"
        )
    assert _revocations(theirs) == 0
    assert runner.invoke(app, ["tokens", "revoke", "--municipality", "1496", theirs]).exit_code == 0


def test_a_malformed_token_id_is_one_line_naming_the_argument_before_the_database_is_opened() -> None:
    away = f"postgresql://livskraft@127.0.0.1:{free_port()}/livskraft"  # nothing listens there
    proc = livskraft("tokens", "revoke", "--municipality", "091", "12345-not-a-uuid", LIVSKRAFT_DATABASE_URL=away)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == (
        "error: TOKEN_ID '12345-not-a-uuid' is not a token id (a UUID, as `livskraft tokens list` shows)"
    )
    assert proc.stdout == ""


# --- date options -----------------------------------------------------------------------------------

EXAMPLE = "give a date as YYYY-MM-DD, e.g. 2026-01-31"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2026-13-01", "2026-12-31"), f"from: '2026-13-01' is no day of the calendar; {EXAMPLE}"),
        (("2026-01-01", "2026-02-30"), f"to: '2026-02-30' is no day of the calendar; {EXAMPLE}"),
        (("31.01.2026", "2026-12-31"), f"from: '31.01.2026': {EXAMPLE}"),
        (("2026-01-01", "20261231"), f"to: '20261231': {EXAMPLE}"),
        (("2026-1-1", "2026-12-31"), f"from: '2026-1-1': {EXAMPLE}"),
    ],
)
def test_a_date_that_is_not_one_is_refused_in_the_clis_words(dates: tuple[str, str], expected: str) -> None:
    """Typer said "Invalid value for '--from': '2026-13-01' does not match the formats '%Y-%m-%d'", in a
    box: strptime's words, not an operator's."""
    away = f"postgresql://livskraft@127.0.0.1:{free_port()}/livskraft"  # refused before the database
    start, end = dates
    args = ["report", "portfolio", "--municipality", "091", "--from", start, "--to", end]
    proc = livskraft(*args, LIVSKRAFT_DATABASE_URL=away)
    assert proc.returncode == 2, proc.stderr  # as Typer's usage errors
    assert proc.stderr.splitlines() == ["error: not a date", f"  {expected}"], proc.stderr
    assert "%Y" not in proc.stderr and "╭" not in proc.stderr and proc.stdout == ""


def test_a_good_period_still_makes_a_portfolio_and_one_backwards_is_refused(tmp_path: Path) -> None:
    make_municipality("091")
    pdf = tmp_path / "portfolio.pdf"
    args = ["report", "portfolio", "--municipality", "091", "-o", str(pdf), "--lang", "en"]
    made = runner.invoke(app, [*args, "--from", "2026-01-31", "--to", "2026-02-28"])
    assert made.exit_code == 0, made.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    backwards = runner.invoke(app, [*args, "--from", "2026-03-01", "--to", "2026-02-28"])
    assert backwards.exit_code == 1 and backwards.stderr.strip() == "error: --from must not be after --to"
    leap = runner.invoke(app, [*args, "--from", "2028-02-29", "--to", "2028-02-29"])
    assert leap.exit_code == 0, leap.output

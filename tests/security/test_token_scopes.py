"""Scopes do not include each other and every API call needs `read`: a token without it could do
nothing (403 on every route), so creating one is refused — by the CLI and by every caller of
`create_token` (the web admin form too) — with a message that says what to add."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.errors import ValidationFailed
from tests.support import Api, make_municipality, make_token

runner = CliRunner()


@pytest.mark.parametrize("scopes", ["write", "admin", "write,admin"])
def test_the_cli_refuses_a_token_without_read(scopes: str) -> None:
    make_municipality("091")
    result = runner.invoke(cli, ["tokens", "create", "--municipality", "091", "--scopes", scopes])
    assert result.exit_code == 1, result.output
    assert "lk_" not in result.stdout
    assert "needs the read right" in result.stderr and "read,write" in result.stderr


@pytest.mark.parametrize("scopes", [("write",), ("admin",), ("write", "admin")])
def test_create_token_refuses_a_set_without_read(scopes: tuple[str, ...]) -> None:
    with pytest.raises(ValidationFailed) as info:
        make_token("091", scopes)
    assert [(p.field, p.code) for p in info.value.errors] == [("scopes", "read_required")]


@pytest.mark.parametrize("scopes", [("read",), ("read", "write"), ("read", "admin"), ("read", "write", "admin")])
def test_every_set_with_read_can_read(client: Any, scopes: tuple[str, ...]) -> None:
    assert Api(client, make_token("091", scopes)).get("/api/v1/decisions").status_code == 200

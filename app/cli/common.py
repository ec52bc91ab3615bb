"""Shared output helpers of the CLI: results on stdout, messages and errors on stderr."""

from __future__ import annotations

import typer
from rich.console import Console

from app.errors import DomainError

# soft_wrap: never break long lines (paths, tokens) at the terminal width; scripts parse this output
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def domain_fail(exc: DomainError) -> typer.Exit:
    lines = [exc.detail] + [f"  {p.field}: {p.message}" for p in exc.errors]
    return fail("\n".join(lines))

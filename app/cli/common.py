"""Shared output helpers of the CLI: results on stdout, messages and errors on stderr."""

from __future__ import annotations

from pathlib import Path

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


def check_output(path: Path) -> None:
    """Refuse, before any work, a file to write whose folder is not there (none is created: a mistyped
    path must not leave new directories behind) or that is a folder, with a message instead of a
    traceback."""
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise fail(f"cannot write {path}: {folder} {what}")
    if path.is_dir():
        raise fail(f"cannot write {path}: it is a folder")

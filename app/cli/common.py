"""Shared output helpers of the CLI: results on stdout, messages and errors on stderr."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand
from typer.models import CommandFunctionType

from app.errors import DomainError


class _Output(Console):
    """Standard output whose reader may go away (``| head``): Rich's own handling exits with code 1; this
    one raises ``BrokenPipeError`` for ``app.cli.main`` to stop quietly with code 0."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


# soft_wrap: never break long lines (paths, tokens) at the terminal width; scripts parse this output
err = Console(stderr=True, soft_wrap=True)
out = _Output(soft_wrap=True)


BEFORE_RUNNING = "livskraft.before_running"
"""``ctx.meta`` key of the check that opens the database (``app.cli.main``): run once a command's arguments
are parsed and checked, so a mistyped option is refused without the database being touched."""


def defer_until_running(ctx: typer.Context, check: Callable[[], None]) -> None:
    ctx.meta[BEFORE_RUNNING] = check


class Command(TyperCommand):
    """Every ``livskraft`` command: the deferred database check runs after its arguments were parsed (with
    their callbacks) and before it runs; the usage line names arguments as FILE and [DIRECTORY]."""

    def invoke(self, ctx: Any) -> Any:
        check = ctx.meta.pop(BEFORE_RUNNING, None)
        if check is not None:
            check()
        return super().invoke(ctx)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):  # Typer's own: {file}, {assessment_id}
                name = param.metavar or (param.name or "").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class Typer(typer.Typer):
    """A Typer application whose commands are :class:`Command`."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or Command, **kwargs)


def fail(message: str, code: int = 1) -> typer.Exit:
    # the message as written: a pattern such as ``[a-z0-9]`` in a rubric problem is no Rich markup
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def day(option: str) -> Callable[[str], date]:
    """The parser of a date option (``typer.Option("--from", parser=day("from"))``): a
    :class:`datetime.date` from YYYY-MM-DD. One that is not a date, or no day of the calendar, is refused in
    the CLI's words (as other arguments are), with Typer's exit code of a usage error (2), instead of
    Click's message about strptime formats."""

    def parse(value: str) -> date:
        text = str(value).strip()
        shaped = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None
        if shaped:
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        example = "give a date as YYYY-MM-DD, e.g. 2026-01-31"
        why = f"{value!r} is no day of the calendar; {example}" if shaped else f"{value!r}: {example}"
        raise fail(f"not a date\n  {option}: {why}", code=2)

    return parse


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


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: into a temporary file beside it, renamed over it
    once complete, so a full disk, a quota or an interrupt leaves neither a cut file nor a damaged
    earlier one. A device or pipe (``/dev/stdout``) is written as it is. Refuses with one line."""
    if path.exists() and not path.is_file():
        target, tmp = path, None
    else:
        target = path.resolve() if path.is_symlink() else path  # replace the file, not the link to it
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp or target, "wb") as f:
            f.write(data)
            f.flush()
            if tmp is not None:
                os.fsync(f.fileno())
        if tmp is not None:
            os.replace(tmp, target)
    except OSError as exc:  # no space, no permission, a read-only file system
        raise fail(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


URL_VARIABLE = "LIVSKRAFT_DATABASE_URL/DATABASE_URL"


def shown_url(url: str) -> str:
    """The database URL for a message: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def settings_problem() -> str | None:
    """Why the settings in the environment are refused (a missing production secret, a value of the wrong
    kind), naming the variable, or None when they are accepted."""
    from pydantic import ValidationError

    from app.settings import get_settings

    try:
        get_settings()
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            field = ".".join(str(part) for part in e["loc"])
            message = str(e["msg"]).removeprefix("Value error, ")
            problems.append(f"LIVSKRAFT_{field.upper()}: {message}" if field else message)
        return "the settings are refused: " + "; ".join(problems)
    return None


def database_url_problem() -> str | None:
    """Why the configured database URL cannot be used (not a URL, a database Livskraft does not run on),
    or None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from app.settings import get_settings

    url = get_settings().effective_database_url
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        return f"{URL_VARIABLE} is not a database URL: {url.split('@')[-1]!r}; {URL_EXAMPLES}"
    if backend not in ("sqlite", "postgresql"):
        return f"{URL_VARIABLE} names a {backend} database, Livskraft runs on PostgreSQL or SQLite; {URL_EXAMPLES}"
    return None


def missing_database_file() -> str | None:
    """Why the configured SQLite database cannot be used because its file is not there (a mistyped URL, a
    volume that is not mounted), naming the file and the variable; None when it is there, or not SQLite.
    Only ``livskraft migrate`` creates a database (``app.db.engine``)."""
    from app.db.engine import sqlite_path
    from app.settings import get_settings

    url = get_settings().effective_database_url
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is None or path.exists() or (path.parent.exists() and not path.parent.is_dir()):
        return None  # there (or a folder, or below a file): the driver's own reason says what is wrong
    if get_settings().database_url:
        where = f"{URL_VARIABLE} is {shown_url(url)}: check it"
    else:
        where = f"{URL_VARIABLE} is not set, so it is the default in LIVSKRAFT_DATA_DIR: check them"
    return f"the database file {path} does not exist ({where}), or create a new database with `livskraft migrate`"


URL_EXAMPLES = "e.g. postgresql://USER@HOST:5432/DB or sqlite:////var/lib/livskraft/livskraft.sqlite3"


def database_fail(exc: Exception) -> typer.Exit:
    """The database could not be reached or refused the connection (server down, wrong host, port, name,
    user or password, an SQLite file that cannot be opened): one line naming it, instead of a traceback."""
    return fail(database_problem(exc))


def database_problem(exc: Exception) -> str:
    """The message of :func:`database_fail`: the database (without its password) and the driver's reason."""
    from app.settings import get_settings

    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).strip().splitlines() if line.strip()]
    reason = lines[0] if lines else type(orig).__name__
    settings = get_settings()
    check = URL_VARIABLE if settings.is_sqlite else f"{URL_VARIABLE} and that the server is running"
    return f"cannot use the database {shown_url(settings.effective_database_url)}: {reason} (check {check})"

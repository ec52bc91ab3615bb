"""The ``livskraft`` command line. Commands use the same unit of work and services as the web and API."""

from __future__ import annotations

import os
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Column, Table
from typer.core import TyperGroup

from app.cli import backup, report, rubrics_cli, transfer, webhooks, worker
from app.cli.common import (
    Typer,
    database_fail,
    database_problem,
    database_url_problem,
    defer_until_running,
    domain_fail,
    err,
    fail,
    missing_database_file,
    out,
    settings_problem,
)
from app.errors import DomainError
from app.settings import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from app.auth.actor import Actor
    from app.auth.models import User


class _Commands(TyperGroup):
    """Notes whether a command is only asked for its help, which needs no database (see below)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        ctx.meta["livskraft.help"] = any(arg in ("--help", "-h") for arg in args)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        """A database that cannot be reached, or that refuses the connection, while a command runs (also
        those that check no schema first: ``migrate``, ``backup``): one line, not a traceback. Broken
        rubric files, met by a command that reads them (``seed``, ``import``, ``report``): what ``serve``
        says of them, each problem with file, line and field."""
        from sqlalchemy.exc import InterfaceError, OperationalError

        from app.rubrics.loader import RubricFileError

        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # here, not at exit: a reader that went away is seen below
        except (OperationalError, InterfaceError) as exc:
            raise database_fail(exc) from exc
        except RubricFileError as exc:
            raise fail("the rubric files are broken:\n" + str(exc)) from exc
        except BrokenPipeError:
            raise _reader_gone() from None
        return result


def _reader_gone() -> typer.Exit:
    """The reader of standard output went away (``livskraft rubrics diff … | head``): stop quietly with exit
    code 0, as Unix tools do, instead of Click's exit code 1 (or a "BrokenPipeError" at exit). What is still
    buffered goes nowhere: standard output is pointed at /dev/null before Python flushes it on exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return typer.Exit(0)


app = Typer(
    cls=_Commands, help="Livskraft – vitality impact assessment for Nordic municipalities.", no_args_is_help=True
)
rubrics_app = Typer(help="Rubric files.", no_args_is_help=True)
municipalities_app = Typer(help="Municipalities (tenants).", no_args_is_help=True)
tokens_app = Typer(help="API tokens.", no_args_is_help=True)
users_app = Typer(help="Web users.", no_args_is_help=True)
audit_app = Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(rubrics_app, name="rubrics")
app.add_typer(municipalities_app, name="municipalities")
app.add_typer(tokens_app, name="tokens")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")

WITHOUT_SCHEMA_CHECK = frozenset({"migrate", "serve", "rubrics", "backup", "restore", "worker"})
"""Commands that run on a database behind the code (or none): migrating it, serving (``--demo`` migrates
first; otherwise ``serve`` checks the schema itself, and serves a newer one or a database that is away),
checking rubric files, and backing up or restoring one (a backup before migrating is the point; a
restored older backup is migrated afterwards); the worker checks it itself, after saying that SQLite
has no job queue."""
WITHOUT_DATABASE = frozenset({"rubrics"})
"""Commands that never open the database (whose URL is then not checked)."""


@app.callback()
def _schema_is_current(ctx: typer.Context) -> None:
    """Before any command: refuse settings the service would refuse, and a database URL that is none
    Livskraft can use; before one that uses the database: refuse one that cannot be reached, or one
    with migrations pending (its queries would fail on a missing column, with a raw traceback), and say
    how to bring it up to date."""
    if ctx.resilient_parsing or ctx.meta.get("livskraft.help"):
        return
    message = settings_problem()
    if message is None and ctx.invoked_subcommand not in WITHOUT_DATABASE:
        message = database_url_problem()
    if message:
        raise fail(message)
    if ctx.invoked_subcommand not in WITHOUT_SCHEMA_CHECK:
        defer_until_running(ctx, _refuse_unfit_schema)  # after the command's own arguments are checked


def _refuse_unfit_schema() -> None:
    message = schema_problem()
    if message:
        raise fail(message)


def schema_problem() -> str | None:
    """Why the configured database does not fit this version's schema, or cannot be reached, or None when
    it fits."""
    return _schema()[0]


def _schema() -> tuple[str | None, str]:
    """(:func:`schema_problem`, what kind: "ok", "missing", "unreachable", "behind" or "newer")."""
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from app.db.migrate import alembic_config, current_revision, resolve

    missing = missing_database_file()
    if missing:
        return missing, "missing"
    try:
        needed = resolve("head")
    except (CommandError, OSError):
        return None, "ok"
    try:
        current = current_revision()
    except (SQLAlchemyError, OSError) as exc:  # the server is down; the user is wrong; no such folder ...
        return database_problem(exc), "unreachable"
    if current == needed:
        return None, "ok"
    if current is None:
        return (
            f"the database has no schema yet, this version needs revision {needed}: run `livskraft migrate`",
            "behind",
        )
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(current) is not None
    except (CommandError, RevisionError):
        known = False
    if not known:
        message = (
            f"the database is at revision {current}, which this version does not know (a newer version of "
            f"Livskraft migrated it); this version needs {needed}"
        )
        return message, "newer"
    return f"the database is at revision {current}, this version needs {needed}: run `livskraft migrate`", "behind"


@app.command()
def migrate(revision: Annotated[str, typer.Option(help="Target revision")] = "head") -> None:
    """Apply database migrations (Alembic); only forward (a downgrade is ``alembic downgrade``)."""
    from alembic.util import CommandError

    from app.db.migrate import current_revision, resolve, upgrade

    try:
        target = resolve(revision)
        created = upgrade(revision)
    except CommandError as exc:
        raise fail(f"cannot migrate to {revision}: {exc}") from exc
    except OSError as exc:  # the SQLite file's folder cannot be made or opened
        raise database_fail(exc) from exc
    now = current_revision()
    if now != target:  # the database was past it already: nothing was undone
        raise fail(f"the database is at revision {now}, after {target}: migrate only moves forward")
    if created is not None:  # say so: under a mistyped URL, this is not the database the operator meant
        err.print(f"created a new database file {created}", highlight=False)
    err.print(f"database migrated to {now}")


@app.command()
def seed(
    directory: Annotated[Path | None, typer.Option("--dir", help="Folder of example assessments")] = None,
    demo_users: Annotated[bool, typer.Option(help="Also create the demo users")] = False,
) -> None:
    """Load the example assessments (``assessments/``) into their municipalities; skips existing ones."""
    from app.cli.seed import seed_examples

    folder = directory or get_settings().assessments_dir
    if not folder.is_dir():  # nothing loaded from a mistyped folder is not success
        raise fail(f"cannot read {folder}: " + ("it is not a folder" if folder.exists() else "it does not exist"))
    try:
        loaded, skipped = seed_examples(folder, demo_users=demo_users)
    except DomainError as exc:
        raise domain_fail(exc) from exc
    err.print(f"{loaded} example assessments loaded, {skipped} already present")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
    demo: Annotated[bool, typer.Option(help="Migrate, load examples and create demo users first")] = False,
) -> None:
    """Run the web service with uvicorn (uvloop + httptools)."""
    import uvicorn

    if demo:
        os.environ["LIVSKRAFT_DEMO"] = "true"
        get_settings.cache_clear()
        migrate("head")
        seed(None, demo_users=True)
    else:
        _check_schema_before_serving()
    _check_rubrics_or_exit()
    err.print(f"Livskraft on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers, proxy_headers=True)


def _check_schema_before_serving() -> None:
    """Refuse to serve a database that is not there (SQLite) or behind this version's schema: every
    request touching a table or column still to come would fail (500). A database that cannot be reached
    now is only noted: the service answers 503 and recovers by itself when it returns. A newer schema
    (an older process during a rolling upgrade; migrations are additive) is noted, and served."""
    message, kind = _schema()
    if kind in ("missing", "behind"):
        raise fail(message or kind)
    if message:
        err.print(f"[yellow]warning:[/yellow] {message}", highlight=False)


def _check_rubrics_or_exit() -> None:
    from app.rubrics.loader import RubricFileError
    from app.rubrics.registry import load_registry

    try:
        load_registry(get_settings().rubrics_dir)
    except RubricFileError as exc:
        raise fail("the rubric files are broken:\n" + str(exc)) from exc


@rubrics_app.command("check")
def rubrics_check(
    directory: Annotated[
        Path | None, typer.Argument(help="Rubric folder, or a file or folder inside it (checks the whole folder)")
    ] = None,
) -> None:
    """Validate every rubric file; problems name file, line and field."""
    from app.rubrics.loader import RubricFileError
    from app.rubrics.registry import load_registry

    root = directory or get_settings().rubrics_dir
    if directory is not None and directory.exists() and not _is_rubric_root(directory):
        # an author checks the file they wrote (extensions/905/x/1.1.0.yaml) or its folder: a file is
        # only checked against the base rubric and the other files, so check the folder that holds them
        holder = next((p for p in directory.absolute().parents if _is_rubric_root(p)), None)
        if holder is None:
            raise fail(
                f"{directory} is not in a rubric folder: give the folder that holds the rubric versions "
                "and extensions/ (for example rubrics)"
            )
        root = holder
        err.print(f"checking the rubric folder {holder}, which holds {directory}", highlight=False, markup=False)
    try:
        registry = load_registry(root)
    except RubricFileError as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        raise typer.Exit(1) from exc
    for rid in registry.ids():
        for r in registry.versions(rid):
            n = sum(len(p.criteria) for p in r.perspectives)
            out.print(
                f"{r.id}@{r.version}  {len(r.perspectives)} perspectives  {n} criteria  sha256:{r.content_hash[:12]}"
            )
    for ext in registry.extensions:
        out.print(f"extension {ext.id}@{ext.version} for {ext.municipality}: {len(ext.criteria)} criteria")


def _is_rubric_root(path: Path) -> bool:
    """Whether ``path`` is a rubric folder: it holds ``extensions/`` or rubric versions
    (``<rubric-id>/<version>/``, with ``rubric.yaml`` or ``perspectives/``)."""
    if not path.is_dir():
        return False
    return (path / "extensions").is_dir() or any(path.glob("*/*/rubric.yaml")) or any(path.glob("*/*/perspectives"))


@municipalities_app.command("list")
def municipalities_list() -> None:
    """One official code per line (first column), then country and name."""
    from app.db.session import unit_of_work
    from app.municipalities.repository import all_municipalities

    with unit_of_work(write=False) as session:
        for m in all_municipalities(session):
            print(f"{m.code}\t{m.country}\t{m.name}")


@municipalities_app.command("create")
def municipalities_create(code: str) -> None:
    """Add a municipality by its official code (kuntanumero or kommunkod)."""
    from app.db.session import unit_of_work
    from app.municipalities.service import create_municipality

    try:
        with unit_of_work() as session:
            m = create_municipality(session, code)
            print(f"{m.code}\t{m.country}\t{m.name}")
    except DomainError as exc:
        raise domain_fail(exc) from exc


def _municipality(session: object, code: str) -> object:
    from app.municipalities.repository import by_code

    m = by_code(session, code)  # type: ignore[arg-type]
    if m is None:
        raise fail(f"municipality {code} does not exist (see `livskraft municipalities list`)")
    return m


@tokens_app.command("create")
def tokens_create(
    municipality: Annotated[str, typer.Option(help="Official code of the municipality")],
    scopes: Annotated[
        str, typer.Option(help="Comma-separated, always with read: read, read,write or read,write,admin")
    ] = "read",
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    user: Annotated[str | None, typer.Option(help="E-mail of the user the token acts as")] = None,
) -> None:
    """Create an API token; prints only the token on stdout (it is shown once)."""
    from app.auth.actor import system_actor
    from app.auth.repository import user_by_email
    from app.auth.tokens import create_token
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality

    try:
        with unit_of_work() as session:
            m = _municipality(session, municipality)
            assert isinstance(m, Municipality)
            user_id = None
            if user:
                u = user_by_email(session, user)
                if u is None or u.municipality_id != m.id:
                    raise fail(f"no user {user} in municipality {m.code}")
                user_id = u.id
            _, plain = create_token(session, system_actor(m.id, m.code, "cli"), name, scopes.split(","), user_id)
    except DomainError as exc:
        raise domain_fail(exc) from exc
    print(plain)


@tokens_app.command("list")
def tokens_list(municipality: Annotated[str, typer.Option(help="Official code of the municipality")]) -> None:
    """Tokens of a municipality (never the secrets): a table on a terminal; piped, one token per line with
    tab-separated id, name, prefix, scopes, created and revoked (the id is what `tokens revoke` takes)."""
    from app.auth.repository import tokens_for
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality

    # the id is never cut or wrapped, also in 80 columns (the name wraps instead)
    table = Table(Column("id", no_wrap=True, min_width=36), "name", "prefix", "scopes", "created", "revoked")
    with unit_of_work(write=False) as session:
        m = _municipality(session, municipality)
        assert isinstance(m, Municipality)
        for t in tokens_for(session, m.id):
            revoked = f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else ""
            row = (str(t.id), t.name, t.prefix, t.scopes, f"{t.created_at:%Y-%m-%d}", revoked)
            if out.is_terminal:
                table.add_row(*row)
            else:
                print("\t".join(" ".join(cell.split()) for cell in row))
    if out.is_terminal:
        out.print(table)


def _token_id(ctx: typer.Context, value: str) -> str:
    """A token id that is no UUID is refused as it is parsed, before the database is opened."""
    import uuid

    if not ctx.resilient_parsing:
        try:
            uuid.UUID(value)
        except ValueError as exc:
            raise fail(f"TOKEN_ID {value!r} is not a token id (a UUID, as `livskraft tokens list` shows)") from exc
    return value


@tokens_app.command("revoke")
def tokens_revoke(
    municipality: Annotated[str, typer.Option(help="Official code of the municipality")],
    token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="The id `tokens list` shows", callback=_token_id)],
) -> None:
    """Revoke a token by id; it stops working at once. One revoked already stays so (exit code 0), and
    the message says since when."""
    import uuid

    from app.auth.actor import system_actor
    from app.auth.tokens import revoke_token, token_of
    from app.db.session import unit_of_work
    from app.errors import NotFound
    from app.municipalities.models import Municipality

    key = uuid.UUID(token_id)  # checked as it was parsed (above)
    try:
        with unit_of_work() as session:
            m = _municipality(session, municipality)
            assert isinstance(m, Municipality)
            actor = system_actor(m.id, m.code, "cli")
            try:
                earlier = token_of(session, actor, key).revoked_at
            except NotFound as exc:
                raise fail(
                    f"no token {key} in municipality {m.code} (see `livskraft tokens list --municipality {m.code}`)"
                ) from exc
            if earlier is None:
                revoke_token(session, actor, key)
    except DomainError as exc:
        raise domain_fail(exc) from exc
    if earlier is not None:
        err.print(f"already revoked on {earlier.astimezone(UTC):%Y-%m-%d %H:%M} UTC", highlight=False)
    else:
        err.print("revoked")


def _password(password_env: str | None) -> str:
    if password_env:
        from_env = os.environ.get(password_env, "")
        if not from_env:
            raise fail(f"environment variable {password_env} is empty")
        return from_env
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")  # a line from a file written on Windows ends \r\n
        if not line:  # /dev/null, an empty file, cron: not a password that is "too short"
            raise fail("no password on standard input: pipe it as one line, or use --password-env VARIABLE")
        return line
    prompted: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return prompted


@users_app.command("create")
def users_create(
    municipality: Annotated[str, typer.Option()],
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="official, reviewer, admin or council")] = "official",
    password_env: Annotated[
        str | None, typer.Option(help="Read the password from this environment variable (else prompt/stdin)")
    ] = None,
) -> None:
    """Create a web user (the password is asked for, or read from stdin or an environment variable). The
    password must pass the same rules as one chosen on the web: at least 12 characters and not easy to
    guess (common, a repetition or run, or made of the person's or the municipality's names)."""
    from app.auth.users import create_user, new_password_problems, password_context
    from app.db.session import unit_of_work
    from app.errors import ValidationFailed
    from app.municipalities.models import Municipality

    password = _password(password_env)
    try:
        with unit_of_work() as session:
            m = _municipality(session, municipality)
            assert isinstance(m, Municipality)
            problems = new_password_problems(password, password_context(session, email, name, m.id))
            if problems:
                raise ValidationFailed("the user could not be created", errors=problems)
            user = create_user(session, m, email=email, name=name, role=role, password=password)
            print(user.id)
    except DomainError as exc:
        raise domain_fail(exc) from exc


def _user_and_cli_actor(session: Session, email: str) -> tuple[User, Actor]:
    """The user with ``email`` (or one clean error) and the CLI's actor in the user's municipality, as
    the audit trail records the commands that change a user."""
    from app.auth.actor import system_actor
    from app.auth.repository import user_by_email
    from app.municipalities.models import Municipality

    user = user_by_email(session, email)
    if user is None:
        raise fail(f"no user {email}")
    m = session.get(Municipality, user.municipality_id)
    assert m is not None
    return user, system_actor(m.id, m.code, "cli")


@users_app.command("reset-password")
def users_reset_password(
    email: Annotated[str, typer.Option()],
    password_env: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Set a new password (also lifts a lockout)."""
    from app.auth.repository import user_by_email
    from app.auth.users import set_password
    from app.db.session import unit_of_work

    password = _password(password_env)
    try:
        with unit_of_work() as session:
            user = user_by_email(session, email)
            if user is None:
                raise fail(f"no user {email}")
            set_password(session, user, password)
    except DomainError as exc:
        raise domain_fail(exc) from exc
    err.print("password changed")


@users_app.command("rename")
def users_rename(
    email: Annotated[str, typer.Option(help="E-mail address of the user")],
    name: Annotated[str, typer.Option(help="The new name, as histories and review pages show it from now on")],
) -> None:
    """Change a user's name, as an administrator can on the web's users page: shown from now on, while
    what was recorded before keeps the name of then. Recorded in the audit trail as user.renamed."""
    from app.auth.users import rename
    from app.db.session import unit_of_work

    try:
        with unit_of_work() as session:
            user, actor = _user_and_cli_actor(session, email)
            before = user.name
            rename(session, actor, user.id, name)
            after = user.name
    except DomainError as exc:
        raise domain_fail(exc) from exc
    if before == after:
        err.print(f"{email} is already named {after!r}; nothing changed", highlight=False, markup=False)
    else:
        err.print(f"{email} renamed from {before!r} to {after!r}", highlight=False, markup=False)


@users_app.command("reactivate")
def users_reactivate(email: Annotated[str, typer.Option(help="E-mail address of the user")]) -> None:
    """Undo a deactivation made by mistake (the web's users page can only deactivate): the person can
    sign in again, and their personal API tokens that were not revoked work again. Recorded in the audit
    trail as user.reactivated."""
    from app.auth.users import reactivate
    from app.db.session import unit_of_work

    with unit_of_work() as session:
        user, actor = _user_and_cli_actor(session, email)
        changed = reactivate(session, actor, user)
    if changed:
        err.print(f"{email} can sign in again", highlight=False, markup=False)
    else:
        err.print(f"{email} is active; nothing changed", highlight=False, markup=False)


@users_app.command("sso-unbind")
def users_sso_unbind(email: Annotated[str, typer.Argument(help="E-mail address of the user")]) -> None:
    """Undo a user's binding to the single sign-on provider's account (when that account was recreated
    with a new subject): the next single sign-on with the user's e-mail address binds it again."""
    from app.auth.oidc import unbind
    from app.db.session import unit_of_work

    with unit_of_work() as session:
        user, actor = _user_and_cli_actor(session, email)
        forgotten = unbind(session, user, actor)
        if forgotten is None:
            err.print(
                f"{user.email} is not bound to a single sign-on account; nothing to undo", highlight=False, markup=False
            )
            return
    err.print(f"{user.email} unbound from subject {forgotten[1]!r} of {forgotten[0]}", highlight=False, markup=False)


@audit_app.command("verify")
def audit_verify(municipality: Annotated[str | None, typer.Option()] = None) -> None:
    """Check the hash chain; reports the first broken link and exits 1 if any."""
    from app.audit.service import verify
    from app.db.session import unit_of_work
    from app.municipalities.repository import all_municipalities

    broken = False
    with unit_of_work(write=False) as session:
        chosen = [m for m in all_municipalities(session) if not municipality or m.code == municipality]
        if municipality and not chosen:  # nothing checked is not "all is well"
            raise fail(f"municipality {municipality} is not in this database")
        for m in chosen:
            count, brk = verify(session, m.id)
            if brk is None:
                print(f"{m.code}\tok\t{count} events")
            else:
                broken = True
                print(f"{m.code}\tBROKEN at event {brk.seq}: {brk.reason}")
    if broken:
        raise typer.Exit(1)


backup.register(app)
report.register(app)
rubrics_cli.register(rubrics_app)
transfer.register(app)
webhooks.register(app)
worker.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()

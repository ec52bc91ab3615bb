"""`livskraft export` / `livskraft import`: a municipality's data as lossless JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import check_output, domain_fail, err, fail, write_file
from app.errors import DomainError, ValidationFailed


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)


def export_command(
    municipality: Annotated[str, typer.Option(help="Official code of the municipality")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists")] = False,
) -> None:
    """Export every row of one municipality (format livskraft.export/1). An existing file is kept (refused)
    unless --force is given."""
    from app.db.session import unit_of_work
    from app.municipalities.repository import by_code
    from app.transfer.export import dumps, export_municipality

    if output is not None:
        check_output(output)
        # an earlier export may be the only copy of a municipality moved off a server; a device
        # (/dev/stdout) is written as it is
        if not force and (output.is_file() or (output.is_symlink() and not output.exists())):
            raise fail(f"{output} exists already: name a new export file, or give --force to replace it")
    with unit_of_work(write=False) as session:
        m = by_code(session, municipality)
        if m is None:
            raise fail(f"municipality {municipality} does not exist")
        body = dumps(export_municipality(session, m.id))
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        write_file(output, body)  # a read-only or full file system, no permission: one line, no cut file
        err.print(f"wrote {output} ({len(body)} bytes)")


def import_command(path: Annotated[Path, typer.Argument(metavar="FILE", help="An export file")]) -> None:
    """Import an export into a database where that municipality does not exist yet."""
    from sqlalchemy.exc import DataError, IntegrityError

    from app.db.session import unit_of_work
    from app.rubrics.registry import load_registry
    from app.settings import get_settings
    from app.transfer.export import import_municipality

    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:  # not there, a folder, no permission: the reason, not Python's "[Errno 2] …"
        raise fail(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from exc
    except ValueError as exc:
        raise fail(f"cannot read {path}: {exc}") from exc
    except RecursionError as exc:
        raise fail(f"cannot read {path}: the JSON is nested too deeply") from exc
    try:
        with unit_of_work() as session:  # one transaction: a refused import leaves nothing behind
            code = import_municipality(session, data, load_registry(get_settings().rubrics_dir))
    except ValidationFailed as exc:
        # one line: the file, then the first problems by table, row index and field, and how many more
        raise fail(f"{path}: {exc.detail}") from exc
    except DomainError as exc:
        raise domain_fail(exc) from exc
    except (IntegrityError, DataError) as exc:
        # Last resort: the file is well-formed but the database still refused a row (e.g. an id that is
        # already taken by another municipality). The transaction was rolled back.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise fail(f"cannot import {path}: the database refused it: {reason}") from exc
    err.print(f"imported municipality {code}")

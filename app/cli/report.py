"""``livskraft report``: the decision summary of one assessment, or a portfolio, as a PDF file.

    livskraft report ASSESSMENT_ID -o FILE [--lang sv|fi|en] [--variant ua|a3]
    livskraft report ASSESSMENT_ID -o FILE.docx [--lang sv|fi|en]   (the Word copy for comments)
    livskraft report portfolio --municipality CODE --from DATE --to DATE [-o FILE] [--body BODY] [--lang]

Both use the same unit of work and report service as the API, and show a Rich progress bar.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from app.cli.common import Typer, check_output, day, domain_fail, err, fail, write_file
from app.errors import DomainError

STAGES = {
    "load": "Loading assessments",
    "render": "Rendering PDF",
    "word": "Building the Word copy",
    "write": "Writing file",
}


class _AssessmentByDefault(TyperGroup):
    """``report ID`` runs the ``assessment`` command; ``report portfolio`` the portfolio command."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["assessment", *args]
        return super().resolve_command(ctx, args)


report_app = Typer(
    cls=_AssessmentByDefault,
    help="PDF reports: `report ASSESSMENT_ID -o FILE` or `report portfolio --municipality CODE ...`.",
    no_args_is_help=True,
)


@contextmanager
def _progress() -> Iterator[Any]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(STAGES["load"], total=None)

        def update(stage: str, done: int, total: int) -> None:
            progress.update(task, description=STAGES.get(stage, stage), completed=done, total=total or None)

        try:
            yield update
        except BaseException:  # the error is the last line, not a bar stopped half-way (or a blank line)
            progress.remove_task(task)
            progress.live.transient = True
            progress.live.stop()
            progress.disable = True  # else stop() adds an empty line when stderr is not a terminal
            raise


STDOUT = Path("-")
"""``-o -``: the file goes to standard output (piped or redirected, never to a terminal)."""


def _check_output(path: Path) -> None:
    if path == STDOUT:
        if sys.stdout.isatty():
            raise fail("-o - writes the file to standard output, which is a terminal: redirect it, or name a file")
        return
    check_output(path)


def _shown(path: Path) -> str:
    return "standard output" if path == STDOUT else str(path)


def _write(path: Path, pdf: bytes, update: Any) -> None:
    update("write", 0, 1)
    if path != STDOUT:
        write_file(path, pdf)  # e.g. /proc/x.pdf, a read-only or full file system: one line, no cut file
    else:
        try:
            sys.stdout.buffer.write(pdf)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # the reader went away on purpose (`| head -c`): quiet, exit 0 (app.cli.main)
            raise
        except OSError as exc:  # the reader went away
            raise fail(f"cannot write the file to standard output: {exc.strerror or type(exc).__name__}") from exc
    update("write", 1, 1)


# The arguments are checked as they are parsed (Click calls these before the command runs, and so before
# the database is opened or its schema checked): a mistyped language or file name is refused at once.


def _lang(ctx: typer.Context, value: str) -> str:
    from app.reports.service import check_lang

    if not ctx.resilient_parsing:
        try:
            check_lang(value)
        except DomainError as exc:
            raise domain_fail(exc) from exc
    return value


def _variant(ctx: typer.Context, value: str) -> str:
    from app.reports.service import check_variant

    if not ctx.resilient_parsing:
        try:
            check_variant(value)
        except DomainError as exc:
            raise domain_fail(exc) from exc
        output = ctx.params.get("output")
        if value != "ua" and output is not None and output.suffix.lower() == ".docx":
            raise fail("--variant is for PDFs: a file named .docx is the Word copy for comments")
    return value


def _assessment_id(ctx: typer.Context, value: str) -> str:
    if not ctx.resilient_parsing:
        try:
            uuid.UUID(value)
        except ValueError as exc:
            raise fail(f"'{value}' is not an assessment id (a UUID)") from exc
    return value


def _assessment_output(ctx: typer.Context, value: Path) -> Path:
    if not ctx.resilient_parsing:
        if value != STDOUT and value.suffix.lower() not in (".pdf", ".docx"):  # x.txt, x.doc: a PDF in disguise
            raise fail(f"cannot write {value}: name the file .docx for the Word copy, or .pdf for the PDF")
        if value.suffix.lower() == ".docx" and ctx.params.get("variant", "ua") != "ua":
            raise fail("--variant is for PDFs: a file named .docx is the Word copy for comments")
        _check_output(value)
    return value


def _portfolio_output(ctx: typer.Context, value: Path | None) -> Path | None:
    if value is not None and not ctx.resilient_parsing:
        if value != STDOUT and value.suffix.lower() != ".pdf":
            raise fail(f"cannot write {value}: the portfolio is a PDF, name the file .pdf")
        _check_output(value)
    return value


def _date_to(ctx: typer.Context, value: date | None) -> date | None:
    start = ctx.params.get("date_from")
    if value is not None and start is not None and start > value:
        raise fail("--from must not be after --to")
    return value


def _date_from(ctx: typer.Context, value: date | None) -> date | None:
    end = ctx.params.get("date_to")
    if value is not None and end is not None and value > end:
        raise fail("--from must not be after --to")
    return value


@report_app.command("assessment")
def assessment(
    assessment_id: Annotated[
        str, typer.Argument(metavar="ASSESSMENT_ID", help="Id of the assessment", callback=_assessment_id)
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Where to write the PDF (- for standard output); a name ending .docx: the Word copy",
            callback=_assessment_output,
        ),
    ],
    lang: Annotated[str, typer.Option(help="sv, fi or en", callback=_lang)] = "sv",
    variant: Annotated[
        str, typer.Option(help="ua (accessible PDF/UA-1) or a3 (archival PDF/A-3 with data)", callback=_variant)
    ] = "ua",
) -> None:
    """The decision summary with its appendix (same as the API's /assessments/{id}/report); to a file
    named *.docx, the Word copy for comments (as /assessments/{id}/report.docx)."""
    from app.assessments.models import Assessment
    from app.db.session import unit_of_work
    from app.reports import word
    from app.reports.service import assessment_pdf, check_lang
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    key = uuid.UUID(assessment_id)  # the arguments were checked as they were parsed (above)
    word_copy = output.suffix.lower() == ".docx"
    registry = load_registry(get_settings().rubrics_dir)
    try:
        with _progress() as update, unit_of_work() as session:
            found = session.get(Assessment, key)
            if found is None:
                raise fail(f"assessment {assessment_id} does not exist")
            update("load", 1, 1)
            update("word" if word_copy else "render", 0, 1)
            if word_copy:
                pdf = word.assessment_docx(session, registry, found, check_lang(lang))
            else:
                pdf = assessment_pdf(session, registry, found, lang, variant)
            update("word" if word_copy else "render", 1, 1)
            _write(output, pdf, update)
    except DomainError as exc:
        raise domain_fail(exc) from exc
    err.print(f"{_shown(output)}  {len(pdf) // 1024} KiB", highlight=False)


@report_app.command("portfolio")
def portfolio(
    municipality: Annotated[str, typer.Option(metavar="CODE", help="Official code of the municipality")],
    date_from: Annotated[
        date,
        typer.Option(
            "--from", parser=day("from"), metavar="YYYY-MM-DD", help="First decision date", callback=_date_from
        ),
    ],
    date_to: Annotated[
        date,
        typer.Option("--to", parser=day("to"), metavar="YYYY-MM-DD", help="Last decision date", callback=_date_to),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Default: portfolio-CODE-FROM-TO-LANG.pdf; - for standard output",
            callback=_portfolio_output,
        ),
    ] = None,
    body: Annotated[
        str | None, typer.Option("--body", metavar="BODY", help="Only decisions of this deciding body")
    ] = None,
    lang: Annotated[str, typer.Option(help="sv, fi or en", callback=_lang)] = "sv",
) -> None:
    """Portfolio of a municipality (or one deciding body) over a period."""
    from app.db.session import unit_of_work
    from app.municipalities.repository import by_code
    from app.reports.service import portfolio_pdf
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    start, end = date_from, date_to  # real days, in order, and -o checked, as they were parsed (above)
    path = output or Path(f"portfolio-{municipality}-{start}-{end}-{lang}.pdf")
    if output is None:
        _check_output(path)
    registry = load_registry(get_settings().rubrics_dir)
    try:
        with _progress() as update, unit_of_work(write=False) as session:
            m = by_code(session, municipality)
            if m is None:
                raise fail(f"municipality {municipality} does not exist (see `livskraft municipalities list`)")
            pdf = portfolio_pdf(session, registry, m.id, start, end, body, lang, progress=update)
            _write(path, pdf, update)
    except DomainError as exc:
        raise domain_fail(exc) from exc
    err.print(f"{_shown(path)}  {len(pdf) // 1024} KiB", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")

"""Plain-data context → Jinja (autoescape, StrictUndefined) → WeasyPrint → pikepdf post-processing.

Rendering is CPU-bound and blocking: the API's report routes are plain ``def`` routes, so FastAPI runs
them in its thread pool, off the event loop. Long reports (a portfolio, or an assessment whose HTML is
large) render in a separate process started from a forkserver that has WeasyPrint imported already:
the process ends after one report, so a long-lived server does not grow slower and bigger, and a render
that exceeds its time limit is killed. Size limits refuse a report before and after rendering.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration

from app import i18n
from app.errors import ServiceUnavailable, ValidationFailed
from app.reports import hyphenation, lang_tags, postprocess
from app.reports.fetcher import BASE_URL, AssetFetcher

TEMPLATES = Path(__file__).parent / "templates"
hyphenation.register()  # pyphen has no Finnish: ours, in every process that renders (forkserver children too)
lang_tags.install()  # the language of the author's texts in the PDF's structure tree


def _fingerprint() -> str:
    """A hash of everything of ours that shapes a report's bytes: templates, CSS, fonts (by name and
    size), the report code and the message catalogues. Any change yields new cache keys by itself."""
    here = Path(__file__).parent
    files = sorted(
        [
            *here.glob("*.py"),
            *TEMPLATES.glob("*.html"),
            *(here / "assets").rglob("*.css"),
            *(here / "assets").rglob("*.conf"),
            *i18n.LOCALE_DIR.rglob("*.po"),
            here.parent / "municipalities" / "timezone.py",  # which day a timestamp shows as
        ]
    )
    h = hashlib.sha256()
    for path in files:
        h.update(str(path.relative_to(here.parent)).encode() + b"\0" + path.read_bytes())
    for font in sorted((here / "assets" / "fonts").glob("*.ttf")):
        h.update(f"{font.name}:{font.stat().st_size}".encode())
    return h.hexdigest()[:16]


TEMPLATE_VERSION = _fingerprint()
"""Part of every cache key."""
Variant = Literal["ua", "a3"]
PDF_VARIANTS: dict[str, str] = {"ua": "pdf/ua-1", "a3": "pdf/a-3u"}
MAX_HTML_CHARS = 12_000_000
INLINE_HTML_CHARS = 600_000
"""Above this, an assessment report renders in its own process like a portfolio."""
MAX_PDF_BYTES = 40_000_000
RENDER_TIMEOUT_SECONDS = 120.0


class ReportTooLarge(ValidationFailed):
    type_slug = "report-too-large"
    title = "The report is too large"


class RenderTimeout(ServiceUnavailable):
    type_slug = "report-timeout"
    title = "The report took too long to render"


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    mime: str
    description: str


@dataclass(frozen=True)
class RenderJob:
    """Everything a render needs, picklable, so it can cross into a render process."""

    html: str
    variant: Variant
    created: datetime
    identifier: bytes
    resources: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    attachment: Attachment | None = None
    figure_alts: tuple[str, ...] = ()


@lru_cache(maxsize=len(i18n.LANGUAGES))
def environment(lang: str) -> jinja2.Environment:
    """One environment per language (gettext is installed per environment, so renders in different
    languages never share translations across threads)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["lang_attr"] = i18n.lang_attr
    env.filters["in_lang"] = i18n.in_lang
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def css_string(value: object) -> Markup:
    """A CSS string literal of any text: every character except ASCII letters, digits and spaces is
    escaped (``\\f6 ``), so user text in running headers cannot end the string or the rule."""
    escaped = "".join(ch if (ch.isascii() and ch.isalnum()) or ch == " " else f"\\{ord(ch):x} " for ch in str(value))
    return Markup(f'"{escaped}"')  # noqa: S704 - every character but [A-Za-z0-9 ] is escaped above


def render_html(template: str, report: Any, lang: str) -> str:
    html = environment(lang).get_template(template).render(report=report)
    if len(html) > MAX_HTML_CHARS:
        raise ReportTooLarge(
            f"the report would be {len(html) // 1_000_000} MB of text; the limit is {MAX_HTML_CHARS // 1_000_000} MB"
        )
    return html


def weasyprint_options(variant: Variant, identifier: bytes) -> dict[str, Any]:
    return {
        "pdf_variant": PDF_VARIANTS[variant],
        "pdf_tags": True,
        "pdf_identifier": identifier,
        "presentational_hints": False,
    }


FONTCONFIG_FILE = Path(__file__).parent / "assets" / "fonts.conf"
_FONTCONFIG_ENV = threading.Lock()


def bundled_fonts() -> FontConfiguration:
    """A font configuration that knows no font of the host, only those the report's @font-face rules
    add. With the system's configuration, Pango drew some characters with a host font although the
    bundled ones have them (an emoji-style character such as ☕ went to the host's DejaVu Sans), so the
    PDF depended on the machine. fontconfig reads ``FONTCONFIG_FILE`` when WeasyPrint loads a
    configuration: it is set only for that moment (and under a lock), never for the process, whose
    other programs (a browser in the tests) need the host's fonts."""
    with _FONTCONFIG_ENV:
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
        try:
            return FontConfiguration()
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


def render_pdf(job: RenderJob) -> bytes:
    """HTML → PDF in this process, then the tagging fixes and (PDF/A-3) the embedded data."""
    fetcher = AssetFetcher(job.resources)
    document = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf(font_config=bundled_fonts(), **weasyprint_options(job.variant, job.identifier))
    assert isinstance(pdf, bytes)
    attachment = job.attachment if job.variant == "a3" else None
    out = postprocess.finish(pdf, job.figure_alts, attachment, job.created)
    if len(out) > MAX_PDF_BYTES:
        raise ReportTooLarge(
            f"the PDF would be {len(out) // 1_000_000} MB; the limit is {MAX_PDF_BYTES // 1_000_000} MB"
        )
    return out


def _child(conn: multiprocessing.connection.Connection, job: RenderJob) -> None:
    try:
        pdf = render_pdf(job)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        conn.send(("ok", pdf, {"max_rss_kb": float(usage.ru_maxrss), "cpu_s": usage.ru_utime + usage.ru_stime}))
    except BaseException as exc:  # reported to the parent, which re-raises it
        conn.send(("error", exc, {}))
    finally:
        conn.close()


@lru_cache(maxsize=1)
def _context() -> multiprocessing.context.BaseContext:
    """A forkserver that has imported WeasyPrint and rendered once (:mod:`app.reports.warm`): each render
    process starts warm and clean."""
    ctx = multiprocessing.get_context("forkserver")
    # "__main__" (the default) is kept: the forkserver imports the main script once, so render processes
    # do not each re-run it (a console script such as `livskraft` would import the whole CLI every time).
    ctx.set_forkserver_preload(["__main__", "app.reports.warm"])
    return ctx


def render_pdf_isolated(
    job: RenderJob, timeout: float = RENDER_TIMEOUT_SECONDS, stats: dict[str, float] | None = None
) -> bytes:
    """Render in a fresh process; kill it and raise :class:`RenderTimeout` after ``timeout`` seconds.
    ``stats`` (if given) receives the render process's peak resident memory (``max_rss_kb``) and CPU
    time (``cpu_s``), for the benchmark."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, job), daemon=True)  # type: ignore[attr-defined]
    process.start()
    child.close()
    deadline = time.monotonic() + timeout
    try:
        if not parent.poll(max(0.0, deadline - time.monotonic())):
            raise RenderTimeout(f"the report did not finish within {timeout:.0f} s; choose a shorter period")
        status, payload, usage = parent.recv()
    except EOFError as exc:
        raise ServiceUnavailable("the report renderer stopped unexpectedly; try again") from exc
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if stats is not None:
        stats.update(usage)
    if status == "error":
        raise payload
    assert isinstance(payload, bytes)
    return payload


def render(job: RenderJob, isolated: bool | None = None, timeout: float = RENDER_TIMEOUT_SECONDS) -> bytes:
    if isolated is None:
        isolated = len(job.html) > INLINE_HTML_CHARS
    return render_pdf_isolated(job, timeout) if isolated else render_pdf(job)

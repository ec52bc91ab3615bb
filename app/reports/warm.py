"""Imported only by the render forkserver (see :func:`app.reports.render.render_pdf_isolated`).

One tiny render in each language initialises what every render process would otherwise set up again:
fontconfig and Pango, the bundled fonts, the stylesheets, the hyphenation dictionaries, Jinja-free
WeasyPrint state. Render processes are forked from this warm state, so a portfolio render pays only
for its own pages.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.reports.render import RenderJob, render_pdf


def warm_up() -> None:
    body = "".join(
        f'<section lang="{lang}"><h2>Livskraft</h2><table><thead><tr><th scope="col">{word}</th></tr></thead>'
        f"<tbody><tr><td>{word}</td></tr></tbody></table><svg xmlns='http://www.w3.org/2000/svg' width='20' "
        f"height='10'><title>x</title><text x='0' y='9'>{word}</text></svg></section>"
        for lang, word in (("sv", "Nollalternativet"), ("fi", "Nollavaihtoehto"), ("en", "Alternative"))
    )
    html = (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>warm</title>'
        f'<link rel="stylesheet" href="report.css"></head><body>{body}</body></html>'
    )
    render_pdf(RenderJob(html, "ua", datetime(2026, 1, 1, tzinfo=UTC), b"0" * 16))


warm_up()

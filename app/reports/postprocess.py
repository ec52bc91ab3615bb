"""Fixes to WeasyPrint 70's output with pikepdf, applied to every report.

* Table header cells get ``/Scope`` (PDF/UA-1 7.5): WeasyPrint links data cells to headers with
  ``/Headers`` but drops the scope. Headers in ``<thead>`` (or in a row of headers only) are column
  headers; a header cell in a body row is a row header — the convention every report template follows.
* Every ``/Figure`` gets ``/Alt``: WeasyPrint takes it from ``alt`` or the SVG ``<title>``; a figure
  still without one gets the next of the texts the report supplies, in document order.
* The archival variant (PDF/A-3) carries the assessment's data as an embedded JSON file, associated
  with the document (``/AF``, relationship ``/Source``), so the archived PDF holds its own data.
* The file is written with a content-derived ``/ID`` and no timestamps: same input, same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pikepdf

if TYPE_CHECKING:
    from app.reports.render import Attachment

FALLBACK_ALT = "Chart"


CONTAINERS = frozenset(
    {
        "/Document",
        "/Part",
        "/Art",
        "/Sect",
        "/Div",
        "/NonStruct",
        "/BlockQuote",
        "/Table",
        "/THead",
        "/TBody",
        "/TFoot",
        "/TR",
    }
)
"""Elements that may hold table cells or figures. Paragraphs, spans and cells are not descended into:
they hold only text in the report templates, and they are most of the tree (a portfolio has tens of
thousands), so skipping them keeps post-processing a small fraction of the render."""


def _struct_elements(root: pikepdf.Object) -> Iterator[tuple[pikepdf.Dictionary, list[pikepdf.Dictionary]]]:
    """Structure elements in document order, each with its ancestors (nearest last)."""
    stack: list[tuple[pikepdf.Object | None, list[pikepdf.Dictionary]]] = [(root.get("/K"), [])]
    while stack:
        node, ancestors = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend((kid, ancestors) for kid in reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        yield node, ancestors
        if str(node.S) in CONTAINERS and "/K" in node:
            stack.append((node.K, [*ancestors, node]))


def _kind(node: pikepdf.Object) -> str:
    return str(node.get("/S", "")) if isinstance(node, pikepdf.Dictionary) else ""


def _scope(ancestors: Sequence[pikepdf.Dictionary]) -> pikepdf.Name:
    row = ancestors[-1] if ancestors else None
    if any(_kind(a) == "/THead" for a in ancestors[-2:]):
        return pikepdf.Name.Column
    if row is not None and _kind(row) == "/TR":
        kids = row.K if isinstance(row.K, pikepdf.Array) else [row.K]
        cells = [k for k in kids if _kind(k) in ("/TH", "/TD")]
        if cells and all(_kind(k) == "/TH" for k in cells):
            return pikepdf.Name.Column
    return pikepdf.Name.Row


def _set_scope(cell: pikepdf.Dictionary, scope: pikepdf.Name) -> None:
    attrs = cell.get("/A")
    if isinstance(attrs, pikepdf.Array):
        table = next((a for a in attrs if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table"), None)
        if table is None:
            attrs.append(pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope))
        else:
            table.Scope = scope
    elif isinstance(attrs, pikepdf.Dictionary) and attrs.get("/O") == "/Table":
        attrs.Scope = scope
    elif isinstance(attrs, pikepdf.Dictionary):
        cell.A = pikepdf.Array([attrs, pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope)])
    else:
        cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope)


def fix_structure(pdf: pikepdf.Pdf, figure_alts: Sequence[str]) -> tuple[int, int]:
    """Add ``/Scope`` to TH and ``/Alt`` to figures without one; returns how many of each were fixed."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0, 0
    alts = iter(figure_alts)
    scopes = figures = 0
    for node, ancestors in _struct_elements(root):
        kind = _kind(node)
        if kind == "/TH":
            _set_scope(node, _scope(ancestors))
            scopes += 1
        elif kind == "/Figure" and "/Alt" not in node and "/ActualText" not in node:
            node.Alt = pikepdf.String(next(alts, FALLBACK_ALT))
            figures += 1
    return scopes, figures


def pdf_date(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    return f"D:{v.year:04d}{v.month:02d}{v.day:02d}{v.hour:02d}{v.minute:02d}{v.second:02d}Z"


def embed(pdf: pikepdf.Pdf, attachment: Attachment, created: datetime) -> None:
    """Attach a file and associate it with the document (PDF/A-3 requires ``/AF`` and a relationship)."""
    stamp = pdf_date(created)
    spec = pikepdf.AttachedFileSpec(
        pdf,
        attachment.data,
        description=attachment.description,
        filename=attachment.name,
        mime_type=attachment.mime,
        creation_date=stamp,
        mod_date=stamp,
        relationship=pikepdf.Name.Source,
    )
    pdf.attachments[attachment.name] = spec
    stored = pdf.Root.Names.EmbeddedFiles.Names
    ref = next(stored[i + 1] for i in range(0, len(stored), 2) if str(stored[i]) == attachment.name)
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pdf.make_indirect(pikepdf.Array())
    pdf.Root.AF.append(ref)


def finish(data: bytes, figure_alts: Sequence[str], attachment: Attachment | None, created: datetime) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fix_structure(pdf, figure_alts)
        if attachment is not None:
            embed(pdf, attachment, created)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()

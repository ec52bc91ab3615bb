"""The decision summary as a Word document (.docx) that colleagues can comment on.

Officials circulate a draft for comments before it is submitted, and councils' secretariats edit the
agenda text around it; a PDF suits the agenda, not the commenting (PRODUCT.md lists "exports that cannot be
commented on" among the complaints about today's tools). This document carries what the PDF carries —
the same :class:`~app.reports.context.SummaryReport`, so the same words, numbers and decision details —
with every text in full (the PDF's first pages shorten long texts), in the report's language, with real
headings, list styles and table header rows, so that screen readers and Word's accessibility checker
find the structure. It is a copy: changes made in it do not reach Livskraft.

python-docx writes it from its own template; nothing is fetched from the network or the file system.
The bytes are reproducible: the package's timestamps and the document's properties come from the
assessment (when it was approved, else last changed), not from the clock.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from sqlmodel import Session

from app import i18n
from app.assessments import service as assessments
from app.assessments.models import Assessment, Decision
from app.errors import NotFound
from app.municipalities.models import Municipality
from app.reports.branding import brand_for
from app.reports.context import Impact, SummaryReport, summary_report
from app.reports.labels import SOFT_HYPHEN, t
from app.rubrics.registry import RubricRegistry

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARGIN_CM = 2.5
TEXT_WIDTH_CM = 21 - 2 * MARGIN_CM
LANGUAGE_TAGS = {"sv": "sv-SE", "fi": "fi-FI", "en": "en-GB"}
"""The document's language for spelling and for screen readers (w:lang)."""
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold: the API and the import refuse them (``app/text.py``), but text stored
before the noncharacters U+FFFE and U+FFFF were refused may carry those. Invisible, so the copy leaves
them out."""
APPLICATION = re.compile(rb"<Application>[^<]*</Application>")
"""The extended properties' application that wrote the document (python-docx's template names Word)."""
ROW_FITS_PAGE = 1000
"""Characters of a table cell that surely fit on one page in the narrowest column (about 5 cm)."""


def assessment_docx(session: Session, registry: RubricRegistry, assessment: Assessment, lang: str) -> bytes:
    """The decision summary of ``assessment`` as a Word document in ``lang`` (checked by the caller)."""
    decision = session.get(Decision, assessment.decision_id)
    municipality = session.get(Municipality, assessment.municipality_id)
    if decision is None or municipality is None:
        raise NotFound("the assessment's decision or municipality no longer exists")
    rubric = assessments.rubric_of(registry, assessment)
    report = summary_report(session, rubric, assessment, decision, brand_for(municipality, lang), lang)
    return build(report, assessment.approved_at or assessment.updated_at)


def build(report: SummaryReport, changed: datetime) -> bytes:
    """``report`` as .docx bytes; ``changed`` dates the document (its properties and the package)."""
    report = _xml_safe(report)
    lang = report.lang
    doc = docx.Document()
    _properties(doc, report, changed)
    _language(doc, LANGUAGE_TAGS.get(lang, lang))
    _package(doc, LANGUAGE_TAGS.get(lang, lang))
    _footer(doc, report)

    # who it is from and what it is, above the title, as the PDF's masthead
    kind = doc.add_paragraph()
    kind.add_run(report.brand.municipality).bold = True
    kind.add_run("\n" + t(lang, "Vitality impact assessment – decision summary"))
    tl = LANGUAGE_TAGS.get(report.text_lang or "")  # the author's texts, where not in the report's language
    _mark(doc.add_heading(report.decision_title, level=1).runs, tl)
    copy = t(
        lang,
        "Comment and suggest changes here with your word processor. The assessment itself is changed in "
        "Livskraft, and changes made in this document do not reach it.",
    )
    note = doc.add_paragraph(f"{t(lang, 'Comment copy')} · {report.status}. {copy}")
    note.runs[0].italic = True
    doc.add_paragraph(t(lang, "The decision and the assessment"), style="Caption")
    _key_values(doc, [(f.label, f.value) for f in report.facts])
    if report.decision_summary:
        _text(doc, report.decision_summary, tl)

    doc.add_heading(t(lang, "Alternatives compared"), level=2)
    for alt in report.alternatives:
        item = doc.add_paragraph(style="List Bullet")
        item.add_run(f"{alt.kind}: ").bold = True
        _mark([item.add_run(alt.title)], None if alt.worded else tl)
        if alt.description:
            item.add_run(" – ")
            _mark([item.add_run(alt.description)], tl)
    doc.add_paragraph(
        t(
            lang,
            "Overall profile per target (−3 … +3) and the difference between the proposal and the zero alternative",
        ),
        style="Caption",
    )
    _table(
        doc,
        [t(lang, "Target"), *(a.kind for a in report.alternatives), t(lang, "Difference"), t(lang, "In words")],
        [[row.label, *row.values, row.delta, row.verdict] for row in report.profile],
        *((0.22, 0.2) if len(report.alternatives) <= 3 else (0.18, 0.16)),
        size=None if len(report.alternatives) <= 3 else 9,
    )
    if report.overall_note:
        doc.add_paragraph(report.overall_note)

    doc.add_heading(t(lang, "Impacts of the proposal per perspective and target"), level=2)
    doc.add_paragraph(
        t(
            lang,
            "Symbol and words show the direction; the number is the mean score, Δ the difference from the zero "
            "alternative.",
        ),
        style="Caption",
    )
    matrix_rows = []
    screened = []
    for number, row in enumerate(report.matrix, start=1):
        if not row.relevant:  # one cell across the targets, as the PDF's colspan: read once, not thrice
            out = f"– {t(lang, 'Screened out as not relevant')}"
            matrix_rows.append([row.perspective, out, *("" for _ in report.targets[1:])])
            screened.append(number)
            continue
        cells = []
        for c in row.cells:
            values = c.value + (f" · Δ {c.delta}" if c.delta else "")
            cells.append(f"{c.symbol} {c.words}" + (f" ({values})" if values else ""))
        matrix_rows.append([row.perspective, *cells])
    matrix = _table(doc, [t(lang, "Perspective"), *report.targets], matrix_rows, first=0.31)
    for number in screened:
        across = matrix.rows[number].cells
        across[1].merge(across[-1])
    legend = doc.add_paragraph(f"{t(lang, 'Symbols')}: ")
    for i, entry in enumerate(report.legend):
        legend.add_run(entry.label).bold = True
        legend.add_run(f" {entry.value}" + (";" if i < len(report.legend) - 1 else ".") + " ")

    doc.add_heading(t(lang, "The most significant impacts of the proposal"), level=2)
    _impacts(
        doc,
        lang,
        report.negatives,
        t(lang, "Negative impacts"),
        t(lang, "No negative impacts were identified."),
        True,
        tl,
    )
    _impacts(
        doc,
        lang,
        report.positives,
        t(lang, "Positive impacts"),
        t(lang, "No positive impacts were identified."),
        False,
        tl,
    )

    doc.add_heading(t(lang, "Certainty and knowledge gaps"), level=2)
    cert = report.certainty
    sentence = cert.sentence
    if cert.unrated:
        sentence += " " + _n(
            lang,
            "%(n)s criterion of relevant perspectives has not been rated.",
            "%(n)s criteria of relevant perspectives have not been rated.",
            cert.unrated,
        )
    doc.add_paragraph(sentence)
    if cert.gaps:
        for g in cert.gaps:
            item = doc.add_paragraph(style="List Bullet")
            item.add_run(g.criterion).bold = True
            item.add_run(f" ({g.target}, {g.alternative})" + (": " if g.note else ""))
            if g.note:
                _mark([item.add_run(g.note)], tl)
        if cert.more_gaps:
            doc.add_paragraph(
                _n(
                    lang,
                    "%(n)s more knowledge gap is listed in the appendix.",
                    "%(n)s more knowledge gaps are listed in the appendix.",
                    cert.more_gaps,
                ),
                style="List Bullet",
            )
    else:
        doc.add_paragraph(t(lang, "No knowledge gaps were recorded."))

    doc.add_heading(t(lang, "Screened out"), level=2)
    if report.screened_out:
        for s in report.screened_out:
            item = doc.add_paragraph(style="List Bullet")
            item.add_run(s.perspective).bold = True
            item.add_run(": ")
            _mark([item.add_run(s.reason)], tl)
    elif not report.unscreened:
        doc.add_paragraph(t(lang, "All perspectives were considered relevant."))
    if report.unscreened:
        doc.add_paragraph(
            t(lang, "Not screened yet, so counted as relevant: %(perspectives)s.")
            % {"perspectives": ", ".join(report.unscreened)}
        )
    if report.screening_statement:
        _text(doc, report.screening_statement, tl)

    _appendix(doc, report)
    return _reproducible(doc, changed)


def _n(lang: str, singular: str, plural: str, n: int) -> str:
    return i18n.translations(lang).ngettext(singular, plural, n) % {"n": n}


def _impacts(
    doc: Document, lang: str, items: Sequence[Impact], caption: str, none: str, negative: bool, tl: str | None
) -> None:
    doc.add_heading(caption, level=3)
    if not items:
        doc.add_paragraph(none)
        return
    rows = []
    for i in items:
        rows.append(
            [
                f"{i.criterion}\n{i.perspective} · {i.target}",
                f"{i.score} {i.score_label}\n{i.likelihood}; {i.horizon}; {i.certainty}",
                (i.mitigation or "–") if negative else (i.rationale or "–"),
            ]
        )
    table = _table(
        doc,
        [
            t(lang, "Impact"),
            t(lang, "Rating: likelihood, horizon, certainty"),
            t(lang, "Mitigation") if negative else t(lang, "Rationale"),
        ],
        rows,
        first=0.36,
    )
    for row in table.rows[1:]:  # the author's mitigation or rationale ("–" where none is in the table's)
        if row.cells[2].text != "–":
            _mark((run for paragraph in row.cells[2].paragraphs for run in paragraph.runs), tl)


def _appendix(doc: Document, report: SummaryReport) -> None:
    lang = report.lang
    tl = LANGUAGE_TAGS.get(report.text_lang or "")
    doc.add_heading(t(lang, "Appendix: every rating"), level=2).paragraph_format.page_break_before = True
    for alt in report.appendix:
        heading = doc.add_heading(f"{alt.kind}: ", level=3)
        _mark([heading.add_run(alt.title)], None if alt.worded else tl)
        if alt.description:
            _text(doc, alt.description, tl)
        if not alt.perspectives:
            doc.add_paragraph(t(lang, "No ratings for this alternative."))
        for p in alt.perspectives:
            doc.add_heading(p.title, level=4)
            if p.screened_out:
                doc.add_paragraph(
                    t(
                        lang,
                        "This perspective was screened out as not relevant: its ratings were made before that "
                        "and are not counted.",
                    )
                )
            for r in p.ratings:
                # as the PDF's h5: the navigation pane lists every rating, a criterion's further effects numbered
                effect = f" ({t(lang, 'effect')} {r.effect})" if r.effect > 1 else ""
                head = doc.add_heading(r.criterion + effect, level=5)
                head.paragraph_format.keep_with_next = True  # as the style: never alone at the foot of a page
                line = doc.add_paragraph(f"{r.target} · ")
                line.add_run(r.score).bold = True
                line.add_run(
                    f" {r.score_label} · {t(lang, 'Likelihood')}: {r.likelihood} · {t(lang, 'Horizon')}: {r.horizon} · "
                    f"{t(lang, 'Certainty')}: {r.certainty}"
                )
                for label, value in (
                    ("Rationale", r.rationale),
                    ("Evidence", "; ".join(r.evidence)),
                    ("Affected groups", r.affected_groups),
                    ("Affected area", r.affected_area),
                    ("Mitigation", r.mitigation),
                ):
                    if value:
                        _mark(_labelled(doc, t(lang, label), value).runs[1:], tl)
    if report.sources:
        doc.add_heading(t(lang, "Sources"), level=2)
        for source in report.sources:
            _mark(doc.add_paragraph(source, style="List Bullet").runs, tl)
    m = report.method
    doc.add_heading(t(lang, "Method and weights"), level=2)
    if m.description:
        _text(doc, m.description)
    doc.add_paragraph(
        t(
            lang,
            "A cell of the matrix is the mean of the known scores rated in it; unknown scores are knowledge gaps "
            "and never count as zero. The profile of a target is the weighted mean of its cells, the overall "
            "value the weighted mean of the three profiles. The significance of an impact is the size of its "
            "score times the weight of its likelihood; impacts of at least %(threshold)s are significant. The "
            "difference is proposal minus zero alternative.",
        )
        % {"threshold": m.significant}
    )
    doc.add_paragraph(t(lang, "Weights used"), style="Caption")
    _table(
        doc,
        [t(lang, "Perspective or target"), t(lang, "Weight")],
        [[w.label, w.value] for w in (*m.perspective_weights, *m.target_weights)],
        first=0.8,
    )
    doc.add_paragraph(t(lang, "Likelihood weights in the significance of an impact"), style="Caption")
    _table(
        doc, [t(lang, "Likelihood"), t(lang, "Weight")], [[w.label, w.value] for w in m.likelihood_weights], first=0.8
    )
    doc.add_heading(t(lang, "Rubric"), level=3)
    doc.add_paragraph(
        f"{m.rubric_title}\n{t(lang, 'Identifier')}: {m.rubric_id} · {t(lang, 'Version')}: {m.rubric_version}\n"
        f"{t(lang, 'Content hash')}: sha256:{m.rubric_hash}"
    )


def _text(doc: Document, text: str, tl: str | None = None) -> None:
    """A text as typed: one paragraph per paragraph of it (blank lines), line breaks kept within; ``tl``:
    the language it is written in (a language tag), where not the document's."""
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            _mark(doc.add_paragraph(block.strip("\n")).runs, tl)


def _mark(runs: Iterable[Run], tag: str | None) -> None:
    """The runs' language (``w:lang``) where it is not the document's (``tag`` None: nothing to mark), so
    Word checks the spelling and screen readers read the author's text in the language it is written in."""
    if not tag:
        return
    for run in runs:
        _set_lang(run._r.get_or_add_rPr(), tag, ("w:val",))


def _set_lang(properties: Any, tag: str, scripts: Sequence[str]) -> None:
    """Run properties (a run's or the document's defaults) given ``w:lang`` with ``tag`` for ``scripts``,
    replacing any earlier one."""
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    mark = OxmlElement("w:lang")
    for script in scripts:
        mark.set(qn(script), tag)
    properties.append(mark)


def _labelled(doc: Document, label: str, value: str) -> Paragraph:
    p = doc.add_paragraph()
    p.add_run(f"{label}: ").bold = True
    p.add_run(value)
    return p


def _key_values(doc: Document, pairs: Sequence[tuple[str, str]]) -> Table:
    """Facts as a two-column table whose first column names each row (no header row: each row is one)."""
    table: Table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in pairs:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    table.autofit = False
    _widths(table, [0.35, 0.65])
    _rows_whole(table)
    return table


def _table(
    doc: Document,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    first: float = 0.3,
    last: float = 0.0,
    size: float | None = None,
) -> Table:
    """A data table whose first row is marked as its header row (repeated on every page, announced as
    column headers by screen readers); its first column takes ``first`` of the text width, its last
    ``last`` when given, the others share the rest; ``size``: a smaller type (points) for many columns,
    so that a value such as "+2,5" keeps to one line."""
    table: Table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    head = table.rows[0]
    properties = head._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
    for cell, text in zip(head.cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for cell, text in zip(cells, row, strict=True):
            if text:  # an empty cell keeps its one empty paragraph (merged away without a trace)
                cell.text = text
    if last and len(header) > 2:
        middle = (1 - first - last) / (len(header) - 2)
        _widths(table, [first, *([middle] * (len(header) - 2)), last])
    else:
        _widths(table, [first] + [(1 - first) / (len(header) - 1)] * (len(header) - 1))
    if size:
        for cell in (cell for row in table.rows for cell in row.cells):
            for run in (run for paragraph in cell.paragraphs for run in paragraph.runs):
                run.font.size = Pt(size)
    _rows_whole(table)
    return table


def _rows_whole(table: Table) -> None:
    """No row is split over two pages (a cell's last word alone on the next page reads as a new row) —
    unless it may not fit on one: Word cuts off the part of an unsplittable row below the page, and a
    rationale in full may run to 20,000 characters."""
    for row in table.rows:
        if max(len(cell.text) for cell in row.cells) <= ROW_FITS_PAGE:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _widths(table: Table, shares: Sequence[float]) -> None:
    """Column widths as shares of the A4 page's text width (Word reads the cells' widths, LibreOffice the
    grid's: both are set)."""
    widths = [Cm(TEXT_WIDTH_CM * share) for share in shares]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _properties(doc: Document, report: SummaryReport, changed: datetime) -> None:
    props = doc.core_properties
    props.title = report.meta.title
    props.subject = report.decision_title
    props.language = LANGUAGE_TAGS.get(report.lang, report.lang)
    props.author = report.brand.municipality  # as the PDF's author
    props.last_modified_by = "Livskraft"
    props.identifier = report.facts[0].value if report.facts else ""
    props.keywords = "Livskraft"
    props.comments = ""
    props.revision = 1
    stamp = _naive_utc(changed)
    props.created = stamp
    props.modified = stamp
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    for section in doc.sections:  # A4 with 2.5 cm margins (python-docx's template is US Letter)
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(MARGIN_CM)


def _footer(doc: Document, report: SummaryReport) -> None:
    """Every page's foot as the PDF's running header and footer: who, which case and status, and "Page n / m"
    (Word's PAGE and NUMPAGES fields), so that printed pages and comments can be referred to."""
    case = report.facts[0].value if report.facts else ""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    parts = [report.brand.municipality, report.brand.product, case, report.status]
    footer.add_run(" · ".join(part for part in parts if part) + f" · {t(report.lang, 'Page')} ")
    _field(footer, "PAGE", "1")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES", "1")


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _language(doc: Document, tag: str) -> None:
    """Every run's language (docDefaults), so spelling and screen readers use it."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr, tag, ("w:val", "w:eastAsia", "w:bidi"))


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _xml_safe(value: Any) -> Any:
    """``value`` (the report's frozen dataclasses, lists and strings) without :data:`NOT_XML`."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _xml_safe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def _soft_hyphens(doc: Document) -> None:
    """Soft hyphens (the Finnish catalogue's "Nolla-vaihto-ehto" for narrow table headers) as Word's
    optional hyphens (``w:softHyphen``): left in the text as a character, they hide the word from a search
    for "Nollavaihtoehto"."""
    for text in list(doc.element.body.iter(qn("w:t"))):
        if not text.text or SOFT_HYPHEN not in text.text:
            continue
        first, *rest = text.text.split(SOFT_HYPHEN)
        text.text = first
        anchor = text
        for part in rest:
            hyphen = OxmlElement("w:softHyphen")
            anchor.addnext(hyphen)
            anchor = hyphen
            if part:
                following = OxmlElement("w:t")
                following.text = part
                following.set(qn("xml:space"), "preserve")
                anchor.addnext(following)
                anchor = following


def _package(doc: Document, tag: str) -> None:
    """What python-docx's template brings along that would mislead: ``w:proofState`` "clean" tells Word
    the text has been spell-checked with no errors found, so it shows none until a paragraph is edited;
    the Word 2010 copy of the styles (``stylesWithEffects.xml``) and the theme's fonts say US English;
    and the package's thumbnail is a blank US Letter page that file managers would show as its preview."""
    settings = doc.settings.element
    for proofed in settings.findall(qn("w:proofState")):
        settings.remove(proofed)
    for theme in settings.findall(qn("w:themeFontLang")):
        theme.set(qn("w:val"), tag)
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.endswith(("/stylesWithEffects", "/metadata/thumbnail")):
                del rels[rid]


def _hyphenate(doc: Document) -> None:
    """Automatic hyphenation in the document's language, as the PDF's table headers: long Swedish and
    Finnish words in narrow columns break at a syllable, not after any letter."""
    settings = doc.settings.element
    if settings.find(qn("w:autoHyphenation")) is None:
        settings.insert(0, OxmlElement("w:autoHyphenation"))


def _reproducible(doc: Document, changed: datetime) -> bytes:
    """The package with every member dated ``changed`` (python-docx dates them now), in a fixed order."""
    _soft_hyphens(doc)
    _hyphenate(doc)
    raw = io.BytesIO()
    doc.save(raw)
    stamp = _naive_utc(changed)
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/app.xml":  # the template's "Microsoft Macintosh Word", 2010
                content = APPLICATION.sub(b"<Application>Livskraft</Application>", content)
            target.writestr(member, content)
    return out.getvalue()

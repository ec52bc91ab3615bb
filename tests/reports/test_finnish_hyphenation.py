"""Finnish has no hyphenation dictionary in pyphen: a long Finnish word in a report's table broke
mid-word without a hyphen. The reports bring their own (``app/reports/hyphenation.py``)."""

from __future__ import annotations

import io
from typing import Any

import pyphen
import pytest
from pypdf import PdfReader

from app.reports.hyphenation import hyphenate
from tests.support import Api

LONG = "lentokonesuihkuturbiinimoottoriapumekaanikkoaliupseerioppilas"
"""A real (if proverbial) Finnish compound, far wider than a table cell."""
HYPHENS = ("\u2010", "-", "\u00ad")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("kuntaorganisaatio", "kun-ta-or-ga-ni-saa-tio"),
        ("elinvoimapolitiikan", "elin-voi-ma-po-li-tii-kan"),
        ("strategia", "stra-te-gia"),
        ("kaupunkiympäristö", "kau-pun-ki-ym-pä-ris-tö"),
        ("yhteistyö", "yh-teis-työ"),
    ],
)
def test_finnish_words_break_at_their_syllables(word: str, expected: str) -> None:
    assert hyphenate(word) == expected


def test_pyphen_still_has_no_finnish_of_its_own() -> None:
    """Should pyphen ship one, ``register`` keeps it (and this module may go)."""
    from app.reports import hyphenation

    hyphenation.register()
    assert pyphen.LANGUAGES["fi"] is hyphenation.FINNISH


def _lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [line.strip() for page in reader.pages for line in (page.extract_text() or "").splitlines()]


def _broken(lines: list[str], word: str) -> list[str]:
    """The lines the word was broken over (each a piece of it, maybe with a hyphen at its end)."""
    pieces: list[str] = []
    rest = word
    for line in lines:
        tail = line.split()[-1] if line.split() else ""
        head = line.split()[0] if line.split() else ""
        if pieces:
            assert rest.startswith(head.rstrip("".join(HYPHENS))), (pieces, line)
            pieces.append(head)
            rest = rest[len(head.rstrip("".join(HYPHENS))) :]
            if not rest:
                return pieces
        elif len(tail.rstrip("".join(HYPHENS))) >= 4 and word.startswith(tail.rstrip("".join(HYPHENS))):
            pieces.append(tail)
            rest = word[len(tail.rstrip("".join(HYPHENS))) :]
    return pieces


def test_a_long_finnish_word_in_a_table_breaks_with_hyphens(client: Any) -> None:
    api = Api.for_new_municipality(client, "091")
    decision = api.create_decision("KH 14/2026", deciding_body=LONG, title="Kunnan hallinto")
    r = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assert r.status_code == 201, r.text
    pdf = api.get(f"/api/v1/assessments/{r.json()['id']}/report", params={"lang": "fi"})
    assert pdf.status_code == 200, pdf.text
    pieces = _broken(_lines(pdf.content), LONG)
    assert len(pieces) >= 2, "the word is wider than its cell"
    assert all(p.endswith(HYPHENS) for p in pieces[:-1]), pieces
    syllables = hyphenate(LONG).split("-")
    ends = {len("".join(syllables[: i + 1])) for i in range(len(syllables))}
    joined = 0
    for p in pieces[:-1]:
        joined += len(p.rstrip("".join(HYPHENS)))
        assert joined in ends, f"broken mid-syllable: {pieces}"

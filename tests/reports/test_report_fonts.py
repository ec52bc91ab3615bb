"""Characters the main font (DejaVu Sans) lacks, typed or pasted by an official — emoji, symbols, Chinese
and Japanese — are drawn by the bundled fallback fonts, never as a missing glyph's box (PDF/UA-1 7.21.8
forbids .notdef), and stay in the PDF's text; still only bundled fonts, all embedded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.factories import pdf_text, rich_assessment
from tests.reports.pdfcheck import fonts, notdef_glyphs, open_pdf, page_validation
from tests.support import Api

PASTED = "Bra 👍 för företag ✅ ⚽ → 漢字 ひらがな カタカナ"
TITLE = "Handelsavtal med Suzhou 苏州 🏭"


@pytest.mark.parametrize("variant", ["ua", "a3"])
def test_emoji_and_cjk_are_drawn_by_the_bundled_fallbacks(api: Api, variant: str, tmp_path: Path) -> None:
    a = rich_assessment(api, title=TITLE, rationale=PASTED, mitigation="Uppföljning 📅 varje kvartal")
    r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "sv", "variant": variant})
    assert r.status_code == 200, r.text
    with open_pdf(r.content) as pdf:
        assert notdef_glyphs(pdf) == {}
        names, unembedded = fonts(pdf)
    assert unembedded == set()
    families = {n.split("+", 1)[-1].split("-Bold")[0].split("-Semi")[0] for n in names}
    assert families == {"Livskraft-Sans", "Livskraft-Symbols", "Livskraft-CJK"}, names
    text = pdf_text(r.content)
    for word in ("👍", "✅", "漢字", "ひらがな", "カタカナ", "苏州", "📅"):
        assert word in text, word
    compliant, failures = page_validation(r.content, tmp_path, "ua1" if variant == "ua" else "3u")
    assert compliant, failures

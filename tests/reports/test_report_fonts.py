"""Characters the main font (DejaVu Sans) lacks, typed or pasted by an official — emoji, symbols, Chinese
and Japanese — are drawn by the bundled fallback fonts, never as a missing glyph's box (PDF/UA-1 7.21.8
forbids .notdef), and stay in the PDF's text; still only bundled fonts, all embedded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.factories import pdf_text, rich_assessment
from tests.reports.pdfcheck import fonts, notdef_glyphs, open_pdf, page_validation
from tests.support import Api

PASTED = "Bra 👍 för företag ✅ ⚽ ☕ → 漢字 ひらがな カタカナ"
TITLE = "Handelsavtal med Suzhou 苏州 🏭"
BUNDLED = {  # by the family names of report.css, or the files' own
    "Livskraft-Sans",
    "Livskraft-Symbols",
    "Livskraft-CJK",
    "DejaVu-Sans",
    "Symbola",
    "Droid-Sans-Fallback",
}


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
    # emoji-style characters are itemised apart by Pango and fall back to the fonts fontconfig knows: the
    # bundled files by their own names (test_a_render_knows_only_the_bundled_fonts: it knows no other)
    assert families <= BUNDLED, names
    assert families & {"Livskraft-Symbols", "Symbola"} and families & {"Livskraft-CJK", "Droid-Sans-Fallback"}
    text = pdf_text(r.content)
    for word in ("👍", "✅", "漢字", "ひらがな", "カタカナ", "苏州", "📅"):
        assert word in text, word
    compliant, failures = page_validation(r.content, tmp_path, "ua1" if variant == "ua" else "3u")
    assert compliant, failures


def test_a_render_knows_only_the_bundled_fonts() -> None:
    """The font configuration of every render lists the files of app/reports/assets/fonts and nothing of
    the host (which has fonts: DejaVu at least, WeasyPrint's own requirement)."""
    from weasyprint.text.ffi import ffi, fontconfig
    from weasyprint.text.fonts import FontConfiguration

    from app.reports.fetcher import ASSETS_DIR
    from app.reports.render import bundled_fonts

    def files(config: FontConfiguration) -> set[Path]:
        found = fontconfig.FcConfigGetFonts(config._config, fontconfig.FcSetSystem)
        out = set()
        for i in range(found.nfont if found != ffi.NULL else 0):
            value = ffi.new("FcChar8 **")
            fontconfig.FcPatternGetString(found.fonts[i], b"file", 0, value)
            out.add(Path(ffi.string(value[0]).decode()).resolve())
        return out

    ours = files(bundled_fonts())
    assert ours == {p.resolve() for p in (ASSETS_DIR / "fonts").glob("*.ttf")}, ours
    assert files(FontConfiguration()) - ours, "the host has fonts of its own, which the reports do not see"

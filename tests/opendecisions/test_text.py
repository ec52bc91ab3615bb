"""HTML of open decision records to plain text (pure functions)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.opendecisions.text import Section, clean, html_to_text, sections, to_text, truncate


def test_sections_by_heading() -> None:
    html = (
        "<html><head><title>Otsikko</title></head><body><div>§ 5</div>"
        "<h3>Päätös</h3><p>Hyväksyttiin.</p><h3>Esittelijä</h3><div>kansliapäällikkö</div><div>Sami</div>"
    )
    assert sections(html) == [
        Section("", "§ 5"),
        Section("Päätös", "Hyväksyttiin."),
        Section("Esittelijä", "kansliapäällikkö\nSami"),
    ]


def test_tables_lists_and_entities() -> None:
    html = "<p>a&nbsp;&amp;&#228;</p><table><tr><td>1</td><td>2</td></tr></table><ol><li>x</li></ol>"
    assert html_to_text(html) == "a &ä\n\n1 | 2\n\n- x"


def test_script_and_style_content_is_dropped() -> None:
    assert html_to_text("<p>ok</p><script>alert(1)</script><style>p{}</style>") == "ok"


def test_plain_text_with_angle_brackets_is_not_parsed_as_html() -> None:
    assert to_text("Timo Halonen <timo.halonen@mikkeli.fi> - kaupunginjohtaja") == (
        "Timo Halonen <timo.halonen@mikkeli.fi> - kaupunginjohtaja"
    )
    assert to_text("<p>1 &lt; 2</p>") == "1 < 2"


def test_clean_removes_control_characters() -> None:
    assert clean("a\x00b\x1f c\r\n\n\n\nd") == "ab c\n\nd"


def test_truncate_marks_the_cut() -> None:
    text, cut = truncate("word " * 100, 50)
    assert cut and len(text) <= 50 and text.endswith("[…]")
    assert truncate("short", 50) == ("short", False)


@given(st.text(max_size=500))
def test_any_input_gives_clean_text(raw: str) -> None:
    out = html_to_text(raw)
    assert out == clean(out)
    text, _ = truncate(out, 100)
    assert len(text) <= 100

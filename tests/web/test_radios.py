"""The radio group builder (``app/web/templating.radios``), a template global in Python since it replaced
a Jinja macro: the same HTML as the macro gave (the expected strings below are the macro's output) but
for its indentation, which it no longer writes (9 KB of a rating page), every value escaped, the error
label in the page's language."""

from __future__ import annotations

from app.web.templating import environment

OPTIONS = [("2", "+2 Big", ""), ("unknown", "Unknown <x>", "hint & more"), ("", "Not", "")]
MACRO_WITH_ERROR = (
    '<div class="form-group form-group-error">\n'
    '<fieldset class="fieldset" aria-describedby="c0-e1-score-hint c0-e1-score-error">\n'
    '<legend class="legend ">Score</legend>\n'
    '<div class="hint" id="c0-e1-score-hint">Compare</div>'
    '<p class="error-message" id="c0-e1-score-error">'
    '<span class="visually-hidden">Error:</span> Bad &lt;value&gt;</p>\n'
    '<div class="radios radios-inline">\n'
    '<div class="radio">\n'
    '<input class="radio-input" id="c0-e1-score" name="c0-e1-score" type="radio" value="2" checked>\n'
    '<label class="radio-label" for="c0-e1-score">+2 Big</label>\n'
    "</div>\n"
    '<div class="radio">\n'
    '<input class="radio-input" id="c0-e1-score-2" name="c0-e1-score" type="radio" value="unknown"'
    ' aria-describedby="c0-e1-score-2-item-hint">\n'
    '<label class="radio-label" for="c0-e1-score-2">Unknown &lt;x&gt;</label>\n'
    '<div class="hint radio-hint" id="c0-e1-score-2-item-hint">hint &amp; more</div></div>\n'
    '<div class="radio">\n'
    '<input class="radio-input" id="c0-e1-score-3" name="c0-e1-score" type="radio" value="">\n'
    '<label class="radio-label" for="c0-e1-score-3">Not</label>\n'
    "</div>\n"
    "</div>\n"
    "</fieldset>\n"
    "</div>\n"
)
MACRO_PLAIN = (
    '<div class="form-group">\n'
    '<fieldset class="fieldset">\n'
    '<legend class="legend big">L</legend>\n'
    "\n"
    '<div class="radios">\n'
    '<div class="radio">\n'
    '<input class="radio-input" id="x" name="x" type="radio" value="a">\n'
    '<label class="radio-label" for="x">A</label>\n'
    "</div>\n"
    '<div class="radio">\n'
    '<input class="radio-input" id="x-2" name="x" type="radio" value="b">\n'
    '<label class="radio-label" for="x-2">B</label>\n'
    "</div>\n"
    "</div>\n"
    "</fieldset>\n"
    "</div>\n"
)


def _render(lang: str, source: str, **context: object) -> str:
    return environment(lang).from_string(source).render(context)


def test_the_same_html_as_the_macro_gave() -> None:
    call = '{{ radios("c0-e1-score", "Score", options, "2", fe, hint="Compare", inline=true) }}'
    assert _render("en", call, options=OPTIONS, fe={"c0-e1-score": "Bad <value>"}) == MACRO_WITH_ERROR
    plain = '{{ radios("x", "L", options, "", {}, option_hints=false, legend_class="big") }}'
    assert _render("en", plain, options=[("a", "A", "h"), ("b", "B", "")]) == MACRO_PLAIN


def test_every_value_is_escaped_and_the_error_label_is_translated() -> None:
    hostile = [('"><script>', "<b>label</b>", "<i>hint</i>")]
    html = _render(
        "fi",
        '{{ radios("f\\"x", "<em>", options, "", fe, hint="<hint>") }}',
        options=hostile,
        fe={'f"x': "<err>"},
    )
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "<em>" not in html
    assert "&lt;err&gt;" in html and "&lt;hint&gt;" in html and 'id="f&#34;x"' in html
    assert '<span class="visually-hidden">Virhe:</span>' in html
    assert '<span class="visually-hidden">Fel:</span>' in _render(
        "sv", '{{ radios("a", "A", options, "", fe) }}', options=OPTIONS, fe={"a": "x"}
    )


def test_an_option_in_another_language_is_marked_with_it() -> None:
    """A language's own name ("Suomi" on a Swedish page) is read in that language (WCAG 3.1.2)."""
    options = [("sv", "Svenska", "", "sv"), ("fi", "Suomi", "", "fi"), ("x", "Annat", "")]
    html = _render("sv", '{{ radios("l", "Språk", options, "fi", {}) }}', options=options)
    assert '<div class="radio" lang="sv">\n<input class="radio-input" id="l" ' in html
    assert '<div class="radio" lang="fi">\n<input class="radio-input" id="l-2" ' in html
    assert '<div class="radio">\n<input class="radio-input" id="l-3" ' in html
    hostile = _render("sv", '{{ radios("l", "L", options, "", {}) }}', options=[("a", "A", "", '"><b>')])
    assert "<b>" not in hostile and 'lang="&#34;&gt;&lt;b&gt;"' in hostile

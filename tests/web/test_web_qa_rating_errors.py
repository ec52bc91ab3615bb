"""A refused rating form lists every problem at once, in the order of the form: a question left without a
score beside another question's missing rationale and mitigation. Before, the rules of the rated questions
were only checked once every score was there, so the official fixed the form in two rounds."""

from __future__ import annotations

from tests.web.support import Web, error_summary


def test_every_problem_of_the_rating_form_in_one_round(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, base = official.rate_form(aid)
    r = official.post(
        url,
        base
        | {
            "c0-e1-score": "-2",  # negative: a rationale and mitigation are required
            "c0-e2-score": "unknown",  # unknown: a rationale (what is missing) is required
            "c2-e1-rationale": "Konkurrensen påverkas, värdet oklart.",  # a text without a score
        },
    )
    assert r.status_code == 422
    fields = [field for field, _ in error_summary(r.text)]
    assert fields == ["c0-e1-rationale", "c0-e1-mitigation", "c0-e2-rationale", "c2-e1-score"]
    messages = dict(error_summary(r.text))
    assert "en motivering krävs" in messages["c0-e1-rationale"]
    assert "(effekt 2)" in messages["c0-e2-rationale"], "the summary says which effect"
    assert "Välj ett värde" in messages["c2-e1-score"]
    assert "Konkurrensen påverkas, värdet oklart.</textarea>" in r.text, "what was typed is kept"
    assert 'id="c0-e1-mitigation-error"' in r.text, "the message is at its field too"

    fixed = base | {
        "c0-e1-score": "-2",
        "c0-e1-rationale": "Taxan höjs för alla livsmedelsföretag.",
        "c0-e1-mitigation": "Övergångstid på ett år.",
        "c0-e2-score": "unknown",
        "c0-e2-rationale": "Antalet berörda företag är okänt.",
        "c2-e1-score": "unknown",
        "c2-e1-rationale": "Konkurrensen påverkas, värdet oklart.",
    }
    assert official.post(url, fixed).status_code == 303, "one round of fixes is enough"


def test_a_form_that_only_breaks_the_rules_is_unchanged(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, base = official.rate_form(aid)
    r = official.post(url, base | {"c1-e1-score": "2"})
    assert [field for field, _ in error_summary(r.text)] == ["c1-e1-rationale"]

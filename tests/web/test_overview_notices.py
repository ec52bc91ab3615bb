"""What the overview and the pages around it tell the official: drafts of forms that cannot be saved
now (named, kept, discarded only on purpose), a rating page of a perspective screened out, a draft the
reviewer returned (overview and dashboard), the follow-up's fields named by their question, and
delete buttons of options named apart."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from sqlalchemy import event

from tests.web.support import Web, approved, error_summary, rated

PROCUREMENT_FIRMS = "rate:proposal:procurement:firms"
MARKED = "det är markerat nedan"


def _text(fragment: str) -> str:
    """A fragment's text as a screen reader reads it (tags dropped, visually hidden text kept)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _kept_block(page: str) -> str:
    found = re.search(r'<ul class="kept-drafts">.*?</ul>', page, re.S)
    return found.group(0) if found else ""


def _autosave(web: Web, aid: str, key: str, typed: dict[str, str]) -> None:
    r = web.post(f"/assessments/{aid}/autosave", {"form_key": key, "base_version": "1", **typed})
    assert r.status_code == 200 and r.json()["saved"] is True


# --- 1. drafts of forms that cannot be saved now ----------------------------------------------------------


def test_a_draft_of_a_perspective_screened_out_is_named_kept_and_discarded_only_on_purpose(official: Web) -> None:
    aid = official.new_assessment()
    assert official.screen(aid, relevant=("policy", "procurement")).status_code == 303
    _autosave(official, aid, PROCUREMENT_FIRMS, {"c0-e1-rationale": "Halvfärdig tanke om upphandling"})
    overview = official.get(f"/assessments/{aid}").text
    assert "osparade ändringar i 1 formulär; " + MARKED in overview
    assert "(osparade ändringar)" in overview, "the form is marked in the task list"
    assert _kept_block(overview) == ""

    assert official.screen(aid, relevant=("policy",)).status_code == 303
    overview = official.get(f"/assessments/{aid}").text
    assert MARKED not in overview, "nothing is marked below, so the overview does not say so"
    assert "(osparade ändringar)" not in overview
    kept = _kept_block(overview)
    assert "Upphandling" in _text(kept) and "Företag" in _text(kept), "the form is named"
    assert "markerats som inte relevant" in kept, "and why it cannot be saved"
    assert f'name="form_key" value="{PROCUREMENT_FIRMS}"' in kept
    assert 'name="csrf_token"' in kept and f'action="/assessments/{aid}/discard"' in kept
    button = re.search(r"<button[^>]*>(.*?)</button>", kept, re.S)
    assert button and "Upphandling" in _text(button.group(1)), "the discard button names its form"

    assert official.screen(aid, relevant=("policy", "procurement")).status_code == 303
    page = official.get(f"/assessments/{aid}/rate/proposal/procurement/firms").text
    assert "Halvfärdig tanke om upphandling</textarea>" in page, "nothing was lost meanwhile"

    assert official.screen(aid, relevant=("policy",)).status_code == 303
    r = official.post(f"/assessments/{aid}/discard", {"form_key": PROCUREMENT_FIRMS, "back": f"/assessments/{aid}"})
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}"
    overview = official.get(f"/assessments/{aid}").text
    assert "har slängts" in overview, "said so"
    assert _kept_block(overview) == "" and "osparade ändringar i" not in overview


def test_a_draft_of_a_removed_option_is_named_and_can_be_discarded(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp ett", "description": ""})
    assert r.status_code == 303
    _autosave(official, aid, "rate:option-1:policy:firms", {"c0-e1-rationale": "Om etappen"})
    assert MARKED in official.get(f"/assessments/{aid}").text
    assert official.post(f"/assessments/{aid}/alternatives/option-1/delete").status_code == 303
    overview = official.get(f"/assessments/{aid}").text
    assert MARKED not in overview
    kept = _kept_block(overview)
    assert "Alternativ 1" in _text(kept) and "tagits bort" in kept
    assert 'value="rate:option-1:policy:firms"' in kept


def test_drafts_kept_while_under_review_come_back_when_it_is_returned(official: Web, reviewer: Web) -> None:
    aid = rated(official)
    _autosave(official, aid, "rate:zero:policy:firms", {"c0-e1-rationale": "Utkast om nollalternativet"})
    assert official.post(f"/assessments/{aid}/submit", {"comment": "Klar"}).status_code == 303
    overview = official.get(f"/assessments/{aid}").text
    assert MARKED not in overview, "a submitted assessment has no form to mark"
    kept = _kept_block(overview)
    assert "Nollalternativ" in _text(kept) and "granskas" in kept and "återförs till utkast" in kept
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "Mer underlag."})
    assert r.status_code == 303
    overview = official.get(f"/assessments/{aid}").text
    assert "osparade ändringar i 1 formulär; " + MARKED in overview and _kept_block(overview) == ""


# --- 2. the rating page of a perspective screened out ---------------------------------------------------


def test_the_rating_page_of_a_perspective_screened_out_says_so_and_has_no_form(official: Web, council: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid, relevant=("policy",))  # every other perspective: "Berör inte beslutet."
    url = f"/assessments/{aid}/rate/proposal/procurement/firms"
    expected = {
        "sv": "markerats som inte relevant i screeningen",
        "fi": "seulonnassa merkitty epäolennaiseksi",
        "en": "screened as not relevant, so it is not rated",
    }
    for lang, says in expected.items():
        official.get(f"/language?lang={lang}&next=/")
        page = official.get(url)
        assert page.status_code == 200
        assert says in page.text
        assert "Berör inte beslutet." in page.text, "the reason given in the screening"
        assert f'href="/assessments/{aid}/screening"' in page.text.split("<main")[1], "a way to change it"
        assert f'action="{url}"' not in page.text and 'name="c0-e1-score"' not in page.text, "no form"
    official.get("/language?lang=sv&next=/")
    relevant = official.get(f"/assessments/{aid}/rate/proposal/policy/firms").text
    assert 'name="c0-e1-score"' in relevant and "markerats som inte relevant i screeningen" not in relevant
    read_only = council.get(url).text
    assert "markerats som inte relevant i screeningen" in read_only and "Ändra först screeningen" not in read_only


def test_a_draft_of_a_screened_out_rating_form_is_named_on_its_page(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid, relevant=("policy", "procurement"))
    _autosave(official, aid, PROCUREMENT_FIRMS, {"c0-e1-rationale": "Kvar"})
    official.screen(aid, relevant=("policy",))
    page = official.get(f"/assessments/{aid}/rate/proposal/procurement/firms").text
    assert "finns kvar: de kommer tillbaka här" in page
    assert f'name="form_key" value="{PROCUREMENT_FIRMS}"' in page


# --- 3. a returned assessment -----------------------------------------------------------------------------


def _returned(official: Web, reviewer: Web, comment: str, case_number: str = "KS 2026/1") -> str:
    aid = rated(official, case_number=case_number)
    assert official.submit(aid).status_code == 303
    assert reviewer.review(aid, "return", comment).status_code == 303
    return aid


def _banner(page: str) -> str:
    found = re.search(r'<div class="notification-banner".*?\n</div>', page, re.S)
    return found.group(0) if found else ""


def test_the_overview_of_a_returned_draft_says_who_returned_it_when_and_why(official: Web, reviewer: Web) -> None:
    aid = _returned(official, reviewer, "Rad ett.\nRad <två> & mer")
    page = official.get(f"/assessments/{aid}").text
    banner = _banner(page)
    assert banner, "a notification banner"
    assert 'role="region" aria-labelledby="returned-title"' in banner
    assert re.search(r'<h2 class="notification-banner-title" id="returned-title">Returnerad för ändringar</h2>', banner)
    assert re.search(r"Returnerad av Goran[^<]* den \d", banner), _text(banner)
    assert "Rad ett.\nRad &lt;två&gt; &amp; mer" in banner, "the comment, escaped, its line break kept"
    assert 'class="review-comment pre"' in banner
    official.get("/language?lang=fi&next=/")
    assert "Palauttanut Goran" in official.get(f"/assessments/{aid}").text
    official.get("/language?lang=en&next=/")
    assert "Returned by Goran" in official.get(f"/assessments/{aid}").text
    official.get("/language?lang=sv&next=/")
    assert official.post(f"/assessments/{aid}/submit", {"comment": "Rättat"}).status_code == 303
    assert _banner(official.get(f"/assessments/{aid}").text) == "", "gone once it is submitted again"
    assert _banner(reviewer.get(f"/assessments/{aid}").text) == ""


def test_a_draft_never_returned_has_no_banner(official: Web) -> None:
    aid = official.new_assessment()
    assert _banner(official.get(f"/assessments/{aid}").text) == ""


def test_the_dashboard_marks_returned_drafts(official: Web, reviewer: Web) -> None:
    returned = _returned(official, reviewer, "Mer underlag.")
    fresh = official.new_assessment("KS 2026/2", "Ny skola")
    mine = official.get("/").text.split('id="mine-caption"')[1].split("</table>")[0]
    rows = {aid: row for row in mine.split("<tr>")[1:] for aid in (returned, fresh) if f"/assessments/{aid}" in row}
    assert "Returnerad" in rows[returned] and 'class="tag tag-returned"' in rows[returned]
    assert "Returnerad" not in rows[fresh]
    official.get("/language?lang=fi&next=/")
    assert "Palautettu" in official.get("/").text.split('id="mine-caption"')[1].split("</table>")[0]


def test_latest_review_steps_of_many_assessments_in_one_statement(official: Web, reviewer: Web, app: Any) -> None:
    from app.assessments import repository as repo
    from app.db.engine import get_engine
    from tests.support import session

    returned = _returned(official, reviewer, "Mer underlag.")
    resubmitted = _returned(official, reviewer, "Fixa.", "KS 2026/2")
    assert official.post(f"/assessments/{resubmitted}/submit", {"comment": "Klart"}).status_code == 303
    fresh = official.new_assessment("KS 2026/3", "Ny väg")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = get_engine()
    with session() as db:
        event.listen(engine, "before_cursor_execute", count)
        try:
            steps = repo.latest_review_steps(db, [uuid.UUID(a) for a in (returned, resubmitted, fresh)])
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert steps[uuid.UUID(returned)].action == "returned" and steps[uuid.UUID(returned)].comment == "Mer underlag."
    assert steps[uuid.UUID(resubmitted)].action == "submitted"
    assert uuid.UUID(fresh) not in steps


# --- 4. follow-up fields named by their question ----------------------------------------------------------


def test_follow_up_fields_are_named_by_their_question_and_so_is_the_error(official: Web, reviewer: Web) -> None:
    aid = approved(official, reviewer)
    page = official.get(f"/assessments/{aid}/follow-up").text
    sections = re.findall(r'<section class="criterion".*?</section>', page, re.S)
    assert len(sections) == 2
    legends, labels = [], []
    for section in sections:
        question = _text(re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1))
        legend = _text(re.search(r"<legend[^>]*>(.*?)</legend>", section, re.S).group(1))
        label = _text(re.search(r'<label class="label" for="n-[^"]+">(.*?)</label>', section, re.S).group(1))
        assert legend.startswith("Vad hände faktiskt?") and question in legend
        assert label.startswith("Anteckning") and question in label
        legends.append(legend)
        labels.append(label)
    assert len(set(legends)) == 2 and len(set(labels)) == 2, "every field has a name of its own"
    rid = re.search(r'name="o-([0-9a-f-]{36})"', page).group(1)
    section = next(s for s in sections if f'name="o-{rid}"' in s)
    question = _text(re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1))
    r = official.post(f"/assessments/{aid}/follow-up", {f"o-{rid}": "better", f"n-{rid}": "x" * 20_001})
    assert r.status_code == 422
    summary = error_summary(r.text)
    assert [f for f, _ in summary] == [f"n-{rid}"]
    message = html.unescape(summary[0][1])
    assert message.startswith(question + " – "), message
    assert "Anteckning" in message, "and the field, with its limit"


# --- 6. options with the same title ------------------------------------------------------------------------


def test_delete_buttons_of_options_with_the_same_title_have_different_names(official: Web) -> None:
    aid = official.new_assessment()
    for _ in range(2):
        r = official.post(f"/assessments/{aid}/alternatives", {"title": "Mindre etapp", "description": ""})
        assert r.status_code == 303
    page = official.get(f"/assessments/{aid}/alternatives").text
    names = [_text(b) for b in re.findall(r'<button type="submit" class="button-warning">(.*?)</button>', page, re.S)]
    assert len(names) == 2 and len(set(names)) == 2, names
    assert all("Mindre etapp" in n for n in names)

"""What a browser review with a screen reader found, checked in the server's HTML: a refused submit
links its problems (not the optional comment), fields and error-summary lines say which perspective,
question and effect they belong to, a text too long names its limit, page titles differ, a language's
name is marked in that language, the dashboard and the overview have different names, each guidance
box has its question's name, the skip link lands past the navigation, a refused save says so in the
title and takes focus, as does the notice of a restored draft; every data table is in a scroll region of
its own named by its caption. (What only a browser shows, focus, the script and widths, is in
tests/browser.)"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from tests.web.support import Web, error_summary, hidden


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, as a screen reader gets it (tags out, entities in, spaces folded)."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def label_of(page: str, field_id: str) -> str:
    found = re.search(rf'<label class="label" for="{re.escape(field_id)}">(.*?)</label>', page, re.S)
    assert found, f"no label for {field_id}"
    return text_of(found.group(1))


def title_of(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return html_lib.unescape(found.group(1))


def before_main(page: str) -> str:
    return page.split("<main", 1)[0]


# --- 1. a refused submit ---------------------------------------------------------------------------


def test_a_refused_submit_links_each_problem_to_the_page_that_fixes_it(official: Web, registry: Any) -> None:
    aid = official.new_assessment()
    r = official.post(f"/assessments/{aid}/submit", {"comment": "Hej granskaren"})
    assert r.status_code == 422
    summary = error_summary(r.text)
    assert len(summary) == 9, summary  # nine perspectives not screened yet
    assert summary[0] == ("problem-1", "Inte screenat ännu: " + _perspective_title(registry, "policy"))
    # each line of the summary links a link in the list "Before you can submit" …
    for anchor, message in summary:
        link = re.search(rf'<a id="{anchor}" href="([^"]+)">([^<]+)</a>', r.text)
        assert link, anchor
        assert html_lib.unescape(link.group(2)) == message
        # … which leads to the screening question itself
        page, _, field = link.group(1).partition("#")
        assert page == f"/assessments/{aid}/screening"
        assert f'id="{field}"' in official.get(page).text
    # the summary says where the list is; the comment is not what is wrong, and it is kept
    block = r.text.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "”Innan du kan skicka in”" in block and "ovanför knappen" in block
    assert r.text.index('id="problems"') < r.text.index('name="comment"')
    assert "Hej granskaren</textarea>" in r.text
    comment = re.search(r"<textarea[^>]*id=\"comment\"[^>]*>", r.text)
    assert comment and "aria-invalid" not in comment.group(0) and "input-error" not in comment.group(0)
    assert 'id="comment-error"' not in r.text
    assert title_of(r.text).startswith("Fel: ")


def test_a_proposal_without_ratings_links_its_first_rating_page(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid, relevant=("policy",))
    r = official.post(f"/assessments/{aid}/submit", {"comment": ""})
    assert r.status_code == 422
    assert error_summary(r.text) == [("problem-1", "Förslaget har inga bedömningar ännu")]
    link = re.search(r'<a id="problem-1" href="([^"]+)">', r.text)
    assert link and link.group(1) == f"/assessments/{aid}/rate/proposal/policy/organisation"
    assert 'name="c0-e1-score"' in official.get(link.group(1)).text
    check = official.get(f"/assessments/{aid}/check")  # the list on the check page links too
    assert f'<a id="problem-1" href="/assessments/{aid}/rate/proposal/policy/organisation">' in check.text
    assert '<div class="error-summary"' not in check.text


def _perspective_title(registry: Any, pid: str, lang: str = "sv") -> str:
    perspective = registry.default().perspective(pid)
    assert perspective is not None
    return str(perspective.title.get(lang))


# --- 2. fields and summary lines that say where they belong -------------------------------------------


def test_each_screening_reason_is_named_after_its_perspective(official: Web, registry: Any) -> None:
    from app.rubrics.models import PERSPECTIVE_IDS

    aid = official.new_assessment()
    page = official.get(f"/assessments/{aid}/screening").text
    names = [label_of(page, f"s-{pid}-reason") for pid in PERSPECTIVE_IDS]
    assert len(set(names)) == len(names), names
    for pid, name in zip(PERSPECTIVE_IDS, names, strict=True):
        assert name.startswith("Motivering (krävs om inte relevant)"), "the visible label comes first (2.5.3)"
        assert _perspective_title(registry, pid) in name
    data = {"base_version": hidden(page, "base_version"), "base_hash": hidden(page, "base_hash")}
    data |= {f"s-{pid}": "no" for pid in PERSPECTIVE_IDS} | {"s-policy": "yes", "s-mergers-reason": "Nej."}
    r = official.post(f"/assessments/{aid}/screening", data)
    assert r.status_code == 422
    messages = [m for _, m in error_summary(r.text)]
    assert len(messages) == 7 and len(set(messages)) == 7, messages
    title = _perspective_title(registry, "logistics")
    assert f"{title} – Ange varför perspektivet inte är relevant" in messages
    # beside the field the message stays short: the field's own label already says where it is
    assert re.search(r'id="s-logistics-reason-error"><span class="visually-hidden">Fel:</span> Ange varför', r.text)


def test_the_second_effect_is_a_group_of_its_own_and_the_summary_names_question_and_effect(
    official: Web, registry: Any
) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    page = official.get(url).text
    second = re.search(
        r'<fieldset class="fieldset" aria-describedby="c0-e2-hint">\s*<legend[^>]*>([^<]+)</legend>', page
    )
    assert second and second.group(1) == "Effekt 2"
    group = page[second.start() : page.index("</details>", second.start())]
    assert 'name="c0-e2-score"' in group and 'id="c0-e2-rationale"' in group and 'id="c0-e2-affected_area"' in group
    assert group.count("<fieldset") == group.count("</fieldset>")
    r = official.post(
        url,
        data
        | {
            "c0-e1-score": "2",
            "c0-e2-score": "-1",
            "c0-e2-mitigation": "Dialog.",
            "c1-e1-score": "1",
        },
    )
    assert r.status_code == 422
    questions = [c.question.sv for c in registry.default().perspective("policy").criteria_for("firms")]
    explain = "Motivera bedömningen: en motivering krävs för ett värde skilt från noll och för okänd"
    assert error_summary(r.text) == [
        ("c0-e1-rationale", html_lib.unescape(text_of(f"{questions[0]} – {explain}"))),
        ("c0-e2-rationale", html_lib.unescape(text_of(f"{questions[0]} (effekt 2) – {explain}"))),
        ("c1-e1-rationale", html_lib.unescape(text_of(f"{questions[1]} – {explain}"))),
    ]
    # the text fields in error carry the error border like every other field in error
    for field in ("c0-e1-rationale", "c0-e2-rationale"):
        assert re.search(rf'<textarea class="textarea input-error" id="{field}"', r.text), field
    assert re.search(r'<textarea class="textarea" id="c0-e2-mitigation"', r.text)


def test_the_second_effect_opens_for_anything_typed_in_it(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    r = official.post(
        f"/assessments/{aid}/autosave",
        data | {"form_key": "rate:proposal:policy:firms", "c1-e2-affected_area": "Byarna"},
    )
    assert r.status_code == 200
    page = official.get(url).text  # the draft is restored: its only text is in the second effect
    details = re.findall(r"<details( open)?>\s*<summary>En andra effekt", page)
    assert details[1] == " open" and details[0] == "" and details[2] == ""


# --- 5. a text too long -------------------------------------------------------------------------------


def test_a_text_too_long_names_the_field_and_its_limit(official: Web) -> None:
    r = official.post(
        "/decisions/new",
        {"case_number": "KS 1", "title": "x" * 301, "deciding_body": "KS", "zero_description": "y" * 20_001},
    )
    assert r.status_code == 422
    messages = dict(error_summary(r.text))
    assert messages["title"] == "Rubrik: texten är för lång, högst 300 tecken"
    assert messages["zero_description"] == "Nollalternativet: texten är för lång, högst 20\xa0000 tecken"
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    r = official.post(
        url,
        data
        | {"c0-e1-score": "1", "c0-e1-rationale": "z" * 25_000, "c1-e1-score": "1", "c1-e1-rationale": "Ok"}
        | {"c1-e1-evidence": "kort\n" + "e" * 2001, "c2-e1-score": "0", "c2-e1-evidence": "\n".join(["abc"] * 31)},
    )
    assert r.status_code == 422
    fe = dict(error_summary(r.text))
    assert fe["c0-e1-rationale"].endswith(" – Motivering: texten är för lång, högst 20\xa0000 tecken")
    assert fe["c1-e1-evidence"].endswith(" – Underlag: varje rad får vara högst 2\xa0000 tecken")
    assert fe["c2-e1-evidence"].endswith(" – Underlag: högst 30 rader")
    assert ">" + "z" * 25_000 + "</textarea>" in r.text, "shown again whole, not cut at the limit"
    official.get("/language?lang=fi&next=/")
    r = official.post("/decisions/new", {"case_number": "KS 2", "title": "x" * 301, "deciding_body": "KS"})
    assert dict(error_summary(r.text))["title"] == "Otsikko: teksti on liian pitkä, enintään 300 merkkiä"


def test_a_name_too_long_names_its_limit(admin: Web, app: Any) -> None:
    r = admin.post("/admin/tokens", {"name": "n" * 201, "scopes": "read"})
    assert r.status_code == 422
    assert dict(error_summary(r.text))["name"] == "Namn: texten är för lång, högst 200 tecken"
    page = admin.get("/admin/users")
    assert page.status_code == 200
    r = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"})
    link = re.search(r"(/invitations/[A-Za-z0-9_-]+)", r.text)
    assert link, r.text
    from fastapi.testclient import TestClient

    from tests.web.support import csrf_of

    visitor = TestClient(app, follow_redirects=False)
    form = visitor.get(link.group(1))
    r = visitor.post(
        link.group(1),
        data={"name": "n" * 201, "password": "a" * 12, "confirm": "a" * 12, "csrf_token": csrf_of(form.text)},
    )
    assert r.status_code == 400
    assert dict(error_summary(r.text))["name"] == "Ditt namn: texten är för lång, högst 200 tecken"


# --- 6. page titles -------------------------------------------------------------------------------------


def test_the_pages_of_an_assessment_have_titles_of_their_own(official: Web, registry: Any) -> None:
    aid = official.new_assessment(title="Cykelväg till byn")
    official.screen(aid)
    official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp 1", "description": ""})
    paths = [
        "",
        "/screening",
        "/alternatives",
        "/alternatives/proposal",
        "/alternatives/zero",
        "/summary",
        "/check",
        "/history",
        "/review",
        "/follow-up",
    ] + [f"/rate/{alt}/policy/{tg}" for alt in ("proposal", "zero", "option-1") for tg in ("firms", "residents")]
    titles = {}
    for path in paths:
        page = official.get(f"/assessments/{aid}{path}")
        assert page.status_code == 200, path
        titles[path] = title_of(page.text)
    assert len(set(titles.values())) == len(titles), titles
    assert all("Cykelväg till byn" in t for t in titles.values()), titles
    rate = titles["/rate/proposal/policy/firms"]
    assert rate.startswith(_perspective_title(registry, "policy") + " – Företagen – Förslaget: Cykelväg till byn")
    assert titles["/rate/zero/policy/firms"].split(" – ")[2].startswith("Nollalternativet")
    decision_id = re.search(r'href="/decisions/([0-9a-f-]{36})/edit"', official.get(f"/assessments/{aid}").text)
    assert decision_id
    assert title_of(official.get(f"/decisions/{decision_id.group(1)}/edit").text).startswith(
        "Ändra beslutet: Cykelväg till byn"
    )


# --- 7. the names of the languages --------------------------------------------------------------------


def test_the_report_languages_are_each_marked_in_their_language(official: Web) -> None:
    page = official.get("/portfolio").text
    for code, name in (("sv", "Svenska"), ("fi", "Suomi"), ("en", "English")):
        option = re.search(
            rf'<div class="radio" lang="{code}">\s*<input[^>]*value="{code}"[^>]*>\s*<label[^>]*>([^<]+)<', page
        )
        assert option and option.group(1) == name, code


# --- 8. the dashboard and the assessment's overview -----------------------------------------------------


def test_the_dashboard_and_the_overview_have_different_names(official: Web) -> None:
    aid = official.new_assessment()
    for lang in ("sv", "fi", "en"):
        official.get(f"/language?lang={lang}&next=/")
        page = official.get(f"/assessments/{aid}").text
        to_dashboard = set(re.findall(r'<a href="/"(?: aria-current="page")?>([^<]+)</a>', page))
        to_overview = set(re.findall(rf'<a href="/assessments/{aid}"(?: aria-current="page")?>([^<]+)</a>', page))
        to_overview.discard("KS 2026/1")  # the breadcrumb names the case
        assert len(to_dashboard) == 1 and len(to_overview) == 1, (lang, to_dashboard, to_overview)
        assert to_dashboard != to_overview, lang
    official.get("/language?lang=sv&next=/")
    page = official.get(f"/assessments/{aid}").text
    assert (
        '<a href="/">Startsida</a>' in page and f'<a href="/assessments/{aid}" aria-current="page">Översikt</a>' in page
    )


# --- 9. the guidance beside each question -----------------------------------------------------------------


def test_each_guidance_box_is_named_after_its_question(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    page = official.get(f"/assessments/{aid}/rate/proposal/policy/firms").text
    sections = re.findall(r'<section class="criterion" aria-labelledby="([^"]+)">(.*?)</section>', page, re.S)
    assert len(sections) > 1
    names = []
    for question_id, section in sections:
        asides = re.findall(r"<aside([^>]*)>", section)
        assert len(asides) == 1 and "aria-label=" not in asides[0]
        ids = re.search(r'aria-labelledby="([^"]+)"', asides[0])
        assert ids, asides[0]
        assert question_id in ids.group(1).split(), "named after its question"
        parts = []
        for ref in ids.group(1).split():
            element = re.search(rf'<(h\d) id="{ref}">(.*?)</\1>', page, re.S)
            assert element, ref
            parts.append(text_of(element.group(2)))
        names.append(" ".join(parts))
        assert names[-1].startswith("Vägledning ")
    assert len(set(names)) == len(names), names


# --- 10. the skip link lands on the page's own content ----------------------------------------------------


def test_navigation_comes_before_main_so_the_skip_link_passes_it(official: Web, admin: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    for path in ("", "/screening", "/rate/proposal/policy/firms", "/summary", "/check", "/history"):
        page = official.get(f"/assessments/{aid}{path}").text
        head = before_main(page)
        assert 'class="breadcrumbs"' in head and 'class="sub-nav"' in head, path
        main = page.split("<main", 1)[1]
        assert "<nav" not in main.split("<h1", 1)[0], path
        assert '<p class="caption">KS 2026/1 · Kommunstyrelsen · ' in main, "the status is the page's content"
    decision_edit = re.search(r'href="(/decisions/[0-9a-f-]{36}/edit)"', official.get(f"/assessments/{aid}").text)
    assert decision_edit
    assert 'class="back-link"' in before_main(official.get(decision_edit.group(1)).text)
    assert 'class="back-link"' in before_main(official.get("/decisions/new").text)
    for path in ("/admin/users", "/admin/tokens"):
        assert 'aria-label="Administration"' in before_main(admin.get(path).text).split('class="site-nav"')[1]
        assert 'class="sub-nav"' in before_main(admin.get(path).text), path


# --- 11. a refused save, a success --------------------------------------------------------------------------


def test_a_refused_save_says_error_in_the_title_and_its_notice_takes_focus(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    url, mine = official.rate_form(aid)
    _, theirs = colleague.rate_form(aid)
    assert colleague.post(url, theirs | {"c0-e1-score": "0"}).status_code == 303
    r = official.post(url, mine | {"c0-e1-score": "2", "c0-e1-rationale": "Min motivering"})
    assert r.status_code == 409
    assert title_of(r.text).startswith("Fel: ")
    notice = re.search(r'<div class="notice notice-warning"([^>]*)>\s*<h2 id="([^"]+)">', r.text)
    assert notice, "the conflict notice"
    assert 'tabindex="-1"' in notice.group(1) and "data-focus-on-load" in notice.group(1)
    assert f'aria-labelledby="{notice.group(2)}"' in notice.group(1)
    # the screening's conflict page too
    page = official.get(f"/assessments/{aid}/screening")
    stale = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    colleague.screen(aid, relevant=("policy", "logistics"))
    from app.rubrics.models import PERSPECTIVE_IDS

    r = official.post(
        f"/assessments/{aid}/screening",
        stale | {f"s-{p}": "no" for p in PERSPECTIVE_IDS} | {f"s-{p}-reason": "Nej." for p in PERSPECTIVE_IDS},
    )
    assert r.status_code == 409 and title_of(r.text).startswith("Fel: ")


def test_a_success_notice_takes_focus(official: Web, admin: Web) -> None:
    aid = official.new_assessment()
    r = official.screen(aid)
    assert r.status_code == 303
    page = official.get(r.headers["location"]).text  # with the flash cookie: "Your answers have been saved."
    banner = re.search(r'<div class="notice notice-success"([^>]*)>\s*<p>Dina svar har sparats.</p>', page)
    assert banner and 'tabindex="-1"' in banner.group(1) and "data-focus-on-load" in banner.group(1)
    assert 'role="alert"' in banner.group(1)
    created = admin.post("/admin/tokens", {"name": "Diarium", "scopes": "read"}).text
    notice = re.search(r'<div class="notice notice-success"([^>]*)>\s*<h2 id="([^"]+)">Nyckeln har skapats', created)
    assert (
        notice and "data-focus-on-load" in notice.group(1) and f'aria-labelledby="{notice.group(2)}"' in notice.group(1)
    )
    invited = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"}).text
    assert re.search(r'<div class="notice notice-success"[^>]*data-focus-on-load[^>]*>\s*<h2 id="[^"]+">', invited)


def test_a_restored_draft_notice_takes_focus(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    form_key = "rate:proposal:policy:firms"
    r = official.post(f"/assessments/{aid}/autosave", data | {"form_key": form_key, "c0-e1-rationale": "Utkast"})
    assert r.status_code == 200
    page = official.get(url).text
    notice = re.search(r'<div class="notice notice-warning"([^>]*)>\s*<p>Dina osparade ändringar från ', page)
    assert notice, "the restored draft's notice"
    assert 'tabindex="-1"' in notice.group(1) and "data-focus-on-load" in notice.group(1)
    assert 'role="alert"' in notice.group(1)
    assert page.count("data-focus-on-load") == 1


# --- 12. data tables scroll in a region of their own ------------------------------------------------------

TABLE = re.compile(
    r'<div class="table-scroll" role="region" aria-labelledby="([^"]+)" tabindex="0">\s*'
    r'<table[^>]*>\s*<caption id="([^"]+)">'
)


def test_every_data_table_is_in_a_scroll_region_named_by_its_caption(official: Web, reviewer: Web, admin: Web) -> None:
    from tests.web.support import submitted

    aid = submitted(official)
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"})
    pages = [(official, p) for p in ("/", f"/assessments/{aid}", f"/assessments/{aid}/summary")]
    pages += [(official, f"/assessments/{aid}/history"), (admin, "/admin/users"), (admin, "/admin/tokens")]
    for web, path in pages:
        page = web.get(path).text
        tables = page.count("<table")
        regions = TABLE.findall(page)
        assert tables and len(regions) == tables, (path, tables, regions)
        for labelled_by, caption in regions:
            assert labelled_by == caption, path
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))

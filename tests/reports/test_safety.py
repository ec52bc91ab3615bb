"""Rendering fetches nothing but packaged assets, whatever users type; renders have size and time limits."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from app.reports import render
from app.reports.fetcher import BASE_URL, AssetFetcher, RefusedURL
from app.reports.render import RenderJob, RenderTimeout, ReportTooLarge
from tests.reports.factories import pdf_text, rich_assessment
from tests.reports.pdfcheck import open_pdf
from tests.support import Api, make_municipality

PASSWD_MARKER = "root:x:0:0"


class Trap:
    """A real HTTP server on 127.0.0.1 that counts every request made to it."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/svg+xml")
                self.end_headers()
                self.wfile.write(b"<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'/>")

            def log_message(self, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


def payloads(url: str) -> dict[str, str]:
    return {
        "file_img": '<img src="file:///etc/passwd" alt="x">',
        "http_img": f'<img src="{url}/img.svg" alt="y">',
        "attachment": '<link rel="attachment" href="file:///etc/passwd">',
        "stylesheet": f'<link rel="stylesheet" href="{url}/style.css">',
        "css": f'"; }} @page {{ background: url({url}/bg.svg) }} p {{ content: "',
    }


def hostile_assessment(api: Api, url: str) -> dict[str, Any]:
    p = payloads(url)
    everything = " ".join(p.values())
    return rich_assessment(
        api,
        case=f"KS {p['css'][:40]}",
        title=f"Titel {p['file_img']} {p['http_img']}"[:300],
        rationale=everything,
        mitigation=p["attachment"] + p["stylesheet"],
        affected_groups=p["http_img"] + p["css"],
        evidence=p["attachment"],
    )


def test_markup_in_user_fields_fetches_nothing(api: Api, trap: Trap) -> None:
    a = hostile_assessment(api, trap.url)
    for variant in ("ua", "a3"):
        r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"variant": variant})
        assert r.status_code == 200, r.text
        text = pdf_text(r.content)
        assert PASSWD_MARKER not in text and PASSWD_MARKER.encode() not in r.content
        # the markup is shown as the text it is
        assert 'rel="attachment"' in text and "file:///etc/passwd" in text
        with open_pdf(r.content) as pdf:
            expected = {"livskraft-assessment.json"} if variant == "a3" else set()
            assert set(pdf.attachments.keys()) == expected
    assert trap.hits == []


def test_municipality_branding_cannot_inject_css_or_fetch(api: Api, trap: Trap) -> None:
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality

    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='40' height='20'>"
        f"<image href='{trap.url}/logo-inner.png' width='10' height='10'/>"
        "<image xlink:href='file:///etc/passwd' width='10' height='10'/>"
        "<rect width='40' height='20' fill='#1d4f7a'/></svg>"
    )
    m = make_municipality("091")
    with unit_of_work() as s:
        row = s.get(Municipality, m.id)
        assert row is not None
        row.settings = {
            "brand_colour": f"red; }} body {{ background: url({trap.url}/colour.png) }} x {{ color: red",
            "logo": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        }
        s.add(row)
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report")
    assert r.status_code == 200
    assert trap.hits == []
    with open_pdf(r.content) as pdf:
        from tests.reports.pdfcheck import structure

        assert "Logotyp för Helsingfors" in structure(pdf).alts  # the Swedish name in a Swedish report


def test_even_raw_html_cannot_fetch(trap: Trap) -> None:
    """The fetcher is the second wall: HTML that bypassed the templates still loads nothing."""
    p = payloads(trap.url)
    html = (
        "<html lang=sv><head><title>T</title>"
        + p["attachment"]
        + p["stylesheet"]
        + "</head><body><p>x</p>"
        + p["file_img"]
        + p["http_img"]
        + f'<object data="{trap.url}/o"></object><iframe src="{trap.url}/i"></iframe>'
        + f'<div style="background: url({trap.url}/bg.png)">y</div></body></html>'
    )
    job = RenderJob(html, "ua", datetime(2026, 1, 1, tzinfo=UTC), b"0" * 16)
    pdf = render.render_pdf(job)
    assert trap.hits == []
    assert PASSWD_MARKER.encode() not in pdf
    with open_pdf(pdf) as doc:
        assert len(doc.attachments) == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        BASE_URL + "../../settings.py",
        BASE_URL + "fonts/../../render.py",
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "data:text/plain,hello",
        "ftp://127.0.0.1/x",
        "livskraft:not-registered",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    fetcher = AssetFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused and not fetcher.served


def test_fetcher_serves_packaged_assets_and_registered_resources() -> None:
    fetcher = AssetFetcher({"logo": (b"<svg/>", "image/svg+xml")})
    font = fetcher.fetch(BASE_URL + "fonts/DejaVuSans.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("livskraft:logo").read() == b"<svg/>"
    assert fetcher.refused == []


def test_oversized_report_is_refused_with_a_clear_problem(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    a = rich_assessment(api)
    monkeypatch.setattr(render, "MAX_HTML_CHARS", 5_000)
    r = api.get(f"/api/v1/assessments/{a['id']}/report")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/report-too-large")
    assert "limit" in r.json()["detail"]


def test_pdf_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "MAX_PDF_BYTES", 1_000)
    job = RenderJob(
        "<html lang=sv><head><title>T</title></head><body>x</body></html>",
        "ua",
        datetime(2026, 1, 1, tzinfo=UTC),
        b"0" * 16,
    )
    with pytest.raises(ReportTooLarge):
        render.render_pdf(job)


def test_render_time_limit_kills_the_render_process() -> None:
    body = "".join(f"<p>Stycke {i} " + "ord " * 200 + "</p>" for i in range(400))
    job = RenderJob(
        f"<html lang=sv><head><title>T</title></head><body>{body}</body></html>",
        "ua",
        datetime(2026, 1, 1, tzinfo=UTC),
        b"0" * 16,
    )
    with pytest.raises(RenderTimeout):
        render.render_pdf_isolated(job, timeout=0.5)

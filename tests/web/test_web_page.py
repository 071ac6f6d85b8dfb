"""The support agents' page, server-side: form, examples, report, errors beside the text,
escaping, language, downloads and limits (the browser test covers the same in Chromium)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from preflight.web import create_app

from ..regenerate import golden_path
from .conftest import EXAMPLES


def _text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def test_empty_page_is_dutch_with_form_and_examples(client: Any) -> None:
    """GET / shows the form with the Controleer button and one link per example, in Dutch."""
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert ">Controleer</button>" in html
    for name in ("ready.json", "blocked.yaml", "audit-office.json", "invalid.json", "not-json.txt"):
        assert f"example={name}" in html
        assert f'data-example="/examples/{name}"' in html


def test_english_switch(client: Any) -> None:
    """?lang=en gives the English page; the switch links back to Dutch."""
    response = client.get("/?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Check</button>" in html
    assert "lang=nl" in html and ">Nederlands<" in html


def test_page_stays_dutch_for_an_english_browser(client: Any) -> None:
    """The page is Dutch until switched, whatever the browser's Accept-Language says."""
    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert '<html lang="nl">' in response.get_data(as_text=True)


def test_example_link_fills_the_text_box(client: Any) -> None:
    """?example=blocked.yaml puts that example in the text box (works without JavaScript)."""
    response = client.get("/?example=blocked.yaml")
    assert response.status_code == 200
    assert "snapshot_version: 1" in response.get_data(as_text=True)


def test_example_files_are_served_as_text_and_nothing_else(client: Any) -> None:
    """/examples/<name> serves only the listed examples, as text/plain."""
    ok = client.get("/examples/ready.json")
    assert ok.status_code == 200
    assert ok.mimetype == "text/plain"
    assert json.loads(ok.data)["snapshot_version"] == 1
    for name in ("../pyproject.toml", "..%2Fpyproject.toml", "missing.json"):
        assert client.get(f"/examples/{name}").status_code == 404


def test_pasted_blocked_snapshot_shows_banner_counts_and_grouped_findings(client: Any) -> None:
    """Controleer on blocked.yaml shows the blocked banner, counts, subjects with names, remedies, FAQ."""
    response = client.post("/", data={"snapshot": _text("blocked.yaml"), "lang": "nl"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-verdict="blocked"' in html
    assert "GEBLOKKEERD" in html
    blocking = json.loads(golden_path("blocked.yaml", "nl").read_text(encoding="utf-8"))["summary"]["blocking"]
    assert f'<span class="n">{blocking}</span> blokkerend' in html
    assert 'data-rule="documents-awaiting-authorisation"' in html
    assert "Bakkerij Van Dam B.V." in html  # the administration's name beside its code
    assert "Wat er moet gebeuren" in html and "FAQ" in html  # the plan, and each finding's source
    assert "Worden alle documenten en gebruikers in de huidige administratie overgezet?" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_snapshot_shows_green_verdict(client: Any) -> None:
    """ready.json gives the ready banner."""
    response = client.post("/", data={"snapshot": _text("ready.json")})
    assert response.status_code == 200
    assert 'data-verdict="ready"' in response.get_data(as_text=True)


def test_invalid_snapshot_lists_each_error_by_path(client: Any) -> None:
    """A contract violation shows the invalid banner and each error with its JSON pointer."""
    response = client.post("/", data={"snapshot": _text("invalid.json")})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-verdict="invalid"' in html
    assert '<code class="pointer">/administrations/2/pending_authorisation</code>' in html
    assert "-1 is kleiner dan het minimum 0" in html


def test_unparseable_text_shows_line_column_and_the_line_itself(client: Any) -> None:
    """A parse error shows 'regel 3, kolom 3', the lines around it with a caret, and keeps the text."""
    text = _text("not-json.txt")
    response = client.post("/", data={"snapshot": text})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-line="3" data-column="3"' in html
    assert "regel 3, kolom 3" in html
    assert '<span class="ctx-line here"><span class="ln">   3</span>   source_office:</span>' in html
    assert '<span class="caret">' in html
    assert "source_office:\n    code: ADV01" in html  # the text box keeps what was pasted


def test_uploaded_file_is_checked(client: Any) -> None:
    """A file chosen (or dropped) in the form is checked instead of the text box."""
    data = {"snapshot": "", "file": (io.BytesIO((EXAMPLES / "blocked.yaml").read_bytes()), "blocked.yaml")}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-verdict="blocked"' in html
    assert "snapshot_version: 1" in html


def test_non_utf8_file_is_reported_not_crashed(client: Any) -> None:
    """A file that is not UTF-8 gives an invalid report with the byte's place."""
    data = {"file": (io.BytesIO(b"snapshot_version: 1\nname: \xff\n"), "latin1.yaml")}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-verdict="invalid"' in html
    assert "geen UTF-8" in html


def test_everything_shown_is_escaped(client: Any) -> None:
    """Names and codes with markup appear as text: no tag from the snapshot reaches the page."""
    snapshot = json.loads(_text("ready.json"))
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    snapshot["administrations"][0]["name"] = hostile
    snapshot["administrations"][0]["code"] = "1001" + hostile
    snapshot["administrations"][0]["pending_authorisation"] = 1
    snapshot["migration"]["administrations"][0]["code"] = "1001" + hostile
    response = client.post("/", data={"snapshot": json.dumps(snapshot)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # app.js only


def test_language_switch_on_a_report_reposts_the_text(client: Any) -> None:
    """On a report the language switch re-checks the same text in the other language (?lang=en wins)."""
    response = client.post("/?lang=en", data={"snapshot": _text("blocked.yaml"), "lang": "nl"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "BLOCKED" in html
    assert 'formaction="/?lang=nl"' in html


def test_report_text_and_json_are_on_the_page(client: Any) -> None:
    """The text for a ticket and the JSON report (for Download JSON) are in the page, escaped."""
    response = client.post("/", data={"snapshot": _text("blocked.yaml")})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<pre id="report-text">GEBLOKKEERD' in html
    assert '<pre id="report-json" hidden>{\n  &#34;report_version&#34;: 2' in html


def test_download_json_without_javascript(client: Any) -> None:
    """POST /report.json returns the report as an attachment named after the verdict."""
    response = client.post("/report.json?lang=en", data={"snapshot": _text("blocked.yaml")})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="preflight-blocked.json"'
    report = response.get_json()
    assert (report["verdict"], report["lang"]) == ("blocked", "en")


def test_page_has_csp_and_only_local_assets(client: Any) -> None:
    """The page loads only its own script, style and icon (no CDN), under a strict CSP."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assert "style=" not in html  # inline styles would need 'unsafe-inline'
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for asset in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
        assert asset in html
        with client.get(asset) as served:
            assert served.status_code == 200


def test_print_stylesheet_hides_the_form(client: Any) -> None:
    """The stylesheet has print rules that hide the input and the buttons."""
    with client.get("/static/style.css") as css:
        assert css.status_code == 200
        text = css.get_data(as_text=True)
    assert "@media print" in text
    assert ".input-pane" in text.split("@media print", 1)[1]


def test_snapshot_over_the_limit_is_413_on_the_page() -> None:
    """A pasted snapshot over the body limit gets a 413 with the limit, in the page."""
    client = create_app({"TESTING": True, "PREFLIGHT_MAX_BODY_BYTES": 2048, "PREFLIGHT_WARMUP": False}).test_client()
    response = client.post("/", data={"snapshot": "a" * 3000})
    assert response.status_code == 413
    assert "2048" in response.get_data(as_text=True)
    huge = client.post("/", data={"snapshot": "a" * 20000})
    assert huge.status_code == 413
    assert huge.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/nothing", "/static/missing.css"])
def test_unknown_page_is_an_html_404_for_browsers(client: Any, path: str) -> None:
    """A browser asking for a missing page gets an HTML 404 with a way back."""
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert 'href="/?lang=nl"' in response.get_data(as_text=True)

"""The support agents' page, server-side: form, examples, report, errors beside the text,
escaping, language, downloads and limits (the browser test covers the same in Chromium)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from preflight.web import create_app

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
    assert '<h1 class="page-title">Preflight externe migratie</h1>' in html
    for name in ("ready.json", "blocked.yaml", "audit-office.json", "invalid.json", "not-json.txt"):
        assert f'href="/?example={name}&amp;lang=nl"' in html
    # the file picker speaks the page's language: our label around the native input
    assert '<span>Kies een bestand</span>' in html and 'class="file-input"' in html
    assert "data-verdict" not in html  # no report yet


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


def test_example_link_fills_the_text_box_and_checks_it(client: Any) -> None:
    """?example=blocked.yaml puts that example in the text box and shows its report (no JavaScript
    needed), with the verdict focused on load."""
    response = client.get("/?example=blocked.yaml")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "snapshot_version: 1" in html
    assert '<div id="verdict" class="banner banner-blocked" data-verdict="blocked" tabindex="-1" autofocus>' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_example_gives_the_empty_form(client: Any) -> None:
    """An example name that is not offered shows the empty form, not an error or a file."""
    response = client.get("/?example=../pyproject.toml")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "data-verdict" not in html and "[project]" not in html


def test_example_files_are_served_as_text_and_nothing_else(client: Any) -> None:
    """/examples/<name> serves only the listed examples, as text/plain."""
    ok = client.get("/examples/ready.json")
    assert ok.status_code == 200
    assert ok.mimetype == "text/plain"
    assert json.loads(ok.data)["snapshot_version"] == 1
    for name in ("../pyproject.toml", "..%2Fpyproject.toml", "missing.json"):
        assert client.get(f"/examples/{name}").status_code == 404


def _checked(client: Any, text: str) -> str:
    """The page after Controleer on ``text`` (HTTP 200)."""
    response = client.post("/", data={"snapshot": text})
    assert response.status_code == 200
    html: str = response.get_data(as_text=True)
    return html


def _between(html: str, start: str, end: str) -> str:
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def test_pasted_blocked_snapshot_reads_top_to_bottom(client: Any) -> None:
    """Controleer on blocked.yaml shows, in this order: the verdict with its counts, the context
    (from → to, requester, receiver, status with its date in words), the numbered plan with who acts
    and the administrations by name, the batches, the findings per administration by name, info folded."""
    response = client.post("/", data={"snapshot": _text("blocked.yaml"), "lang": "nl"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    order = [
        'data-verdict="blocked"', "12 blokkerend, 5 advies, 6 info",
        "<h3>Over deze migratie</h3>", "<dt>Van</dt><dd>Administratiekantoor De Vries (ADV01)</dd>",
        "<dt>Naar</dt><dd>Boekhoudkantoor Jansen &amp; Kok (BJK01): abonnement Trial, gekoppeld aan Exact Online</dd>",
        "<dt>Aanvrager</dt><dd>s.meijer@devries-administratie.nl (Accountant)</dd>",
        "<dt>Status</dt><dd>overdrachtscode verstuurd op 7 november 2026</dd>",
        "Wat er moet gebeuren", '<span class="step-number" aria-hidden="true">1</span>',
        "De nieuwe Basecone-omgeving", "door het nieuwe kantoor",
        '<span class="concerned">(2001 Bakkerij Van Dam B.V.)</span>',
        "Welke administraties kunnen mee", "<dt>Kan nu</dt><dd>geen</dd>",
        "<dt>Kan niet mee</dt><dd>2003 Hoveniersbedrijf Groen - filiaal Utrecht</dd>",
        "<h3>Bevindingen</h3>", '<h4 class="subject-title">2001 Bakkerij Van Dam B.V.</h4>',
        'data-rule="documents-awaiting-authorisation"',
        '<details class="info-findings"><summary>Goed om te weten (6)</summary>',
    ]
    positions = [html.find(part) for part in order]
    assert -1 not in positions, [part for part, at in zip(order, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    assert "<h2 id=\"report-title\" class=\"pane-title\">Rapport<span class=\"report-about\">Migratie van Administratiekantoor De Vries (ADV01) naar Boekhoudkantoor Jansen &amp; Kok (BJK01)</span></h2>" in html
    assert "administration:2001" not in _between(html, '<section id="report"', '<details class="as-text">')
    assert response.headers["Cache-Control"] == "no-store"


def test_faq_questions_link_to_the_article(client: Any) -> None:
    """Every finding's FAQ question is a link to the article it comes from (faq_url)."""
    html = _checked(client, _text("blocked.yaml"))
    assert (
        '<a href="https://support.basecone.com/nl/articles/3185110-faq-externe-migraties" rel="noopener noreferrer"'
        ' title="Lees het antwoord in de FAQ">Worden alle documenten en gebruikers in de huidige administratie overgezet?</a>'
    ) in html


def test_evidence_is_shown_by_people_s_names(client: Any) -> None:
    """Evidence keys are words ("Documenten die op autorisatie wachten"), values in words (Trial),
    never snake_case keys."""
    html = _checked(client, _text("blocked.yaml"))
    finding = _between(html, 'data-rule="documents-awaiting-authorisation"', "</li>")
    assert "<dt>Documenten die op autorisatie wachten</dt><dd>12</dd>" in finding
    assert "pending_authorisation" not in finding
    office = _between(html, 'data-rule="target-subscription-not-premium"', "</li>")
    assert "<dt>Abonnement</dt><dd>Trial</dd>" in office


def test_findings_lead_to_their_lines(client: Any) -> None:
    """A finding's pointers become links to their lines in the text (line 77: pending_authorisation: 12)."""
    text = _text("blocked.yaml")
    html = _checked(client, text)
    finding = _between(html, 'data-rule="documents-awaiting-authorisation"', "</li>")
    assert '<a href="#snapshot" class="goto" data-line="77">regel 77</a>' in finding
    assert text.split("\n")[76].strip() == "pending_authorisation: 12"


def test_audit_snapshot_speaks_of_the_office(client: Any) -> None:
    """A snapshot without a migration is about the office: its heading and context say so."""
    html = _checked(client, _text("audit-office.json"))
    assert "<h3>Over dit kantoor</h3>" in html
    assert '<span class="report-about">Kantoor ' in html


def test_ready_snapshot_shows_green_verdict(client: Any) -> None:
    """ready.json gives the ready banner."""
    response = client.post("/", data={"snapshot": _text("ready.json")})
    assert response.status_code == 200
    assert 'data-verdict="ready"' in response.get_data(as_text=True)


def test_invalid_snapshot_lists_each_error_by_path(client: Any) -> None:
    """A contract violation shows the invalid banner and each error with its JSON pointer."""
    html = _checked(client, _text("invalid.json"))
    assert 'data-verdict="invalid"' in html
    assert "ONGELDIG — de snapshot voldoet niet aan het contract" in html
    assert '<code class="pointer">/administrations/2/pending_authorisation</code>' in html
    assert "-1 is kleiner dan het minimum 0" in html


def test_contract_errors_are_named_by_administration_and_located(client: Any) -> None:
    """An error inside an administration names it by code and name, and links to its line and column."""
    text = _text("invalid.json")
    html = _checked(client, text)
    item = _between(html, '<strong class="error-subject">Administratie 3103 (', "</li>")
    line = int(item.split('data-line="', 1)[1].split('"', 1)[0])
    assert '"pending_authorisation"' in text.split("\n")[line - 1]
    assert "<code class=\"pointer\">/administrations/2/pending_authorisation</code>" in item


def test_unreadable_text_is_not_called_a_contract_violation(client: Any) -> None:
    """A YAML syntax error says the text is unreadable, not that it breaks the contract."""
    html = _checked(client, _text("not-json.txt"))
    assert "ONLEESBAAR — de tekst is geen leesbare JSON of YAML" in html
    assert "voldoet niet aan het contract" not in html
    assert "De tekst kon niet als JSON of YAML worden gelezen" in html


def test_unparseable_text_shows_line_column_and_the_line_itself(client: Any) -> None:
    """A parse error shows 'regel 3, kolom 3', the lines around it with a caret, and keeps the text."""
    text = _text("not-json.txt")
    html = _checked(client, text)
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


def test_a_lone_surrogate_escape_is_no_server_error(client: Any) -> None:
    """A JSON escape of half a character ("\\ud800") in a name gives a page, not a 500."""
    snapshot = json.loads(_text("ready.json"))
    snapshot["administrations"][0]["name"] = "\ud800"
    response = client.post("/", data={"snapshot": json.dumps(snapshot)})
    assert response.status_code == 200
    assert 'data-verdict="' in response.get_data(as_text=True)


def test_language_switch_on_a_report_reposts_the_text(client: Any) -> None:
    """On a report the language switch re-checks the same text in the other language (?lang=en wins)."""
    response = client.post("/?lang=en", data={"snapshot": _text("blocked.yaml"), "lang": "nl"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "BLOCKED" in html
    assert 'formaction="/?lang=nl"' in html


def test_report_text_markdown_and_json_are_on_the_page(client: Any) -> None:
    """The text and the Markdown for a ticket (names, not keys) and the JSON report (for Download
    JSON, named after the offices and the date) are in the page, escaped."""
    html = _checked(client, _text("blocked.yaml"))
    assert '<pre id="report-text">GEBLOKKEERD' in html
    assert '<pre id="report-markdown" hidden>## GEBLOKKEERD' in html
    assert '<pre id="report-json" hidden>{\n  &#34;report_version&#34;: 2' in html
    assert "administration:2001" not in _between(html, '<pre id="report-text">', "</pre>")
    assert 'data-filename="preflight-ADV01-BJK01-2026-11-27.json"' in html
    assert ">Kopieer als Markdown</button>" in html


def test_download_json_without_javascript(client: Any) -> None:
    """POST /report.json returns the report as an attachment named after the offices and the date."""
    response = client.post("/report.json?lang=en", data={"snapshot": _text("blocked.yaml")})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="preflight-ADV01-BJK01-2026-11-27.json"'
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


def test_notices_are_shown_with_their_administration(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Notices about the input (e.g. an unknown field) are listed under "Let op", named and linked."""
    from dataclasses import replace

    from preflight.problems import InputProblem
    from preflight.web import checking

    real = checking.check
    notice = InputProblem("/administrations/1/payment_agrement", "onbekend veld; bedoel je payment_agreement?")
    monkeypatch.setattr(checking, "check", lambda *a, **k: replace(real(*a, **k), notices=(notice,)))
    html = _checked(client, _text("blocked.yaml"))
    notices = _between(html, '<h3 id="notices-title">Let op</h3>', "</section>")
    assert "<strong>Administratie 2002 (Hoveniersbedrijf Groen):</strong> onbekend veld; bedoel je payment_agreement?" in notices
    assert 'class="goto" data-line="' in notices

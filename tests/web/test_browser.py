"""The page in a real browser (Playwright driving Debian's Chromium at /usr/bin/chromium).

`make test` installs the chromium package when it is missing (scripts/ensure-chromium.sh); no
browser is ever downloaded. Without Chromium the tests are skipped locally and fail on CI.
Each state the tests reach is saved as a screenshot in artifacts/ (git-ignored). The
accessibility check runs axe-core (shipped inside the axe-playwright-python package, injected by
the test only: the page itself never loads it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTIFACTS, EXAMPLES

CHROMIUM = Path(os.environ.get("PREFLIGHT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-chromium.sh should have installed it", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (make test installs it)", allow_module_level=True)

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _open(browser: Any, viewport: dict[str, int] = WIDE, **options: Any) -> tuple[Any, Any]:
    """A fresh context and page that record console errors, dialogs and page errors (none may happen)."""
    context = browser.new_context(viewport=viewport, locale="nl-NL", **options)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: page.problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda err: page.problems.append(f"page error: {err}"))
    page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return context, page


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context, page = _open(browser)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture()
def narrow_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page (390 px wide)."""
    context, page = _open(browser, NARROW, has_touch=True, is_mobile=True)
    try:
        yield page
    finally:
        context.close()


def _shot(page: Any, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def _example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def _check_text(page: Any, live_server: str, text: str) -> None:
    page.goto(live_server + "/")
    page.fill("#snapshot", text)
    with page.expect_navigation():
        page.get_by_role("button", name="Controleer").click()


def _focused_id(page: Any) -> str:
    focused: str = page.evaluate("document.activeElement && document.activeElement.id")
    return focused


def _in_view(page: Any, selector: str) -> bool:
    """Whether the element's top and its first 60 px lie inside the viewport."""
    box = page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return [r.top, r.bottom, window.innerHeight]; }",
        selector,
    )
    top, bottom, height = box
    return bool(top >= 0 and min(bottom, top + 60) <= height)


def _selected(page: Any) -> str:
    selected: str = page.evaluate(
        "(() => { const a = document.getElementById('snapshot'); return a.value.slice(a.selectionStart, a.selectionEnd); })()"
    )
    return selected


# -- reading the report -----------------------------------------------------------------------


def test_pasted_blocked_example_reads_top_to_bottom(page: Any, live_server: str) -> None:
    """Pasting blocked.yaml and pressing Controleer shows the verdict, the context, the numbered plan,
    the batches and the findings per administration by name, in that order."""
    _check_text(page, live_server, _example("blocked.yaml"))
    banner = page.locator("#verdict")
    assert banner.get_attribute("data-verdict") == "blocked"
    assert "GEBLOKKEERD" in banner.inner_text() and "12 blokkerend" in banner.inner_text()
    tops = [
        page.locator(selector).first.bounding_box()["y"]
        for selector in ("#verdict", "dl.context", "ol.plan", "dl.batches", ".subject", "details.info-findings")
    ]
    assert tops == sorted(tops)
    first_step = page.locator("ol.plan > li").first
    assert "De nieuwe Basecone-omgeving" in first_step.inner_text()
    assert "door het nieuwe kantoor" in first_step.inner_text()
    assert page.locator(".subject-title", has_text="2001 Bakkerij Van Dam B.V.").count() == 1
    assert not page.locator("details.info-findings li").first.is_visible()  # info folded away
    _shot(page, "report-page", full_page=True)
    _shot(page, "report-page-top")
    assert page.problems == []


def test_print_view_has_title_context_and_plan(page: Any, live_server: str) -> None:
    """Printed, the page shows its title, the migration's offices, the context and the plan; not the form."""
    page.goto(live_server + "/?example=blocked.yaml")
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    assert "Migratie van Administratiekantoor De Vries (ADV01) naar" in page.locator("#report-title").inner_text()
    assert page.locator("dl.context").is_visible() and page.locator("ol.plan").is_visible()
    assert not page.locator("#snapshot").is_visible() and not page.locator(".actions").is_visible()
    _shot(page, "print-view", full_page=True)
    assert page.problems == []


# -- focus, stale reports, examples -------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_verdict_has_focus_and_is_in_view_on_a_phone(browser: Any, live_server: str, javascript: bool) -> None:
    """At 390 px wide, after a check the verdict has focus and is on screen (with or without JavaScript)."""
    context, page = _open(browser, NARROW, has_touch=True, is_mobile=True, java_script_enabled=javascript)
    try:
        _check_text(page, live_server, _example("blocked.yaml"))
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'verdict'")
        assert _in_view(page, "#verdict")
        _shot(page, f"verdict-390-{'js' if javascript else 'no-js'}")
        assert page.problems == []
    finally:
        context.close()


def test_verdict_has_focus_and_is_in_view_wide(page: Any, live_server: str) -> None:
    """At 1440 px wide the verdict has focus and is in view after a check, the page's title too."""
    _check_text(page, live_server, _example("blocked.yaml"))
    assert _focused_id(page) == "verdict"
    assert _in_view(page, "#verdict") and _in_view(page, "h1")
    assert page.problems == []


def test_editing_the_text_marks_the_report_stale(page: Any, live_server: str) -> None:
    """The moment the text changes, the shown report is marked stale and says so; undoing the change
    makes it current again."""
    _check_text(page, live_server, _example("blocked.yaml"))
    assert not page.locator(".stale-text").is_visible()
    page.locator("#snapshot").press("End")
    page.locator("#snapshot").type("x")
    note = page.locator(".stale-text")
    assert note.is_visible()
    assert "Dit rapport hoort niet meer bij de tekst: controleer opnieuw." in note.inner_text()
    assert "stale" in (page.locator("#report").get_attribute("class") or "")
    _shot(page, "stale-report")
    page.locator("#snapshot").press("Backspace")
    assert not note.is_visible()
    assert "stale" not in (page.locator("#report").get_attribute("class") or "")
    assert page.problems == []


def test_an_example_click_checks_it(page: Any, live_server: str) -> None:
    """Clicking an example loads its text, checks it and shows its report; another example replaces
    both (never an old verdict beside a new text)."""
    page.goto(live_server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Geblokkeerd").click()
    assert page.locator("#verdict").get_attribute("data-verdict") == "blocked"
    assert "snapshot_version: 1" in page.input_value("#snapshot")
    assert _focused_id(page) == "verdict"
    with page.expect_navigation():
        page.get_by_role("link", name="Klaar").click()
    assert page.locator("#verdict").get_attribute("data-verdict") == "ready"
    assert json.loads(page.input_value("#snapshot")) == json.loads(_example("ready.json"))
    assert not page.locator(".stale-text").is_visible()
    _shot(page, "example-ready")
    assert page.problems == []


# -- errors and lines -------------------------------------------------------------------------


def test_clicking_an_error_selects_its_line(page: Any, live_server: str) -> None:
    """A contract error names its administration and, clicked, selects its line in the text box."""
    text = _example("invalid.json")
    _check_text(page, live_server, text)
    assert page.locator("#verdict").get_attribute("data-verdict") == "invalid"
    item = page.locator(".error-item", has_text="Administratie 3103 (")
    assert item.count() == 1
    item.locator("a.goto").click()
    assert _focused_id(page) == "snapshot"
    assert '"pending_authorisation": -1' in _selected(page)
    _shot(page, "invalid-report")
    assert page.problems == []


def test_unparseable_text_shows_line_and_column_and_selects_it(page: Any, live_server: str) -> None:
    """Text that does not parse is called unreadable, with its line and column; clicking selects the line."""
    text = _example("not-json.txt")
    _check_text(page, live_server, text)
    assert "ONLEESBAAR" in page.locator("#verdict").inner_text()
    where = page.locator(".error-where a.goto")
    assert where.inner_text() == "regel 3, kolom 3"
    assert page.input_value("#snapshot") == text
    where.click()
    assert _selected(page) == text.split("\n")[2]
    _shot(page, "unreadable-report")
    assert page.problems == []


def test_a_finding_leads_to_its_line(page: Any, live_server: str) -> None:
    """A finding's 'In de tekst' link selects the line its value is on."""
    _check_text(page, live_server, _example("blocked.yaml"))
    finding = page.locator('li.finding[data-rule="documents-awaiting-authorisation"]')
    finding.locator("a.goto").first.click()
    assert _selected(page).strip() == "pending_authorisation: 12"
    assert page.problems == []


# -- keyboard, copy, download, hints ----------------------------------------------------------


def test_keyboard_only_from_pasting_to_copying(page: Any, live_server: str) -> None:
    """With the keyboard alone: Tab to the text box, paste, Ctrl+Enter, and from the focused verdict
    Tab to "Kopieer als tekst" and "Kopieer als Markdown"."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(live_server + "/")
    for _ in range(20):
        if _focused_id(page) == "snapshot":
            break
        page.keyboard.press("Tab")
    assert _focused_id(page) == "snapshot"
    page.keyboard.insert_text(_example("blocked.yaml"))
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert _focused_id(page) == "verdict"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Kopieer als tekst"
    page.keyboard.press("Enter")
    page.wait_for_selector(".action-status:has-text('gekopieerd als tekst')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("GEBLOKKEERD") and "2001 Bakkerij Van Dam B.V." in copied
    assert "administration:2001" not in copied
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".action-status:has-text('gekopieerd als Markdown')")
    assert page.evaluate("navigator.clipboard.readText()").startswith("## GEBLOKKEERD")
    _shot(page, "copied")
    assert page.problems == []


def test_download_is_named_after_the_offices_and_date(page: Any, live_server: str) -> None:
    """"Download JSON" saves the shown report as preflight-ADV01-BJK01-2026-11-27.json."""
    page.goto(live_server + "/?example=blocked.yaml")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSON").click()
    download = info.value
    assert download.suggested_filename == "preflight-ADV01-BJK01-2026-11-27.json"
    report = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert report["verdict"] == "blocked"
    assert page.problems == []


def test_hints_only_where_they_apply(page: Any, narrow_page: Any, live_server: str) -> None:
    """Ctrl+Enter and drag-and-drop hints show with a mouse and keyboard, not on a touch phone;
    the file picker is labelled in Dutch."""
    page.goto(live_server + "/")
    assert page.locator(".hint-keys").is_visible() and page.locator(".hint-drop").is_visible()
    assert page.get_by_text("Kies een bestand").is_visible()
    narrow_page.goto(live_server + "/")
    assert not narrow_page.locator(".hint-keys").is_visible()
    assert not narrow_page.locator(".hint-drop").is_visible()
    _shot(narrow_page, "empty-390")
    assert page.problems == [] and narrow_page.problems == []


def test_a_chosen_file_fills_the_box(page: Any, live_server: str) -> None:
    """Choosing a file (through our Dutch label) puts its text in the box and names it."""
    page.goto(live_server + "/")
    page.set_input_files("input[type=file]", str(EXAMPLES / "one-problem.yaml"))
    page.wait_for_function("() => document.getElementById('snapshot').value.includes('snapshot_version')")
    assert page.locator(".file-name").inner_text() == "Gekozen: one-problem.yaml"
    assert page.problems == []


# -- safety and no JavaScript -------------------------------------------------------------------


def test_hostile_names_execute_nothing(page: Any, live_server: str) -> None:
    """Names with <script> and <img onerror> are shown as text; no script runs, no element appears."""
    snapshot = json.loads(_example("ready.json"))
    script = "<script>window.__pwned = 'script'; alert(1)</script>"
    image = '<img src=x onerror="window.__pwned = \'img\'; alert(2)">'
    snapshot["source_office"]["name"] = script
    first = snapshot["administrations"][0]
    first["name"] = image
    first["pending_authorisation"] = 2
    first["code"] = "1001" + image
    snapshot["migration"]["administrations"][0]["code"] = first["code"]
    first["users"] = [{"email": script + "@example.nl", "role": "bookkeeper", "personal_archive": True}]
    _check_text(page, live_server, json.dumps(snapshot, indent=2))
    page.wait_for_timeout(300)
    assert page.locator("#verdict").get_attribute("data-verdict") == "blocked"
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("script").count() == 1  # app.js only
    assert image in page.locator(".subject-title").first.inner_text()
    assert page.locator(".message", has_text="<img src=x").count() >= 1
    assert page.problems == []


def test_page_works_without_javascript(browser: Any, live_server: str) -> None:
    """With JavaScript off an example link checks, and the form checks and reports."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/?lang=en")
        page.get_by_role("link", name="Blocked").click()
        assert "snapshot_version" in page.input_value("#snapshot")
        assert page.locator("#verdict").get_attribute("data-verdict") == "blocked"
        page.fill("#snapshot", _example("ready.json"))
        page.get_by_role("button", name="Check").click()
        assert page.locator("#verdict").get_attribute("data-verdict") == "ready"
        assert "READY" in page.locator("#verdict").inner_text()
    finally:
        context.close()


# -- accessibility (axe-core) -----------------------------------------------------------------


def _axe_script() -> str:
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


STATES = {
    "empty": "/",
    "blocked": "/?example=blocked.yaml",
    "invalid": "/?example=invalid.json",
    "unreadable": "/?example=not-json.txt",
}


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1440", "390"])
@pytest.mark.parametrize("state", list(STATES))
def test_no_accessibility_violations(browser: Any, live_server: str, state: str, viewport: dict[str, int]) -> None:
    """axe-core finds no violation of any impact (WCAG 2.x A/AA and best practices) on the empty
    page, a blocked, an invalid and an unreadable report, at 1440 and 390 px; details opened too."""
    context, page = _open(browser, viewport)
    try:
        page.goto(live_server + STATES[state])
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.evaluate(_axe_script())  # injected by the test (DevTools protocol), not by the page
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"]
        ]
        _shot(page, f"axe-{state}-{viewport['width']}")
        assert violations == []
        assert page.problems == []
    finally:
        context.close()

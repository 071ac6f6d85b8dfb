"""The page in a real browser (Playwright driving Debian's Chromium at /usr/bin/chromium).

`make test` installs the chromium package when it is missing (scripts/ensure-chromium.sh); no
browser is ever downloaded. Without Chromium the tests are skipped locally and fail on CI.
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


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors, dialogs and page errors (none may happen)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="nl-NL")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: page.problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda err: page.problems.append(f"page error: {err}"))
    page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    try:
        yield page
    finally:
        context.close()


def test_pasted_blocked_example_shows_verdict_and_findings(page: Any, live_server: str) -> None:
    """Pasting blocked.yaml and pressing Controleer shows the red verdict, counts and grouped findings."""
    response = page.goto(live_server + "/")
    assert response.status == 200
    page.fill("#snapshot", (EXAMPLES / "blocked.yaml").read_text(encoding="utf-8"))
    with page.expect_navigation():
        page.get_by_role("button", name="Controleer").click()

    banner = page.locator(".banner")
    assert banner.get_attribute("data-verdict") == "blocked"
    assert "GEBLOKKEERD" in banner.inner_text()
    finding = page.locator('li.finding[data-rule="documents-awaiting-authorisation"]')
    assert finding.count() == 1
    assert "12" in finding.locator(".message").inner_text()
    plan = page.locator("ol.plan > li")
    assert plan.first.is_visible() and "De nieuwe Basecone-omgeving" in plan.first.inner_text()
    assert page.locator("ol.plan").get_by_text("Keur alle te autoriseren documenten goed of af").is_visible()
    assert page.locator(".subject-title", has_text="Bakkerij Van Dam").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "report-page-top.png"))
    assert page.problems == []


def test_example_button_loads_snapshot_without_reload(page: Any, live_server: str) -> None:
    """One click on an example fills the box; checking it gives that example's verdict."""
    page.goto(live_server + "/")
    page.get_by_role("link", name="Klaar").click()
    try:
        page.wait_for_function("document.getElementById('snapshot').value.includes('snapshot_version')")
    except sync_api.Error as err:  # say what happened instead (a reload means the script's fetch failed)
        raise AssertionError(f"example not loaded by script: url={page.url} problems={page.problems}") from err
    assert page.url.rstrip("/") == live_server  # loaded by script, no navigation
    with page.expect_navigation():
        page.get_by_role("button", name="Controleer").click()
    assert page.locator(".banner").get_attribute("data-verdict") == "ready"
    assert page.problems == []


def test_unparseable_text_shows_line_and_column_beside_it(page: Any, live_server: str) -> None:
    """Text that does not parse shows each error with its line and column, and the text stays."""
    text = (EXAMPLES / "not-json.txt").read_text(encoding="utf-8")
    page.goto(live_server + "/")
    page.fill("#snapshot", text)
    with page.expect_navigation():
        page.get_by_role("button", name="Controleer").click()
    assert page.locator(".banner").get_attribute("data-verdict") == "invalid"
    where = page.locator(".error-where a.goto")
    assert where.inner_text() == "regel 3, kolom 3"
    assert page.input_value("#snapshot") == text
    where.click()
    selected = page.evaluate("(() => { const a = document.getElementById('snapshot'); return a.value.slice(a.selectionStart, a.selectionEnd); })()")
    assert selected == text.split("\n")[2]
    assert page.problems == []


def test_copy_as_text_and_download_json(page: Any, live_server: str) -> None:
    """"Kopieer als tekst" puts the text report on the clipboard; "Download JSON" saves the report."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(live_server + "/?example=blocked.yaml")
    with page.expect_navigation():
        page.get_by_role("button", name="Controleer").click()
    page.get_by_role("button", name="Kopieer als tekst").click()
    page.wait_for_selector(".action-status:has-text('gekopieerd')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("GEBLOKKEERD")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSON").click()
    download = info.value
    assert download.suggested_filename == "preflight-blocked.json"
    report = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert report["verdict"] == "blocked"
    assert page.problems == []


def test_hostile_names_execute_nothing(page: Any, live_server: str) -> None:
    """Names with <script> and <img onerror> are shown as text; no script runs, no element appears."""
    snapshot = json.loads((EXAMPLES / "ready.json").read_text(encoding="utf-8"))
    script = "<script>window.__pwned = 'script'; alert(1)</script>"
    image = '<img src=x onerror="window.__pwned = \'img\'; alert(2)">'
    snapshot["source_office"]["name"] = script
    first = snapshot["administrations"][0]
    first["name"] = image
    first["pending_authorisation"] = 2
    first["code"] = "1001" + image
    snapshot["migration"]["administrations"][0]["code"] = first["code"]
    first["users"] = [{"email": script + "@example.nl", "role": "bookkeeper", "personal_archive": True}]
    page.goto(live_server + "/")
    page.fill("#snapshot", json.dumps(snapshot, indent=2))
    with page.expect_navigation():
        page.get_by_role("button", name="Controleer").click()
    page.wait_for_timeout(300)
    assert page.locator(".banner").get_attribute("data-verdict") == "blocked"
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("script").count() == 1  # app.js only
    assert image in page.locator(".subject-title").first.inner_text()
    assert page.locator(".message", has_text="<img src=x").count() >= 1
    assert page.problems == []


def test_page_works_without_javascript(browser: Any, live_server: str) -> None:
    """With JavaScript off the example links, the check and the report still work."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/?lang=en")
        page.get_by_role("link", name="Blocked").click()
        assert "snapshot_version" in page.input_value("#snapshot")
        page.get_by_role("button", name="Check").click()
        assert page.locator(".banner").get_attribute("data-verdict") == "blocked"
        assert "BLOCKED" in page.locator(".banner").inner_text()
    finally:
        context.close()

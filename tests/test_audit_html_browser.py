"""The audit's HTML page in a real browser: filters, keyboard sorting, chart links, drill-down by
name, the comparison with a baseline, and axe-core's accessibility check.

Playwright drives Debian's Chromium (/usr/bin/chromium, or $PREFLIGHT_CHROMIUM); no browser is
ever downloaded. Skipped when either is missing (failed on CI, as tests/web/test_browser.py is).
The page is opened from disk, as operations open it: any request for another file fails the test.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preflight.audit.cli import run_audit
from preflight.demo_data import generate

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path(os.environ.get("PREFLIGHT_CHROMIUM", "/usr/bin/chromium"))
WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-chromium.sh should have installed it", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """80 demo offices two weeks on and a broken line, compared with week 1, as a page in English;
    and the JSON of the same audit."""
    folder = tmp_path_factory.mktemp("html")
    first, later = folder / "week1.jsonl", folder / "week3.jsonl"
    first.write_text("\n".join(generate(80, seed=6)) + "\n")
    later.write_text("\n".join(generate(80, seed=6, week=3)) + "\n{broken\n")
    baseline = folder / "week1.json"
    assert run_audit([str(first)], fmt="json", out=str(baseline), workers=2, quiet=True, stderr=io.StringIO()) == 1
    pages = {}
    for fmt in ("html", "json"):
        out = folder / f"audit.{fmt}"
        status = run_audit([str(later)], fmt=fmt, out=str(out), workers=2, lang="en", quiet=True,
                           baseline=str(baseline), stderr=io.StringIO())
        assert status == 2
        pages[fmt] = out
    return {"page": pages["html"], "json": json.loads(pages["json"].read_text())}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, report: dict[str, Any], viewport: dict[str, int] = WIDE) -> Any:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda err: page.problems.append(str(err)))
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: None if req.url.startswith("file:") else page.problems.append(req.url))
    page.goto(report["page"].as_uri())
    return page


@pytest.fixture()
def page(browser: Any, report: dict[str, Any]) -> Iterator[Any]:
    page = open_page(browser, report)
    try:
        yield page
        assert page.problems == []
    finally:
        page.context.close()


def shown(page: Any) -> int:
    count = int(re.sub(r"\D", "", page.text_content("#shown")))
    assert count == page.locator("tbody.office:not([hidden])").count()
    return count


def test_filters_by_verdict_rule_movable_change_and_name(page: Any, report: dict[str, Any]) -> None:
    """The selects and the search box narrow the table; the count says how many offices are shown."""
    offices = report["json"]["offices"]
    assert shown(page) == offices
    page.select_option("select[name=verdict]", "invalid")
    assert shown(page) == 1
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=rule]", "subadministration")
    with_rule = shown(page)
    assert 0 < with_rule < offices
    rows = page.locator("tbody.office:not([hidden])")
    assert all("subadministration" in rows.nth(i).get_attribute("data-rules").split() for i in range(with_rule))
    page.select_option("select[name=rule]", "")
    page.select_option("select[name=movable]", "yes")
    assert shown(page) == report["json"]["movable"]["offices_can_start_now"]
    page.select_option("select[name=movable]", "")
    page.select_option("select[name=changes]", "new-blocking")
    assert shown(page) == report["json"]["baseline"]["offices_with_new_blocking"] > 0
    page.select_option("select[name=changes]", "")
    first = page.locator("tbody.office td").first.text_content()
    page.fill("input[name=q]", first.lower())
    assert shown(page) == 1


def test_a_bar_of_the_chart_filters_the_offices_by_its_rule(page: Any) -> None:
    """Clicking a bar selects its rule in the filter."""
    page.click("a[data-filter-rule=office-without-superuser]")
    assert page.input_value("select[name=rule]") == "office-without-superuser"
    assert 0 < shown(page) < 81


def test_the_chart_is_led_by_blocking_rules_and_says_each_severity_in_words(page: Any) -> None:
    """Blocking first; each bar names its rule by its title and its severity in words; the bars of
    advisory rules are striped, not only another colour."""
    bars = page.locator("ul.chart li")
    severities = [bars.nth(i).locator(".fill").get_attribute("class").split()[-1] for i in range(bars.count())]
    assert severities == sorted(severities, key=["blocking", "advisory", "info"].index) and severities[0] == "blocking"
    first = bars.first.locator("a").inner_text()
    assert "(blocking)" in first and "-" not in first.split("(")[0]  # a title, not a rule id
    striped = page.locator("ul.chart .fill.advisory").first.evaluate("e => getComputedStyle(e).backgroundImage")
    assert "repeating-linear-gradient" in striped


def open_details(office: Any) -> None:
    """Click an office's summary and wait until its details are shown: the page fills them in on
    the details' toggle event, which the browser fires in a task after the click, not within it."""
    office.locator("summary").click()
    office.locator("details[data-shown]").wait_for(state="attached", timeout=5000)


def test_sorting_works_from_the_keyboard(page: Any) -> None:
    """Tab to a column's button and press Enter: largest first, aria-sort says so; again: smallest first."""
    button = page.locator("th[data-sort=blocked] button")
    button.focus()
    page.keyboard.press("Enter")
    values = [int(v or -1) for v in page.locator("tbody.office").evaluate_all("bs => bs.map(b => b.dataset.blocked)")]
    assert values == sorted(values, reverse=True)
    assert page.locator("th[data-sort=blocked]").get_attribute("aria-sort") == "descending"
    page.keyboard.press("Space")
    values = [int(v or -1) for v in page.locator("tbody.office").evaluate_all("bs => bs.map(b => b.dataset.blocked)")]
    assert values == sorted(values)
    assert page.locator("th[data-sort=blocked]").get_attribute("aria-sort") == "ascending"


def test_the_details_name_administrations_and_say_what_can_move(page: Any, report: dict[str, Any]) -> None:
    """Opening an office's details: its proposed migrations and findings by administration name,
    rule titles linking to what to do, and what changed since the baseline."""
    entry = next(e for e in report["json"]["reports"] if e["verdict"] == "blocked" and e["movable"]["can_start_now"])
    body = page.locator(f"tbody.office:has(td:text-is('{entry['office']}'))")
    open_details(body)
    text = body.locator("tr.drill").inner_text()
    admin = entry["report"]["context"]["administrations"][0]
    assert f"{admin['code']} {admin['name']}" in text
    assert "Can move now: migration 1:" in text
    link = body.locator("tr.drill li a").first
    assert link.get_attribute("href").startswith("#rule-") and "-" not in link.inner_text()
    assert "Previous audit:" in text


def test_an_invalid_office_shows_dashes_not_zeros(page: Any) -> None:
    """Its administrations and findings are unknown: '–'."""
    body = page.locator("tbody.office[data-verdict=invalid]")
    cells = body.locator("tr").first.locator("td.num")
    assert [cells.nth(i).inner_text() for i in range(4)] == ["–", "–", "–", "–"]


def test_the_run_the_inputs_and_the_comparison_come_first(page: Any, report: dict[str, Any]) -> None:
    """The run date and the input are named; the comparison with the baseline leads."""
    meta = page.locator("ul.meta").inner_text()
    assert meta.startswith("Run on ") and "week3.jsonl" in meta
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Since the previous audit"
    fixed = report["json"]["baseline"]["findings"]["fixed"]
    assert f"{fixed:,}\nfindings fixed" in page.locator("section").first.inner_text()


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1440", "390"])
def test_no_accessibility_violations(browser: Any, report: dict[str, Any], viewport: dict[str, int]) -> None:
    """axe-core (injected by the test, never by the page) finds no violation of any impact — WCAG
    2.x A/AA (contrast of every badge included) and best practices — with details opened."""
    axe = pytest.importorskip("axe_playwright_python")
    page = open_page(browser, report, viewport)
    try:
        page.evaluate("document.querySelectorAll('details').forEach((d, i) => { if (i < 20) d.open = true; })")
        page.evaluate((Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8"))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        violations = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                      for v in results["violations"]]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"audit-page-{viewport['width']}.png"))
        assert violations == []
        assert page.problems == []
    finally:
        page.context.close()


def test_names_from_the_snapshots_are_shown_as_text_never_run(browser: Any, tmp_path: Path) -> None:
    """An office and an administration named like markup: shown as typed on the page and in the
    opened details, and nothing of it runs."""
    data = json.loads(next(iter(generate(1, seed=5))))
    data["source_office"]["name"] = "<img src=x onerror=\"window.__pwned=1\"> & Co"
    data["administrations"][0]["name"] = "\"><script>window.__pwned=2</script>"
    data["administrations"][0]["pending_authorisation"] = 3
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps(data) + "\n")
    out = tmp_path / "audit.html"
    assert run_audit([str(source)], fmt="html", out=str(out), workers=1, quiet=True, stderr=io.StringIO()) == 1
    page = open_page(browser, {"page": out})
    try:
        open_details(page.locator("tbody.office"))
        assert page.locator("tbody.office td").nth(1).inner_text() == data["source_office"]["name"]
        assert data["administrations"][0]["name"] in page.locator("tr.drill").inner_text()
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("img").count() == 0 and page.locator("script").count() == 1
        assert page.problems == []
    finally:
        page.context.close()

"""The audit's HTML page in a real browser: filters, sorting, chart links and drill-down work.

Playwright drives Debian's Chromium (/usr/bin/chromium, or $PREFLIGHT_CHROMIUM); no browser is
ever downloaded. Skipped when either is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preflight.demo_data import generate

from .in_process import run_cli

CHROMIUM = Path(os.environ.get("PREFLIGHT_CHROMIUM", "/usr/bin/chromium"))

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    source = folder / "offices.jsonl"
    source.write_text("\n".join(generate(80, seed=6)) + "\n{broken\n")
    out = folder / "audit.html"
    done = run_cli("audit", str(source), "--format", "html", "--out", str(out), "--lang", "en")
    assert done.status == 2, done.stderr
    return out


@pytest.fixture()
def page(report: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.problems = []
            page.on("pageerror", lambda err: page.problems.append(str(err)))
            page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
            page.on("request", lambda req: None if req.url.startswith("file:") else page.problems.append(req.url))
            page.goto(report.as_uri())
            yield page
            assert page.problems == []
        finally:
            browser.close()


def shown(page: Any) -> int:
    count = int(page.text_content("#shown"))
    assert count == page.locator("tbody.office:not([hidden])").count()
    return count


def test_filters_by_verdict_rule_and_name(page: Any) -> None:
    """The selects and the search box narrow the table; the count says how many offices are shown."""
    assert shown(page) == 81
    page.select_option("select[name=verdict]", "invalid")
    assert shown(page) == 1
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=rule]", "subadministration")
    with_rule = shown(page)
    assert 0 < with_rule < 81
    rows = page.locator("tbody.office:not([hidden])")
    assert all("subadministration" in rows.nth(i).get_attribute("data-rules").split() for i in range(with_rule))
    page.select_option("select[name=rule]", "")
    first = page.locator("tbody.office td").first.text_content()
    page.fill("input[name=q]", first.lower())
    assert shown(page) == 1


def test_a_bar_of_the_chart_filters_the_offices_by_its_rule(page: Any) -> None:
    """Clicking a bar selects its rule in the filter."""
    page.click("svg a[data-filter-rule=office-without-superuser]")
    assert page.input_value("select[name=rule]") == "office-without-superuser"
    assert 0 < shown(page) < 81


def test_sorting_and_drill_down(page: Any) -> None:
    """A numeric column sorts largest first; opening the details shows the rules and administrations."""
    page.click("th[data-sort=blocked]")
    values = [int(v) for v in page.locator("tbody.office").evaluate_all("bs => bs.map(b => b.dataset.blocked)")]
    assert values == sorted(values, reverse=True)
    first = page.locator("tbody.office").first
    first.locator("summary").click()
    drill = first.locator("tr.drill li")
    assert drill.count() >= 1
    assert drill.first.locator("a").get_attribute("href").startswith("#rule-")

"""The README's screenshot of the page matches the page it shows (else: `make screenshots`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("preflight_screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


@pytest.mark.parametrize("name", list(SCRIPT.SHOTS))
def test_screenshot_is_current(app: Any, name: str) -> None:
    """docs/images/<name>.png was made from today's page (HTML, stylesheet, script); when the page
    changes, `make screenshots` makes it again."""
    png = ROOT / "docs" / "images" / f"{name}.png"
    assert png.exists(), f"{png.relative_to(ROOT)} is missing: run `make screenshots`"
    made_from = SCRIPT.png_text(png.read_bytes(), SCRIPT.DIGEST_KEY)
    address, _ = SCRIPT.SHOTS[name]
    assert made_from == SCRIPT.source_digest(app, address), (
        f"{png.relative_to(ROOT)} is stale (the page changed since it was made): run `make screenshots`"
    )


def test_audit_screenshot_is_current(tmp_path: Path) -> None:
    """docs/images/audit-page.png was made from today's audit page (its template, style, script and
    words, on the same demo audit); when the page changes, `make screenshots` makes it again."""
    name, _ = SCRIPT.AUDIT_SHOT
    png = ROOT / "docs" / "images" / f"{name}.png"
    assert png.exists(), f"{png.relative_to(ROOT)} is missing: run `make screenshots`"
    page = SCRIPT.audit_page(tmp_path)
    assert SCRIPT.png_text(png.read_bytes(), SCRIPT.DIGEST_KEY) == SCRIPT.audit_digest(page.read_bytes()), (
        f"{png.relative_to(ROOT)} is stale (the audit page changed since it was made): run `make screenshots`"
    )


def test_the_readme_shows_the_screenshots() -> None:
    """README.md shows the report page's and the audit page's screenshots."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/images/report-page.png)" in readme and "](docs/images/audit-page.png)" in readme


def test_png_text_round_trip() -> None:
    """The digest written into a PNG's text chunk is read back; a PNG without it gives None."""
    header = bytes.fromhex("89504e470d0a1a0a") + bytes.fromhex("0000000d49484452") + bytes(13) + bytes(4)
    png = SCRIPT.with_png_text(header, SCRIPT.DIGEST_KEY, "abc")
    assert SCRIPT.png_text(png, SCRIPT.DIGEST_KEY) == "abc"
    assert SCRIPT.png_text(header, SCRIPT.DIGEST_KEY) is None

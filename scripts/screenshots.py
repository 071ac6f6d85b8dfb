"""Regenerate the README's screenshots: `make screenshots`.

- docs/images/report-page.png, the support agents' page: serves the app on a free loopback port
  and opens the report of examples/blocked.yaml;
- docs/images/audit-page.png, the audit page operations act on: audits 120 demo offices a week on
  against their audit of the week before (run dates fixed) and opens the page from disk.

Both in Debian's Chromium (/usr/bin/chromium, driven by Playwright; no browser is downloaded).
Each PNG carries, in a text chunk, the SHA-256 of what it shows (the page's HTML, stylesheet and
script); tests/web/test_screenshots.py recomputes that digest and names this command when the
picture no longer matches the page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import sys
import tempfile
import threading
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
CHROMIUM = Path(os.environ.get("PREFLIGHT_CHROMIUM", "/usr/bin/chromium"))
DIGEST_KEY = b"preflight-source-sha256"

#: name -> (page address, viewport)
SHOTS: dict[str, tuple[str, dict[str, int]]] = {
    "report-page": ("/?example=blocked.yaml", {"width": 1440, "height": 1100}),
}
#: The audit page's picture: its name and viewport (the page is made by :func:`audit_page`).
AUDIT_SHOT = ("audit-page", {"width": 1440, "height": 2000})
#: The run dates of the two audits on the picture (SOURCE_DATE_EPOCH): 20 and 27 November 2026, 06:00 UTC.
AUDIT_DATES = (1795154400, 1795759200)


def audit_page(folder: Path) -> Path:
    """The audit page of the picture, the same bytes on every run: 120 demo offices (seed 4) in
    week 2, compared with their audit of week 1."""
    import io

    from preflight.audit.cli import run_audit
    from preflight.demo_data import generate

    previous, cwd = os.environ.get("SOURCE_DATE_EPOCH"), os.getcwd()
    os.chdir(folder)  # the page names its inputs as given: relative, so the same on every run
    try:
        for week, epoch in zip((1, 2), AUDIT_DATES, strict=True):
            Path(f"week{week}.jsonl").write_text("\n".join(generate(120, seed=4, week=week)) + "\n")
            os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
            fmt, out = ("json", "week1.json") if week == 1 else ("html", "audit.html")
            run_audit([f"week{week}.jsonl"], fmt=fmt, out=out, workers=1, quiet=True,
                      baseline="week1.json" if week == 2 else None, stderr=io.StringIO())
    finally:
        os.chdir(cwd)
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return folder / "audit.html"


def audit_digest(page: bytes) -> str:
    """SHA-256 of what the audit page's picture shows: the page, its style and script inline."""
    return hashlib.sha256(page).hexdigest()


def source_digest(app: Any, address: str) -> str:
    """SHA-256 of what a screenshot of ``address`` shows: its HTML and the page's own assets."""
    client = app.test_client()
    digest = hashlib.sha256()
    for path in (address, "/static/style.css", "/static/app.js", "/static/favicon.svg"):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        digest.update(response.get_data())
        response.close()
    return digest.hexdigest()


def png_text(png: bytes, key: bytes) -> str | None:
    """The value of the tEXt chunk ``key`` of a PNG, or None."""
    at = 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"tEXt":
            name, _, value = png[at + 8:at + 8 + length].partition(b"\0")
            if name == key:
                return value.decode("latin-1")
        at += 12 + length
    return None


def with_png_text(png: bytes, key: bytes, value: str) -> bytes:
    """The PNG with a tEXt chunk ``key`` = ``value`` after its header chunk."""
    body = b"tEXt" + key + b"\0" + value.encode("latin-1")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    header_end = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    return png[:header_end] + chunk + png[header_end:]


def main() -> int:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    os.environ.setdefault("PREFLIGHT_LOG_LEVEL", "warning")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from preflight.web import create_app

    if not CHROMIUM.exists():
        print(f"screenshots: {CHROMIUM} is missing (scripts/ensure-chromium.sh installs it)", file=sys.stderr)
        return 1
    app = create_app({"TESTING": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    IMAGES.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            for name, (address, viewport) in SHOTS.items():
                context = browser.new_context(viewport=viewport, locale="nl-NL")
                page = context.new_page()
                page.goto(base + address)
                page.evaluate("document.activeElement && document.activeElement.blur()")
                png = with_png_text(page.screenshot(), DIGEST_KEY, source_digest(app, address))
                target = IMAGES / f"{name}.png"
                target.write_bytes(png)
                print(f"screenshots: wrote {target.relative_to(ROOT)} ({len(png)} bytes)")
                context.close()
            with tempfile.TemporaryDirectory() as folder:
                page_file = audit_page(Path(folder))
                name, viewport = AUDIT_SHOT
                context = browser.new_context(viewport=viewport, locale="nl-NL")
                page = context.new_page()
                page.goto(page_file.as_uri())
                png = with_png_text(page.screenshot(), DIGEST_KEY, audit_digest(page_file.read_bytes()))
                target = IMAGES / f"{name}.png"
                target.write_bytes(png)
                print(f"screenshots: wrote {target.relative_to(ROOT)} ({len(png)} bytes)")
                context.close()
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

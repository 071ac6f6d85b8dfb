"""The page at ``/`` where a support agent pastes (or drops) a snapshot and reads the report.

Server-side rendered — it works without JavaScript; ``static/app.js`` only adds conveniences
(load an example without a reload, drop a file, copy the text, download the JSON). Every value is
escaped by Jinja's autoescaping; the JavaScript sets ``textContent`` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ..pipeline import LANGUAGES
from ..resources import schemas_dir
from ..ui_text import PAGE, REPORT
from .checking import CheckOutcome, run_check
from .page_view import download_name, page_report

page = Blueprint("page", __name__)

#: The example snapshots offered first, in this order (their labels are ui_text.PAGE's "example.<name>").
_KNOWN_EXAMPLES = (
    "ready.json", "blocked.yaml", "audit-office.json", "invalid.json", "not-json.txt", "one-problem.yaml",
)
_EXAMPLE_SUFFIXES = (".json", ".yaml", ".yml", ".txt")


def examples_dir() -> Path:
    """The project's examples/ folder (beside schemas/)."""
    return schemas_dir().parent / "examples"


def example_names() -> list[str]:
    """The example snapshots offered on the page, known ones first."""
    folder = examples_dir()
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if p.is_file() and p.suffix in _EXAMPLE_SUFFIXES]
    order = _KNOWN_EXAMPLES
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def _example_text(name: str) -> str | None:
    if name not in example_names():
        return None
    return (examples_dir() / name).read_text(encoding="utf-8", errors="replace")


def page_language() -> str:
    """``lang`` from the query or the form when it is nl/en, else the default (Dutch).

    Unlike the API, the page does not follow Accept-Language: its users are Dutch support agents,
    many with an English browser, and the page is Dutch until they switch.
    """
    # The query wins over the form: the language switch re-posts the form to ?lang=<other>.
    asked = request.args.get("lang") or (request.form.get("lang") if request.method == "POST" else None) or ""
    if asked.lower() in LANGUAGES:
        return asked.lower()
    default: str = current_app.config["PREFLIGHT_DEFAULT_LANG"]
    return default


def page_context(lang: str | None = None) -> dict[str, Any]:
    """What every page template needs: language, texts, labels, examples."""
    lang = lang or page_language()
    words = PAGE[lang]
    return {
        "lang": lang,
        "t": words,
        "labels": REPORT[lang],
        "examples": [(name, words.get(f"example.{name}", name)) for name in example_names()],
    }


@page.before_request
def _form_limits() -> None:
    # A form-encoded snapshot can be up to three times its size (percent-encoding); the snapshot
    # itself is held to the body limit once decoded (load_snapshot), so only the envelope grows.
    limit = current_app.config["PREFLIGHT_MAX_BODY_BYTES"] * 3 + 64 * 1024
    request.max_content_length = limit
    request.max_form_memory_size = limit


@page.get("/")
def index() -> Response:
    """The empty form, or an example checked (``?example=blocked.yaml``): its text in the box and its
    report beside it, so a new text never stands beside an old verdict."""
    example = request.args.get("example")
    text = _example_text(example) if example else None
    if text is None:
        return _render("", None)
    return _render(text, _run(text.encode("utf-8")))


@page.post("/")
def check() -> Response:
    """Check the pasted text (or the dropped file) and show the report beside it."""
    text, raw = _submitted()
    return _render(text, _run(raw))


@page.post("/report.json")
def download() -> Response:
    """The report of the submitted snapshot as a JSON file (the no-JavaScript "Download JSON")."""
    _, raw = _submitted()
    outcome = _run(raw)
    if outcome.status == 413:
        abort(413)
    response = Response(outcome.report.to_json(), status=200, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name(outcome.report)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@page.get("/examples/<name>")
def example(name: str) -> Response:
    """An example snapshot as plain text (the page's example buttons load it)."""
    text = _example_text(name)
    if text is None:
        abort(404)
    return Response(text, mimetype="text/plain")


def _run(raw: bytes) -> CheckOutcome:
    engine = current_app.config["PREFLIGHT_ENGINE"]
    return run_check(raw, lang=page_language(), engine=engine, max_bytes=_max_bytes())


def _max_bytes() -> int:
    limit: int = current_app.config["PREFLIGHT_MAX_BODY_BYTES"]
    return limit


def _submitted() -> tuple[str, bytes]:
    """The snapshot as display text and as bytes: the uploaded file when one was chosen, else the text."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read(_max_bytes() + 1)
        if raw:
            return raw.decode("utf-8", errors="replace").replace("\r\n", "\n"), raw
    text = request.form.get("snapshot", "").replace("\r\n", "\n")
    return text, text.encode("utf-8")


def _render(text: str, outcome: CheckOutcome | None) -> Response:
    context = page_context()
    # The page answers 200 whenever it shows a report, invalid ones included: the verdict is on the
    # page, and the contract's statuses belong to the API. Only a too-large snapshot is an HTTP error.
    status = 413 if outcome and outcome.status == 413 else 200
    shown = page_report(outcome.report, text) if outcome else None
    too_large = context["t"]["too_large"].format(limit=_max_bytes()) if status == 413 else ""
    html = render_template(
        "index.html", **context, text=text, shown=shown, report=shown.report if shown else None,
        too_large=too_large, action=url_for("page.check", lang=context["lang"]),
    )
    # "replace": a lone surrogate from a JSON escape ("\ud800") in a shown value must not become a 500.
    response = Response(html.encode("utf-8", "replace"), status=status, mimetype="text/html")
    response.headers["Content-Language"] = context["lang"]
    if outcome:
        response.headers["Cache-Control"] = "no-store"
    return response

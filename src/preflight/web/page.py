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
from ..renderers import RENDERERS, report_view
from ..resources import schemas_dir
from ..ui_text import REPORT
from .checking import CheckOutcome, run_check

page = Blueprint("page", __name__)

#: The texts of the page itself (the report's labels come from preflight.ui_text.REPORT).
TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Preflight externe migratie",
        "tagline": "Plak een snapshot en zie of de migratie kan starten, wat haar blokkeert en hoe je dat oplost.",
        "snapshot": "Snapshot (JSON of YAML)",
        "placeholder": "Plak hier de snapshot, of sleep een bestand hierheen…",
        "file": "Of kies een bestand (of sleep het op het tekstvak)",
        "check": "Controleer",
        "examples": "Voorbeelden",
        "report": "Rapport",
        "empty": "Nog geen rapport. Plak een snapshot of kies een voorbeeld en druk op Controleer.",
        "copy_text": "Kopieer als tekst",
        "copied": "Rapport gekopieerd als tekst.",
        "copy_failed": "Kopiëren lukte niet; selecteer de tekst hieronder.",
        "download": "Download JSON",
        "print": "Afdrukken",
        "as_text": "Rapport als tekst (voor een ticket)",
        "evidence": "Gegevens uit de snapshot",
        "rule": "Regel",
        "errors_hint": "De snapshot is niet beoordeeld. Herstel deze punten in de tekst en controleer opnieuw:",
        "whole": "hele document",
        "show_line": "Toon in de tekst",
        "too_large": "De snapshot is te groot: hoogstens {limit} bytes.",
        "lang_switch": "English",
        "other_lang": "en",
        "skip": "Naar het rapport",
        "shortcut": "Ctrl+Enter controleert ook.",
        "error_title": "Er ging iets mis",
        "back": "Terug naar de controle",
        "request_id": "Verzoek-id",
        "administration": "Administratie",
        "user": "Gebruiker",
        "office": "Kantoor",
        "migration": "Migratie",
        "line": "regel",
        "column": "kolom",
        "api_hint": "API: POST /api/v1/preflight · OpenAPI: /openapi.json",
    },
    "en": {
        "title": "Preflight external migration",
        "tagline": "Paste a snapshot to see whether the migration may start, what blocks it and how to fix it.",
        "snapshot": "Snapshot (JSON or YAML)",
        "placeholder": "Paste the snapshot here, or drop a file here…",
        "file": "Or choose a file (or drop it on the text box)",
        "check": "Check",
        "examples": "Examples",
        "report": "Report",
        "empty": "No report yet. Paste a snapshot or pick an example and press Check.",
        "copy_text": "Copy as text",
        "copied": "Report copied as text.",
        "copy_failed": "Copying failed; select the text below.",
        "download": "Download JSON",
        "print": "Print",
        "as_text": "Report as text (for a ticket)",
        "evidence": "Values from the snapshot",
        "rule": "Rule",
        "errors_hint": "The snapshot was not evaluated. Fix these points in the text and check again:",
        "whole": "whole document",
        "show_line": "Show in the text",
        "too_large": "The snapshot is too large: at most {limit} bytes.",
        "lang_switch": "Nederlands",
        "other_lang": "nl",
        "skip": "Skip to the report",
        "shortcut": "Ctrl+Enter checks too.",
        "error_title": "Something went wrong",
        "back": "Back to the check",
        "request_id": "Request id",
        "administration": "Administration",
        "user": "User",
        "office": "Office",
        "migration": "Migration",
        "line": "line",
        "column": "column",
        "api_hint": "API: POST /api/v1/preflight · OpenAPI: /openapi.json",
    },
}

#: Button labels of the example snapshots in examples/ (others are shown by file name).
EXAMPLE_LABELS = {
    "nl": {
        "ready.json": "Klaar",
        "blocked.yaml": "Geblokkeerd",
        "audit-office.json": "Kantoor-audit",
        "invalid.json": "Ongeldig",
        "not-json.txt": "Onleesbaar",
        "one-problem.yaml": "Eén probleem",
    },
    "en": {
        "ready.json": "Ready",
        "blocked.yaml": "Blocked",
        "audit-office.json": "Office audit",
        "invalid.json": "Invalid",
        "not-json.txt": "Unreadable",
        "one-problem.yaml": "One problem",
    },
}
_EXAMPLE_ORDER = list(EXAMPLE_LABELS["nl"])
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
    return sorted(names, key=lambda n: (_EXAMPLE_ORDER.index(n) if n in _EXAMPLE_ORDER else len(_EXAMPLE_ORDER), n))


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
    return {
        "lang": lang,
        "t": TEXT[lang],
        "labels": REPORT[lang],
        "examples": [(name, EXAMPLE_LABELS[lang].get(name, name)) for name in example_names()],
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
    """The empty form, or the form filled with an example (``?example=blocked.yaml``)."""
    text = ""
    example = request.args.get("example")
    if example:
        text = _example_text(example) or ""
    return _render(text, None)


@page.post("/")
def check() -> Response:
    """Check the pasted text (or the dropped file) and show the report beside it."""
    text, raw = _submitted()
    lang = page_language()
    engine = current_app.config["PREFLIGHT_ENGINE"]
    outcome = run_check(raw, lang=lang, engine=engine, max_bytes=_max_bytes())
    return _render(text, outcome, lang)


@page.post("/report.json")
def download() -> Response:
    """The report of the submitted snapshot as a JSON file (the no-JavaScript "Download JSON")."""
    _, raw = _submitted()
    lang = page_language()
    outcome = run_check(raw, lang=lang, engine=current_app.config["PREFLIGHT_ENGINE"], max_bytes=_max_bytes())
    if outcome.status == 413:
        abort(413)
    response = Response(outcome.report.to_json(), status=200, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="preflight-{outcome.report.verdict}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@page.get("/examples/<name>")
def example(name: str) -> Response:
    """An example snapshot as plain text (the page's example buttons load it)."""
    text = _example_text(name)
    if text is None:
        abort(404)
    return Response(text, mimetype="text/plain")


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


def _render(text: str, outcome: CheckOutcome | None, lang: str | None = None) -> Response:
    context = page_context(lang)
    report = outcome.report if outcome else None
    # The page answers 200 whenever it shows a report, invalid ones included: the verdict is on the
    # page, and the contract's statuses belong to the API. Only a too-large snapshot is an HTTP error.
    status = 413 if outcome and outcome.status == 413 else 200
    view: dict[str, Any] = {"text": text, "report": report, "status": status}
    if outcome and report:
        view["view"] = report_view(report)
        view["report_text"] = RENDERERS["text"](report)
        view["report_json"] = report.to_json()
        view["error_views"] = [_error_view(e, text) for e in report.errors]
        if outcome.status == 413:
            view["too_large"] = context["t"]["too_large"].format(limit=_max_bytes())
    html = render_template("index.html", **context, **view, action=url_for("page.check"))
    response = Response(html, status=view["status"], mimetype="text/html")
    response.headers["Content-Language"] = context["lang"]
    if outcome:
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_view(error: Any, text: str) -> dict[str, Any]:
    """An error with the lines around its line (when it has one) to show beside the text."""
    view: dict[str, Any] = {"error": error, "context": []}
    if error.line is not None:
        lines = text.split("\n")
        first = max(1, error.line - 2)
        for number in range(first, min(len(lines), error.line + 1) + 1):
            view["context"].append((number, lines[number - 1], number == error.line))
        view["caret"] = " " * max(0, (error.column or 1) - 1) + "^"
    return view

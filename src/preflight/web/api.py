"""The JSON API: ``POST /api/v1/preflight``, ``GET /api/v1/rules``, ``GET /healthz``, ``GET /openapi.json``.

Thin: negotiate language, engine and content type, hand the body to :func:`run_check`, answer with
the report and the status of the contract (report.md, HTTP).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import __version__
from ..rulebook import default_rulebook
from .checking import run_check
from .errors import error_response
from .negotiation import choose_engine, choose_language
from .openapi import openapi_document

api = Blueprint("api", __name__)

#: Body types the API reads; the body is parsed by content either way (JSON is YAML's subset).
JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
SNAPSHOT_TYPES = JSON_TYPES + YAML_TYPES


def report_response(status: int, body: str, lang: str) -> Response:
    """A report (already JSON text, stable bytes) with its status; reports are never cached."""
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


@api.post("/api/v1/preflight")
def preflight() -> Response:
    """Check the snapshot in the body; 200/422/400/413 with a report or error, 415 for other types."""
    lang = choose_language(request, current_app.config["PREFLIGHT_DEFAULT_LANG"])
    engine = choose_engine(request, current_app.config["PREFLIGHT_ENGINE"])
    if request.mimetype not in SNAPSHOT_TYPES:
        given = request.mimetype or "no Content-Type"
        return error_response(
            415,
            f"{given} is not accepted; send the snapshot as {', '.join(SNAPSHOT_TYPES)}.",
            {"Accept-Post": ", ".join(SNAPSHOT_TYPES)},
        )
    max_bytes = current_app.config["PREFLIGHT_MAX_BODY_BYTES"]
    outcome = run_check(_read_body(max_bytes), lang=lang, engine=engine, max_bytes=max_bytes)
    if outcome.status == 413:
        return error_response(413, outcome.report.errors[0].message)
    # Compact: the same bytes for the same snapshot still, and the C encoder (indenting uses the
    # pure-Python one, a third of a millisecond per 5-administration report).
    return report_response(outcome.status, outcome.report.to_json(indent=None), lang)


def _read_body(limit: int) -> bytes:
    """The request body, or 413 when it is longer than ``limit`` bytes — chunked bodies included."""
    if request.content_length is None:
        # Without a Content-Length werkzeug cuts the stream at the limit *silently*; reading up to
        # one byte more is how a body that is too large shows itself.
        request.max_content_length = limit + 1
    body = request.get_data(cache=False)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body


@api.get("/api/v1/rules")
def rules() -> Response:
    """The loaded rules: id, severity, mode, scope, FAQ question, condition, messages and remedies."""
    book = default_rulebook()
    return jsonify({"digest": book.digest, "count": len(book.rules), "rules": [r.to_dict() for r in book.rules]})


@api.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers and its rules are loaded (no snapshot is checked)."""
    book = default_rulebook()
    response = jsonify({"status": "ok", "version": __version__, "rules": len(book.rules), "digest": book.digest})
    response.headers["Cache-Control"] = "no-store"
    return response


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API; its schemas come from schemas/."""
    return jsonify(openapi_document())

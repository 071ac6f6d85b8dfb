"""Request ids, the JSON error envelope, and the handlers that make every failure a clean answer.

Every response carries ``X-Request-ID``; every error body is
``{"error": {"status", "code", "message", "request_id"}}`` (or the HTML error page for a browser
on the page) — gunicorn's own errors too (:mod:`preflight.web.worker` builds them from
:func:`envelope`). An unexpected exception is logged once with its type and stack — never its
message or the request body, which may hold customer data — and answered with a 500 in the same
envelope. Log lines are built from escaped values (:func:`log_value`): nothing a client sends can
start a line of its own.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("preflight.web")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

#: Short, stable codes for the statuses the service answers with (gunicorn's included).
ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "engines_disagree",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
    422: "invalid_snapshot",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}

#: What a 500 says, wherever it comes from.
INTERNAL_ERROR_MESSAGE = "Something went wrong on our side; quote the request id when you report it."

# A log value is written bare only when it is printable ASCII without space, quote, backslash or
# "="; anything else is written as an ASCII JSON string (control characters, line separators and
# non-ASCII escaped), so a value can neither end the line nor forge a key=value field.
_BARE = re.compile(r"[!#-<>-\[\]-~]+")


def log_value(value: object) -> str:
    """``value`` as one token of a ``key=value`` log line: bare when plain, else a quoted JSON string."""
    text = str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text)


def log_line(fields: dict[str, object]) -> str:
    """``key=value`` pairs, each value escaped by :func:`log_value`."""
    return " ".join(f"{key}={log_value(value)}" for key, value in fields.items())


def new_request_id() -> str:
    """A fresh request id (when the caller sends none, or one that is not a plain token)."""
    return uuid.uuid4().hex


def _too_large_message() -> str:
    """What a too large request is told, in its language, with sizes for people."""
    from ..input_messages import byte_size, say
    from .negotiation import choose_language

    try:
        lang = choose_language(request, current_app.config["PREFLIGHT_DEFAULT_LANG"])
    except HTTPException:  # an unknown ?lang= on a request that is too large anyway
        lang = current_app.config["PREFLIGHT_DEFAULT_LANG"]
    limit = byte_size(current_app.config["PREFLIGHT_MAX_BODY_BYTES"], lang)
    size = request.content_length
    if size is None:
        return say("too_large_over", lang, max=limit)
    return say("too_large", lang, size=byte_size(size, lang), max=limit)


def envelope(status: int, message: str, rid: str) -> dict[str, Any]:
    """The JSON error body every error answer carries."""
    code = ERROR_CODES.get(status, "error")
    return {"error": {"status": status, "code": code, "message": message, "request_id": rid}}


def request_id() -> str:
    """The current request's id: the caller's ``X-Request-ID`` when sane, else a fresh one."""
    rid: str | None = g.get("request_id")
    if rid is None:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.fullmatch(given) else new_request_id()
        g.request_id = rid
    return rid


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The JSON error envelope with ``status``."""
    response = jsonify(envelope(status, message, request_id()))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_html() -> bool:
    """Whether the failing request came from the page (a browser), not an API client."""
    if request.blueprint == "page":
        return True
    if request.path.startswith("/api/") or request.path in ("/healthz", "/openapi.json"):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _html_error(status: int, message: str) -> Response:
    from .page import page_context  # late: page imports this module

    try:
        context = page_context()
    except Exception:  # the form itself may be what failed (its body late, or malformed)
        context = page_context(current_app.config["PREFLIGHT_DEFAULT_LANG"])
    try:
        html = render_template("error.html", status=status, message=message, request_id=request_id(), **context)
    except Exception:  # the error page must not fail in turn; plain text will do
        return Response(f"{status}: {message}\n", status=status, mimetype="text/plain")
    return Response(html, status=status, mimetype="text/html")


def register_error_handlers(app: Flask) -> None:
    """Install request-id/timing hooks, the HTTP error handler and the catch-all."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id()
        _log_request(response)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        message = _MESSAGES.get(status) or err.description or err.name
        if status == 413:
            message = _too_large_message()
        headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
        if wants_html():
            response = _html_error(status, message)
            response.headers.update(headers)
            return response
        return error_response(status, message, headers)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        # Type and stack only: an exception's message can quote snapshot values (customer data).
        stack = "".join(traceback.format_tb(err.__traceback__))
        log.error("unhandled %s\n%s", log_line({"request_id": request_id(), "error": type(err).__name__}), stack)
        g.failed = type(err).__name__
        if wants_html():
            return _html_error(500, INTERNAL_ERROR_MESSAGE)
        return error_response(500, INTERNAL_ERROR_MESSAGE)


_MESSAGES = {404: "There is nothing at this address.", 500: INTERNAL_ERROR_MESSAGE}


def _log_request(response: Response) -> None:
    """One line per request: id, method, path, status, timing and — for checks — verdict and rules.

    Never the body, the query string's values other than lang/engine, or finding subjects: they
    are customer data.
    """
    if not log.isEnabledFor(logging.INFO):
        return
    started = g.get("started")
    elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    fields: dict[str, Any] = {
        "request_id": request_id(),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "ms": f"{elapsed_ms:.1f}",
    }
    for key in ("verdict", "lang", "engine", "rules", "errors", "failed"):
        value = g.get(key)
        if value is not None:
            if isinstance(value, (list, tuple)):
                value = ",".join(value) or "-"
            fields[key] = value
    log.info(log_line(fields))

"""The gunicorn worker: gevent, so a slow client holds a greenlet, not a process; gunicorn's own
errors answered in the JSON error envelope.

Why gevent: a sync worker reads a request's headers and body while holding its process, so two
clients trickling bytes stall a 2-worker service (issue 12); threads (gthread) only move the
limit to the number of threads. Under gevent a waiting connection costs a greenlet, up to
``worker_connections`` per worker, while the check itself — CPU-bound and serialised per process
by the engine's lock — still runs one at a time per process, as before. The figures are in
README "Web service" and ``bench/slow_clients.py``.

Deadlines: gunicorn's gevent worker reads a request's line and headers under a timer of
``keepalive`` seconds (``gunicorn_conf`` sets it); a client slower than that is disconnected
without an answer — no request arrived to answer. The body's deadline is the app's
(:mod:`preflight.web.body`, ``PREFLIGHT_BODY_TIMEOUT``), so that it can answer ``408``.

gunicorn answers a request it cannot parse (bad request line, URL or headers too large, a
transfer coding it does not know) itself, before the app sees it; :meth:`PreflightWorker.handle_error`
gives those answers the API's envelope and a request id, and logs them on one escaped line.
"""

from __future__ import annotations

import http
import json
import logging
import traceback
from typing import Any

from gevent import GreenletExit
from gunicorn import util
from gunicorn.http.errors import (
    ConfigurationProblem,
    ExpectationFailed,
    ForbiddenProxyRequest,
    InvalidResponseHeader,
    InvalidResponseHeaderName,
    LimitRequestHeaders,
    LimitRequestLine,
    ParseException,
    UnsupportedTransferCoding,
)
from gunicorn.workers.ggevent import GeventWorker

from .errors import INTERNAL_ERROR_MESSAGE, envelope, log_line, new_request_id

log = logging.getLogger("preflight.web")


class PreflightWorker(GeventWorker):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's gevent worker whose own error answers are JSON envelopes."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer a request gunicorn could not hand to the app (or a failure after the app)."""
        if isinstance(exc, (GreenletExit, SystemExit, KeyboardInterrupt)):
            return  # the worker is stopping: the connection closes with it, there is nothing to answer
        status, message = describe(exc, self.cfg)
        rid = new_request_id()
        fields = {"request_id": rid, "status": status, "error": type(exc).__name__}
        if status >= 500:
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error("gunicorn %s\n%s", log_line(fields), stack)
        else:
            log.info("gunicorn %s", log_line({**fields, "detail": str(exc)[:200]}))
        try:
            util.write_nonblock(client, error_answer(status, message, rid))
        except Exception:  # the client may be gone; nothing left to tell it
            log.debug("could not send the error answer %s", log_line({"request_id": rid}))


def describe(exc: BaseException, cfg: Any) -> tuple[int, str]:
    """HTTP status and message for an error gunicorn raised (same statuses as gunicorn's own)."""
    if isinstance(exc, (InvalidResponseHeader, InvalidResponseHeaderName, ConfigurationProblem)):
        return 500, INTERNAL_ERROR_MESSAGE  # our fault, not the client's
    if isinstance(exc, LimitRequestLine):
        return 414, f"The URL is too long: the request line may have at most {cfg.limit_request_line} bytes."
    if isinstance(exc, LimitRequestHeaders):
        return 431, (
            f"The request headers are too large: at most {cfg.limit_request_fields} header fields "
            f"of at most {cfg.limit_request_field_size} bytes each."
        )
    if isinstance(exc, UnsupportedTransferCoding):
        return 501, "This Transfer-Encoding is not supported; send the body with a Content-Length, or chunked."
    if isinstance(exc, ExpectationFailed):
        return 417, "Only 'Expect: 100-continue' is supported."
    if isinstance(exc, ForbiddenProxyRequest):
        return 403, "Requests through this proxy are not allowed."
    if isinstance(exc, ParseException):
        return 400, f"The request is not valid HTTP/1.1: {str(exc)[:200]}."
    return 500, INTERNAL_ERROR_MESSAGE


def error_answer(status: int, message: str, rid: str) -> bytes:
    """A complete HTTP/1.1 response carrying the error envelope; the connection closes after it."""
    body = json.dumps(envelope(status, message, rid)).encode()
    head = (
        f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {rid}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body

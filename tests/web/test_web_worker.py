"""The gunicorn worker (real gunicorn): slow clients do not hold the service, and gunicorn's own
error answers come in the JSON error envelope with a request id."""

from __future__ import annotations

import select
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from gevent import GreenletExit
from gunicorn.config import Config
from gunicorn.http.errors import InvalidResponseHeader, LimitRequestLine

from preflight.web.worker import PreflightWorker, describe

from .conftest import Gunicorn, exchange

HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


class Trickler(threading.Thread):
    """A client that sends ``start`` and then one byte of ``rest`` every 0.3 s, until the server
    answers or closes (``ended`` says when) or ``stop`` is set."""

    def __init__(self, port: int, start: bytes, rest: bytes, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.start_bytes, self.rest, self.stop = start, rest, stop
        self.sent = threading.Event()
        self.ended: float | None = None

    def run(self) -> None:
        with self.sock:
            try:
                self.sock.sendall(self.start_bytes)
                for byte in self.rest:
                    self.sock.send(bytes([byte]))
                    self.sent.set()
                    readable, _, _ = select.select([self.sock], [], [], 0.3)
                    if readable or self.stop.is_set():
                        break
            except OSError:
                pass
            if not self.stop.is_set():
                self.ended = time.monotonic()


@pytest.mark.slow
def test_healthz_answers_while_four_clients_trickle(gunicorn: Gunicorn) -> None:
    """Two clients trickling headers and two trickling a body — as many as twice the workers —
    do not keep /healthz waiting: it answers before the server lets go of any of them."""
    stop = threading.Event()
    post = b"POST /api/v1/preflight HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
    slow_headers = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"p" * 500 + b"\r\n\r\n"
    tricklers = [Trickler(gunicorn.port, b"", slow_headers, stop) for _ in range(2)]
    tricklers += [Trickler(gunicorn.port, post, b" " * 500, stop) for _ in range(2)]
    try:
        for trickler in tricklers:
            trickler.start()
        for trickler in tricklers:
            assert trickler.sent.wait(10)
        time.sleep(0.3)  # let the workers take them on
        answer = exchange(gunicorn.port, HEALTHZ, timeout=15)
        answered = time.monotonic()
    finally:
        stop.set()
        for trickler in tricklers:
            trickler.join(timeout=10)
    assert answer.status == 200
    assert answer.json()["status"] == "ok"
    assert all(t.ended is None or t.ended > answered for t in tricklers), "a slow client was let go before /healthz answered"


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400, "bad_request"),
        (b"G@T / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "bad_request"),
        (b"GET / HTTP/9.1\r\nHost: t\r\n\r\n", 400, "bad_request"),
        (b"GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400, "bad_request"),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414, "uri_too_long"),
        (b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
        (b"GET / HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(120)) + b"\r\n", 431, "headers_too_large"),
        (b"POST /api/v1/preflight HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: br\r\n\r\n", 501, "not_implemented"),
    ],
    ids=["request-line", "method", "version", "header-name", "url-too-long", "header-too-large", "too-many-headers", "transfer-coding"],
)
def test_gunicorn_errors_come_in_the_json_envelope(gunicorn: Gunicorn, request_bytes: bytes, status: int, code: str) -> None:
    """What gunicorn refuses before the app sees it is answered as the API answers errors: the
    envelope with status, code, a message and the request id that X-Request-ID carries."""
    answer = exchange(gunicorn.port, request_bytes)
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    assert error["request_id"] == answer.headers["x-request-id"]


def test_gunicorn_error_log_line_is_escaped(gunicorn: Gunicorn) -> None:
    """A refused request is logged on one line with its request id; its bytes cannot start another."""
    answer = exchange(gunicorn.port, b"GET /a\x1b[2J\rFORGED HTTP/1.1\r\nHost: t\r\n\r\n")
    assert answer.status == 400
    rid = answer.json()["error"]["request_id"]
    time.sleep(0.2)  # the log line is written after the answer
    lines = gunicorn.log.read_text(errors="replace").splitlines()
    line = next(line for line in lines if f"request_id={rid}" in line)
    assert "status=400" in line
    assert "\x1b" not in line and "\r" not in line
    assert not any(line.startswith("FORGED") for line in lines)


@pytest.mark.parametrize(
    ("error", "status"),
    [(LimitRequestLine(9000, 4094), 414), (InvalidResponseHeader("X-Bad"), 500), (RuntimeError("boom"), 500)],
)
def test_describe_keeps_gunicorns_statuses(error: BaseException, status: int) -> None:
    """A response header the app got wrong is our fault (500), not the client's (400)."""
    described_status, message = describe(error, Config())
    assert described_status == status
    assert message



@pytest.mark.parametrize(("error", "status"), [(LimitRequestLine(9000, 4094), 414), (GreenletExit(), None)])
def test_handle_error_answers_the_client_but_not_for_a_stopping_worker(error: BaseException, status: int | None) -> None:
    """A refused request gets its JSON answer; a connection ended because the worker stops gets none
    (an unasked-for 500 on an idle kept-alive connection would be taken as the next request's answer)."""
    server_side, client_side = socket.socketpair()
    with client_side:
        with server_side:
            PreflightWorker.handle_error(SimpleNamespace(cfg=Config()), None, server_side, ("127.0.0.1", 1), error)
        sent = client_side.recv(65536)
    if status is None:
        assert sent == b""
    else:
        assert sent.startswith(f"HTTP/1.1 {status} ".encode())
        assert b"application/json" in sent

"""Request bodies: a deadline for their arrival (408), their announced length (400 when cut
short), and malformed chunked encoding (400) — in the JSON envelope, or the page's error page."""

from __future__ import annotations

import select
import socket
from typing import Any

import pytest

from preflight.web import create_app

from .conftest import BODY_TIMEOUT, EXAMPLES, Gunicorn, exchange

PATH = "/api/v1/preflight"
POST = f"POST {PATH} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n".encode()


@pytest.mark.slow
def test_body_shorter_than_its_content_length_gets_408_by_the_deadline(gunicorn: Gunicorn) -> None:
    """A client announcing 1000 bytes, sending 2 and waiting gets a 408 envelope, not a held worker."""
    answer = exchange(gunicorn.port, POST + b"Content-Length: 1000\r\n\r\n{}", timeout=BODY_TIMEOUT + 15)
    assert answer.status == 408
    error = answer.json()["error"]
    assert error["code"] == "request_timeout"
    assert f"{BODY_TIMEOUT} seconds" in error["message"]
    assert error["request_id"] == answer.headers["x-request-id"]


@pytest.mark.slow
def test_trickled_body_gets_408_though_each_byte_comes_quickly(gunicorn: Gunicorn) -> None:
    """The deadline is for the whole body, not between bytes: a byte every 0.2 s still ends in 408."""
    sock = socket.create_connection(("127.0.0.1", gunicorn.port), timeout=BODY_TIMEOUT + 15)
    sock.sendall(POST + b"Content-Length: 1000\r\n\r\n")
    sent = 0
    while sent < 1000 and not select.select([sock], [], [], 0.2)[0]:  # until the server answers
        sock.send(b" ")
        sent += 1
    answer = exchange(gunicorn.port, b"", sock=sock, timeout=15)
    assert answer.status == 408
    assert answer.json()["error"]["code"] == "request_timeout"
    assert sent < 1000  # it did not wait for the whole body


def test_malformed_chunk_size_is_400(gunicorn: Gunicorn) -> None:
    """A chunked body whose chunk size is not hexadecimal (zz) is the client's error: 400, not 500."""
    body = b"zz\r\nabc\r\n0\r\n\r\n"
    answer = exchange(gunicorn.port, POST + b"Transfer-Encoding: chunked\r\n\r\n" + body)
    assert answer.status == 400
    error = answer.json()["error"]
    assert error["code"] == "bad_request"
    assert "chunk" in error["message"]


def test_well_formed_chunked_body_is_checked(gunicorn: Gunicorn) -> None:
    """A chunked upload of a snapshot is read whole and checked."""
    snapshot = (EXAMPLES / "blocked.yaml").read_bytes()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (snapshot[:100], snapshot[100:])) + b"0\r\n\r\n"
    answer = exchange(gunicorn.port, POST + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    assert answer.status == 200
    assert answer.json()["verdict"] == "blocked"


def test_body_cut_short_is_400_not_a_check(gunicorn: Gunicorn) -> None:
    """A body that ends before its Content-Length is not checked as if it were whole."""
    sock = socket.create_connection(("127.0.0.1", gunicorn.port), timeout=15)
    sock.sendall(POST + b"Content-Length: 1000\r\n\r\n{}")
    sock.shutdown(socket.SHUT_WR)
    answer = exchange(gunicorn.port, b"", sock=sock)
    assert answer.status == 400
    assert "2 of the 1000 bytes" in answer.json()["error"]["message"]


def test_past_deadline_is_408_on_the_api_and_the_page() -> None:
    """Out of time before the body is read: the API answers the 408 envelope, the page its error page."""
    client = create_app({"TESTING": True, "PREFLIGHT_WARMUP": False, "PREFLIGHT_BODY_TIMEOUT": 0}).test_client()
    api = client.post(PATH, data=b"{}", content_type="application/json")
    assert api.status_code == 408
    assert api.get_json()["error"]["code"] == "request_timeout"
    page = client.post("/", data={"snapshot": "{}"})
    assert page.status_code == 408
    assert page.mimetype == "text/html"
    assert page.headers["X-Request-ID"] in page.get_data(as_text=True)


def test_in_time_body_is_read_whole(client: Any) -> None:
    """Within the deadline nothing changes: the example is checked."""
    response = client.post(PATH, data=(EXAMPLES / "blocked.yaml").read_bytes(), content_type="application/yaml")
    assert response.status_code == 200

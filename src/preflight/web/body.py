"""Request bodies: read by a deadline, to the end their Content-Length announces, never a 500.

:class:`BodyDeadline` (WSGI middleware, installed by ``create_app``) wraps every request's
``wsgi.input`` so that

- the whole body must arrive within ``PREFLIGHT_BODY_TIMEOUT`` seconds of the request reaching
  the app: a client that trickles its body, or announces more than it sends, gets ``408`` and
  its connection is closed. Under gunicorn's gevent worker a read still waiting at the deadline
  is cut there; elsewhere (the test client, werkzeug's server) the deadline is checked before
  each read;
- a body that ends before its ``Content-Length`` is a ``400``, never a check of half a snapshot;
- gunicorn's errors while reading a chunked body (a chunk size ``zz``, a missing CRLF) are a
  ``400`` naming the fault, not an unexpected exception.

The answers are werkzeug's HTTP exceptions, so the app's handlers give them the JSON envelope
(API) or the error page (page), as any other error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import IO, Any

from gunicorn.http.errors import NoMoreData, ParseException
from werkzeug.exceptions import BadRequest, RequestTimeout

Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


class BodyDeadline:
    """WSGI middleware: ``wsgi.input`` becomes a :class:`DeadlineStream` of ``seconds``."""

    def __init__(self, app: WSGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is not None:
            environ["wsgi.input"] = DeadlineStream(stream, self.seconds, _content_length(environ))
        return self.app(environ, start_response)


class _Expired(Exception):
    """The deadline passed during a read. An ``Exception`` (gevent's own Timeout is not), so that
    gunicorn marks the body as failed and closes the connection instead of draining it."""


class DeadlineStream:
    """A request body that must arrive within ``seconds`` and hold ``length`` bytes when announced."""

    def __init__(self, stream: IO[bytes], seconds: float, length: int | None) -> None:
        self._stream = stream
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds
        self._length = length
        self._received = 0

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all when negative or None); 408, or 400 when the body was cut short."""
        size = -1 if size is None else size
        data = self._guarded(self._stream.read, size)
        if self._length is not None:
            left = self._length - self._received
            wanted = left if size < 0 else min(size, left)
            if len(data) < wanted:  # the reader returns less only at the end of the stream
                self._received += len(data)
                raise BadRequest(
                    f"The body ended after {self._received} of the {self._length} bytes "
                    "its Content-Length announced."
                )
        self._received += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        """One line (at most ``size`` bytes)."""
        line = self._guarded(self._stream.readline, -1 if size is None else size)
        if not line and self._length is not None and self._received < self._length:
            raise BadRequest(
                f"The body ended after {self._received} of the {self._length} bytes its Content-Length announced."
            )
        self._received += len(line)
        return line

    def readlines(self, hint: int = -1) -> list[bytes]:
        """The remaining lines (``hint`` as in :meth:`io.IOBase.readlines`)."""
        lines: list[bytes] = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def _guarded(self, read: Callable[[int], bytes], size: int) -> bytes:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._too_slow()
        try:
            with _cut_at(remaining):
                return read(size)
        except _Expired:
            raise self._too_slow() from None
        except NoMoreData:
            raise BadRequest("The connection closed before the body was complete.") from None
        except ParseException as err:
            raise BadRequest(f"The chunked body is malformed: {str(err)[:200]}.") from None

    def _too_slow(self) -> RequestTimeout:
        return RequestTimeout(
            f"The request body did not arrive within {self._seconds:g} seconds "
            "(is the Content-Length larger than the body?)."
        )


def _cut_at(seconds: float) -> AbstractContextManager[object]:
    """A timer that raises :class:`_Expired` in this greenlet after ``seconds`` (gevent worker only)."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("socket"):
        from gevent import Timeout

        timer: AbstractContextManager[object] = Timeout(seconds, _Expired())
        return timer
    return nullcontext()


def _content_length(environ: Environ) -> int | None:
    """The announced body length (None for chunked bodies or a header that is not a number)."""
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return None
    raw = environ.get("CONTENT_LENGTH", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None

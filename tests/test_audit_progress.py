"""preflight.audit.progress: the progress line shows offices done, offices per second and the time left."""

from __future__ import annotations

import io

from preflight.audit.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_line_shows_share_done_rate_and_time_left() -> None:
    """Half the bytes in 10 s at 50 offices/s: 50 % done, 10 s left."""
    clock = Clock()
    progress = Progress(io.StringIO(), total_bytes=1000, lang="en", clock=clock)
    clock.now += 10
    progress.update(500, 500)
    assert progress.line(clock.now) == "[##########----------]  50%  500 offices  50/s  ETA 0:10"


def test_without_a_total_the_time_left_is_unknown() -> None:
    """Standard input has no size: no bar, ETA '?'."""
    clock = Clock()
    progress = Progress(io.StringIO(), total_bytes=None, lang="nl", clock=clock)
    clock.now += 4
    progress.update(20, 12345)
    assert progress.line(clock.now) == "20 kantoren  5/s  nog ?"


def test_redraws_at_most_ten_times_a_second_and_ends_with_the_totals() -> None:
    """Updates within 0.1 s are not drawn; finish replaces the line by the total time and rate."""
    clock = Clock()
    stream = io.StringIO()
    progress = Progress(stream, total_bytes=100, lang="en", clock=clock)
    for step in range(1, 11):
        clock.now += 0.01
        progress.update(step, step * 10)
    assert stream.getvalue().count("\r") == 1
    clock.now += 1.9
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[K10 offices in 2.0 s (5/s)\n")


def test_a_notice_gets_its_own_line_and_the_bar_comes_back() -> None:
    """Messages (e.g. a worker that died) are not overwritten by the progress line."""
    clock = Clock()
    stream = io.StringIO()
    progress = Progress(stream, total_bytes=100, lang="en", clock=clock)
    progress.update(1, 10)
    progress.notice("preflight audit: a worker died")
    assert "\r\x1b[Kpreflight audit: a worker died\n\r[" in stream.getvalue()


def test_numbers_are_written_as_the_language_writes_them() -> None:
    """Dutch: 1.234 kantoren, 2,0 s; English: 1,234 offices, 2.0 s."""
    for lang, expected in (("nl", "1.234 kantoren in 2,0 s (617/s)\n"), ("en", "1,234 offices in 2.0 s (617/s)\n")):
        clock = Clock()
        stream = io.StringIO()
        progress = Progress(stream, total_bytes=None, lang=lang, clock=clock)
        clock.now += 2
        progress.update(1234, 0)
        assert progress.line(clock.now).startswith(expected.split(" in ")[0])
        progress.finish()
        assert stream.getvalue().endswith(expected)

"""The progress line on standard error: offices done, offices per second, estimated time left.

Shown only when standard error is a terminal (and not with ``--quiet``); the estimate comes from
the share of the input bytes read, so it is unknown (``?``) for standard input.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import IO

from ..wording import format_number

LABELS = {
    "nl": {"offices": "kantoren", "left": "nog", "done": "{offices} kantoren in {seconds} s ({rate}/s)"},
    "en": {"offices": "offices", "left": "ETA", "done": "{offices} offices in {seconds} s ({rate}/s)"},
}


class Progress:
    """Redraws one line at most ten times a second."""

    def __init__(
        self,
        stream: IO[str],
        total_bytes: int | None,
        lang: str = "nl",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.total = total_bytes or None
        self.lang = lang
        self.labels = LABELS[lang]
        self.clock = clock
        self.start = clock()
        self.last_draw = 0.0
        self.offices = 0
        self.done_bytes = 0
        self.shown = False

    def update(self, offices: int, done_bytes: int) -> None:
        """Record progress; redraw when the last drawing is older than 0.1 s."""
        self.offices, self.done_bytes = offices, done_bytes
        now = self.clock()
        if now - self.last_draw >= 0.1:
            self.last_draw = now
            self._draw(now)

    def line(self, now: float) -> str:
        """The text of the progress line at ``now``."""
        elapsed = max(now - self.start, 1e-9)
        rate = self.offices / elapsed
        parts = [f"{format_number(self.offices, self.lang)} {self.labels['offices']}",
                 f"{format_number(round(rate), self.lang)}/s"]
        if self.total:
            fraction = min(1.0, self.done_bytes / self.total)
            eta = elapsed * (1 - fraction) / fraction if fraction > 0 else None
            parts.insert(0, f"{_bar(fraction)} {fraction * 100:3.0f}%")
            parts.append(f"{self.labels['left']} {_clock(eta)}")
        else:
            parts.append(f"{self.labels['left']} ?")
        return "  ".join(parts)

    def _draw(self, now: float) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r" + self.line(now)[:width] + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def notice(self, message: str) -> None:
        """Print a message on a line of its own, then the progress line again."""
        self.clear()
        self.stream.write(message + "\n")
        self._draw(self.clock())

    def finish(self) -> None:
        """Replace the progress line by the total time and rate."""
        self.clear()
        seconds = self.clock() - self.start
        rate = self.offices / seconds if seconds > 0 else 0.0
        tenths = f"{seconds:.1f}"
        self.stream.write(self.labels["done"].format(
            offices=format_number(self.offices, self.lang), rate=format_number(round(rate), self.lang),
            seconds=tenths.replace(".", ",") if self.lang == "nl" else tenths) + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Remove the progress line (before other output)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.shown = False


def _bar(fraction: float, width: int = 20) -> str:
    filled = round(fraction * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"

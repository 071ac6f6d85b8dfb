"""Step 3: check the items in worker processes and hand the outcomes back in input order.

Why a pool of our own rather than :mod:`concurrent.futures`: the engine is C code, and a worker
that dies (``os._exit``, SIGKILL, a segfault) must cost one snapshot at most. A broken
``ProcessPoolExecutor`` fails every pending future and cannot say which snapshot was running.
Here each worker has its own pipe and reports each snapshot as soon as it is done, so when it
dies the first unreported item of its batch is the one it died on; that item is retried once,
alone, in a freshly started worker, and reported as ``failed`` if that one dies too. The rest of
the batch is handed out again.

- Each worker is started with ``spawn`` (no state inherited from the parent, which may hold an
  engine of its own or threads) and builds its engine once, before it says it is ready.
- A worker gets a batch only when it has reported everything it was given, so neither side
  ever blocks writing to the other while the other does the same (no pipe deadlock), and a
  batch is large enough (by count and by bytes) to keep the idle gap negligible.
- At most ``window`` items (and about ``window_bytes`` of snapshot text) are between the
  reader and the writer at any time: the reorder buffer and the read-ahead are bounded, so
  memory does not grow with the number of offices.
- A snapshot gets ``timeout`` seconds in its worker. One that takes longer is reported as
  ``failed`` ("took longer than N s"); its worker is killed and replaced, and the rest of its
  batch handed out again. The time counts from the moment the worker reported the item before
  it (or got the batch), on a clock that pauses while the main process itself is not running
  (Ctrl-Z, or a reader of standard output that does not keep up), so only the worker's time
  counts.
- Workers never see Ctrl-C (the terminal sends it to every process of the job): SIGINT is
  blocked while a worker is started, so it is born with SIGINT blocked, and it ignores SIGINT
  before unblocking it. The main process stops them. On Linux a worker also dies with the main
  process, even when that is killed outright.

Test hooks, off by default: when the environment variable ``PREFLIGHT_AUDIT_CRASH_ON`` names an
office code, a worker kills itself with SIGKILL after checking that office — it simulates an
engine crash; ``PREFLIGHT_AUDIT_HANG_ON`` makes a worker sleep forever after checking that
office — it simulates an engine that never returns. Snapshot content alone can never trigger
them.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from typing import Any

from .baseline import BaselineStore
from .office import OfficeOutcome, Rendering, audit_outcome, failed_detail, office_data, outcome_of
from .sources import SourceItem

CRASH_ENV = "PREFLIGHT_AUDIT_CRASH_ON"
HANG_ENV = "PREFLIGHT_AUDIT_HANG_ON"
#: Longest step of the runner's clock between two looks at the workers (a quarter of the time
#: limit when that is shorter): the runner looks at least this often, so a longer gap means the
#: main process was not running (stopped, or blocked writing), which is not the workers' time.
CLOCK_STEP = 1.0
#: Items per batch sent to a worker, and the snapshot bytes after which a batch is closed early.
BATCH_ITEMS = 16
BATCH_BYTES = 512 * 1024


class RunnerError(RuntimeError):
    """The workers cannot run at all (e.g. the engine does not build): the audit cannot go on."""


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs to check and render an office."""

    lang: str
    engine: str
    fmt: str
    readiness_only: bool = False
    extras: tuple[str, ...] = ()  # extra outputs to render too (outputs.EXTRA_OUTPUTS: "json", "movable")
    baseline: BaselineStore | None = None  # where the baseline is (baseline.Baseline.store)


def _fragment_function(fmt: str) -> Callable[[dict[str, Any], str], str]:
    from .outputs import FORMATS  # imported late: the outputs import this package's summary

    return FORMATS[fmt].fragment  # type: ignore[no-any-return]


def _rendering(config: WorkerConfig) -> Rendering:
    """How this process turns details into outcomes (its own connection to the baseline)."""
    from .baseline import BaselineIndex
    from .outputs import EXTRA_OUTPUTS

    return Rendering(
        config.lang, _fragment_function(config.fmt), tuple(EXTRA_OUTPUTS[name].fragment for name in config.extras),
        BaselineIndex(config.baseline) if config.baseline else None,
    )


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """A worker process: build the engine, then check batches until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle;
    if hasattr(signal, "pthread_sigmask"):  # and one that came while starting up is dropped
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    try:
        from ..pipeline import get_engine
        from ..snapshot_validator import validate_snapshot

        get_engine(config.engine)
        validate_snapshot({})  # compiles the schema validator now, not on the first office
        rendering = _rendering(config)
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which stops the audit
        conn.send(("init-failed", f"{type(err).__name__}: {err}"))
        return
    crash_on = os.environ.get(CRASH_ENV) or None
    hang_on = os.environ.get(HANG_ENV) or None
    conn.send(("ready", os.getpid()))
    while True:
        try:
            batch = conn.recv()
        except EOFError:  # the parent is gone
            return
        if batch is None:
            return
        for seq, item in batch:
            outcome = audit_outcome(
                seq, item, lang=config.lang, engine=config.engine, fragment=rendering.fragment,
                readiness_only=config.readiness_only, extras=rendering.extras, baseline=rendering.baseline,
            )
            if crash_on is not None and outcome.office == crash_on:
                os.kill(os.getpid(), signal.SIGKILL)
            while hang_on is not None and outcome.office == hang_on:
                time.sleep(3600)
            conn.send(outcome)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back (not lost) in this thread meanwhile; a process started meanwhile inherits
    the mask (where the platform has one)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the main process ends, however it ends
    (a SIGKILL leaves no chance to stop the workers; one stuck in the engine would run on)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it ended before prctl took effect
        os._exit(1)


@dataclass
class _Task:
    seq: int
    item: SourceItem
    attempts: int = 0

    @property
    def size(self) -> int:
        return len(self.item.raw) if self.item.raw is not None else 0


@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing.Process of the spawn context
    conn: Connection
    assigned: deque[_Task] = field(default_factory=deque)
    ready: bool = False
    used: bool = False  # has been given work (a retry goes to a worker that has not)
    pid: int | None = None
    since: float = 0.0  # on the runner's clock: when the first item of ``assigned`` was begun


class AuditRunner:
    """Spreads items over ``workers`` processes; :meth:`run` yields outcomes in input order;
    a snapshot gets ``timeout`` seconds in its worker."""

    def __init__(
        self,
        config: WorkerConfig,
        workers: int,
        *,
        timeout: float,
        window: int | None = None,
        window_bytes: int = 64 * 1024 * 1024,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("at least one worker is needed")
        if not timeout > 0:
            raise ValueError("the time limit must be positive")
        self.config = config
        self.size = workers
        self.timeout = timeout
        self._step = min(CLOCK_STEP, timeout / 4)
        self.window = window or max(64, workers * BATCH_ITEMS * 3)
        self.window_bytes = window_bytes
        self.notify = notify or (lambda message: None)
        self._context = multiprocessing.get_context("spawn")
        self._rendering = _rendering(config)
        self.workers: list[_Worker] = []
        self.restarts = 0

    # -- the loop -------------------------------------------------------------------------

    def run(self, items: Iterable[SourceItem]) -> Generator[OfficeOutcome, None, None]:
        """Check every item; yield each outcome once, in the order of ``items``."""
        source = iter(items)
        self._pending: deque[_Task] = deque()
        self._retry: deque[_Task] = deque()
        self._done: dict[int, OfficeOutcome] = {}
        self._read = 0  # items taken from the source
        self._inflight_bytes = 0
        self._exhausted = False
        self._emitted = 0
        self._clock = 0.0
        self._last_tick = time.monotonic()
        try:
            self.workers = []
            for _ in range(self.size):  # one by one: an interrupt leaves none unaccounted for
                self.workers.append(self._start())
            while True:
                while self._emitted in self._done:
                    outcome = self._done.pop(self._emitted)
                    self._emitted += 1
                    yield outcome
                self._read_ahead(source)
                if self._exhausted and self._emitted == self._read:
                    break
                self._dispatch()
                self._wait()
        except BaseException:
            self._kill_all()
            raise
        self._stop_all()

    def _read_ahead(self, source: Iterator[SourceItem]) -> None:
        """Take items from the source while the window has room; bad items are settled here."""
        while (
            not self._exhausted
            and self._read - self._emitted < self.window
            and (self._inflight_bytes < self.window_bytes or self._read == self._emitted)
        ):
            try:
                item = next(source)
            except StopIteration:
                self._exhausted = True
                return
            seq = self._read
            self._read += 1
            if item.raw is None:  # nothing to check: the source already knows what is wrong
                rendering = self._rendering
                self._done[seq] = audit_outcome(
                    seq, item, lang=rendering.lang, engine=self.config.engine, fragment=rendering.fragment,
                    extras=rendering.extras, baseline=rendering.baseline,
                )
            else:
                self._pending.append(_Task(seq, item))
                self._inflight_bytes += len(item.raw)

    def _dispatch(self) -> None:
        for worker in self.workers:
            if not worker.ready or worker.assigned:
                continue
            if self._retry and not worker.used:
                batch = [self._retry.popleft()]
            elif self._pending:
                batch = [self._pending.popleft()]
                size = batch[0].size
                while self._pending and len(batch) < BATCH_ITEMS and size < BATCH_BYTES:
                    size += self._pending[0].size
                    batch.append(self._pending.popleft())
            else:
                continue
            worker.assigned.extend(batch)
            worker.used = True
            worker.since = self._clock
            try:
                worker.conn.send([(task.seq, task.item) for task in batch])
            except OSError:
                self._died(worker)

    def _wait(self) -> None:
        live = {w.conn: w for w in self.workers}
        sentinels = {w.process.sentinel: w for w in self.workers}
        events = wait([*live, *sentinels], timeout=self._until_next_deadline())
        self._tick()
        for ready in events:
            worker = live.get(ready) or sentinels.get(ready)  # type: ignore[call-overload]
            if worker is None or worker not in self.workers:
                continue  # already replaced in this round
            if ready in sentinels:
                self._drain(worker)
                self._died(worker)
            elif not self._receive(worker):
                self._died(worker)
        self._expire()

    def _tick(self) -> None:
        """Advance the runner's clock by the time since the last look, at most one step."""
        now = time.monotonic()
        self._clock += min(max(now - self._last_tick, 0.0), self._step)
        self._last_tick = now

    def _until_next_deadline(self) -> float:
        """How long the next wait may last: one step at most, less when a time limit is near."""
        self._tick()
        deadlines = [w.since + self.timeout for w in self.workers if w.assigned]
        return max(0.0, min([self._step, *(d - self._clock for d in deadlines)]))

    def _expire(self) -> None:
        """Stop the workers whose current snapshot is over the time limit."""
        for worker in list(self.workers):
            if worker.assigned and self._clock - worker.since > self.timeout:
                self._drain(worker)  # what it did finish still counts, and moves ``since`` on
                if worker in self.workers and worker.assigned and self._clock - worker.since > self.timeout:
                    self._stalled(worker)

    def _receive(self, worker: _Worker) -> bool:
        """Take one message from a worker; False when the worker is gone."""
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            return False
        except Exception:  # noqa: BLE001 - a message cut short by the worker's death
            return False
        if isinstance(message, OfficeOutcome):
            task = worker.assigned.popleft()
            if task.seq != message.seq:
                raise RunnerError(f"a worker answered item {message.seq} instead of {task.seq}")
            self._inflight_bytes -= task.size
            self._done[message.seq] = message
            worker.since = self._clock
        elif message[0] == "ready":
            worker.ready, worker.pid = True, message[1]
        elif message[0] == "init-failed":
            raise RunnerError(f"a worker could not start: {message[1]}")
        return True

    def _drain(self, worker: _Worker) -> None:
        """Results the worker sent before it died still count."""
        try:
            while worker.conn.poll():
                if not self._receive(worker):
                    return
        except (EOFError, OSError):
            return

    # -- workers --------------------------------------------------------------------------

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main, args=(child, self.config), name="preflight-audit-worker", daemon=True
        )
        # Started first: starting it unblocks SIGINT in this thread (multiprocessing's own guard).
        resource_tracker.ensure_running()
        with _sigint_blocked():  # the worker is born with it blocked, so it starts up undisturbed
            process.start()
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker, *, kill: bool = False) -> str:
        """Make sure ``worker`` is gone and start another in its place; how it ended."""
        if kill:
            worker.process.kill()
        worker.process.join(timeout=5)
        if worker.process.is_alive():  # its pipe broke but it still runs: make sure it is gone
            worker.process.kill()
            worker.process.join()
        how = _describe_exit(worker.process.exitcode)
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._start()
        self.restarts += 1
        return how

    def _stalled(self, worker: _Worker) -> None:
        """The worker's current snapshot is over the time limit: fail it, replace the worker,
        requeue the rest of its batch."""
        self._replace(worker, kill=True)
        culprit = worker.assigned.popleft()
        limit = f"{self.timeout:g} s"
        self.notify(f"{culprit.item.where()} took longer than {limit}; its worker was stopped and replaced")
        self._inflight_bytes -= culprit.size
        message = f"not checked: it took longer than {limit} (the time limit, --timeout)"
        self._settle(culprit.seq, culprit.item, failed_detail(culprit.item, message, office_data(culprit.item)))
        self._pending.extendleft(reversed(worker.assigned))

    def _died(self, worker: _Worker) -> None:
        """Replace a dead worker; retry or fail what it was working on; requeue the rest."""
        how = self._replace(worker)
        if not worker.ready and self.restarts > 3 * self.size and not any(w.ready for w in self.workers):
            raise RunnerError(f"the workers keep dying before they are ready ({how})")
        if not worker.assigned:
            self.notify(f"a worker ({worker.pid or '?'}) {how} while idle; started a new one")
            return
        culprit = worker.assigned.popleft()
        culprit.attempts += 1
        where = culprit.item.where()
        if culprit.attempts >= 2:
            self.notify(f"the worker checking {where} {how} again; reported as failed")
            message = f"not checked: the worker checking it {how}, twice"
            self._inflight_bytes -= culprit.size
            self._settle(culprit.seq, culprit.item, failed_detail(culprit.item, message, office_data(culprit.item)))
        else:
            self.notify(f"the worker checking {where} {how}; retrying it in a fresh worker")
            self._retry.append(culprit)
        self._pending.extendleft(reversed(worker.assigned))

    def _settle(self, seq: int, item: SourceItem, detail: dict[str, Any]) -> None:
        self._done[seq] = outcome_of(seq, item, detail, self._rendering)

    def _close_baseline(self) -> None:
        if self._rendering.baseline is not None:
            self._rendering.baseline.close()

    def _stop_all(self) -> None:
        self._close_baseline()
        for worker in self.workers:
            with contextlib.suppress(OSError):  # already gone: joined below all the same
                worker.conn.send(None)
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.workers = []

    def _kill_all(self) -> None:
        self._close_baseline()
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
        for worker in self.workers:
            worker.process.join()
            worker.conn.close()
        self.workers = []


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed ({name})"
    return f"exited with status {code}"

"""Slow clients beside normal ones: does the service keep answering /healthz? Loopback only, bounded.

    .venv/bin/python bench/slow_clients.py                      # 10 s per phase, 48 slow clients
    .venv/bin/python bench/slow_clients.py --duration 5 --slow 12
    .venv/bin/python bench/slow_clients.py --worker-class sync  # the same load against another worker
    .venv/bin/python bench/slow_clients.py --worker-class gthread --threads 8

Starts gunicorn itself (``app:app`` with the project's gunicorn config; ``--worker-class`` and
``--threads`` override it, to compare) on 127.0.0.1 and a free port, with
``PREFLIGHT_BODY_TIMEOUT=--body-timeout``, and measures in three phases of ``--duration`` seconds:

1. unloaded: ``GET /healthz`` alone (the baseline);
2. normal: ``GET /healthz`` and ``POST /api/v1/preflight`` with examples/blocked.yaml side by side;
3. slow: the same normal clients while ``--slow`` slow clients, in three equal groups, trickle a
   request's headers one byte a second, trickle a body one byte a second, or send a body shorter
   than their ``Content-Length`` and wait. Each slow client starts over when the server answers or
   closes, until the phase ends.

Normal clients are processes sending requests back to back (bench/http.py); slow clients are
threads of this process. Prints p50/p99 latency and errors per phase, the ratio of /healthz p50 to
the unloaded one, and what the slow clients got (408 answers, disconnections). Exits 1 when a
normal request failed. The machine is shared with the server: compare ratios from the same run.
"""

from __future__ import annotations

import os
import sys

_BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
# bench/http.py would stand in for the standard library's http package: drop the folder from the path.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _BENCH_DIR]

import argparse  # noqa: E402
import collections  # noqa: E402
import runpy  # noqa: E402
import select  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

#: bench/http.py's server start/stop and normal clients.
bench_http = SimpleNamespace(**runpy.run_path(os.path.join(_BENCH_DIR, "http.py"), run_name="bench_http"))
HOST = bench_http.HOST
ROOT = Path(__file__).resolve().parent.parent
CHECK_PATH = "/api/v1/preflight"
KINDS = ("trickled headers", "trickled body", "short body")


def _request(kind: str) -> tuple[bytes, bytes]:
    """What a slow client of ``kind`` sends at once, and what it then trickles."""
    if kind == "trickled headers":
        return b"", b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Slow: " + b"s" * 200 + b"\r\n\r\n"
    head = f"POST {CHECK_PATH} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
    if kind == "trickled body":
        return f"{head}Content-Length: 100000\r\n\r\n".encode(), b" " * 100_000
    return f"{head}Content-Length: 1000\r\n\r\n{{}}".encode(), b""  # announces 1000 bytes, sends 2


def slow_client(port: int, kind: str, interval: float, stop: threading.Event, tally: collections.Counter[str]) -> None:
    """Until ``stop``: connect, send the start, trickle the rest a byte per ``interval``; count the outcome."""
    start, trickle = _request(kind)
    while not stop.is_set():
        try:
            sock = socket.create_connection((HOST, port), timeout=10)
        except OSError:
            tally[f"{kind}: could not connect"] += 1
            stop.wait(interval)
            continue
        with sock:
            tally[f"{kind}: {_converse(sock, start, trickle, interval, stop)}"] += 1


def _converse(sock: socket.socket, start: bytes, trickle: bytes, interval: float, stop: threading.Event) -> str:
    """Send ``start``, then a byte of ``trickle`` per ``interval`` (then wait); how the server ended it."""
    try:
        sock.sendall(start)
        position = 0
        while not stop.is_set():
            readable, _, _ = select.select([sock], [], [], interval)
            if readable:
                data = sock.recv(4096)
                if not data:
                    return "disconnected without an answer"
                status = data.split(b" ", 2)[1].decode(errors="replace") if data.startswith(b"HTTP/") else "?"
                return f"answered {status}"
            if position < len(trickle):
                sock.send(trickle[position : position + 1])
                position += 1
        return "still waiting at the end"
    except (ConnectionResetError, BrokenPipeError):
        return "disconnected without an answer"
    except OSError as err:
        return f"connection error ({type(err).__name__})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase (default 10)")
    parser.add_argument("--slow", type=int, default=48, help="slow clients, split over the three kinds (default 48)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a slow client's bytes (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--healthz-clients", type=int, default=2, help="GET /healthz client processes (default 2)")
    parser.add_argument("--check-clients", type=int, default=2, help="POST /api/v1/preflight clients (default 2)")
    parser.add_argument("--body-timeout", type=int, default=5, help="PREFLIGHT_BODY_TIMEOUT for the run (default 5)")
    parser.add_argument("--worker-class", help="gunicorn worker class instead of the project's (e.g. sync, gthread)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (gthread)")
    args = parser.parse_args()

    extra_args: tuple[str, ...] = ()
    if args.worker_class:
        extra_args += ("--worker-class", args.worker_class)
    if args.threads:
        extra_args += ("--threads", str(args.threads))
    snapshot = (ROOT / "examples" / "blocked.yaml").read_bytes()
    healthz = ("GET", "/healthz", None, "", args.healthz_clients)
    check = ("POST", CHECK_PATH, snapshot, "application/yaml", args.check_clients)
    port = bench_http.free_port()
    tally: collections.Counter[str] = collections.Counter()
    with tempfile.NamedTemporaryFile("w+b", prefix="preflight-bench-slow-", suffix=".log", delete=False) as log:
        server = bench_http.start_server(
            port, args.workers, log, extra_args, {"PREFLIGHT_BODY_TIMEOUT": str(args.body_timeout)}
        )
        try:
            bench_http.measure_loads(port, [healthz, check], 1.0)  # warm every worker
            unloaded = bench_http.measure_loads(port, [healthz], args.duration)[0]
            normal_healthz, normal_check = bench_http.measure_loads(port, [healthz, check], args.duration)
            stop = threading.Event()
            slow = [
                threading.Thread(target=slow_client, args=(port, KINDS[i % 3], args.interval, stop, tally), daemon=True)
                for i in range(args.slow)
            ]
            for thread in slow:
                thread.start()
            time.sleep(min(2.0, args.duration / 4))  # let them connect and start trickling
            slow_healthz, slow_check = bench_http.measure_loads(port, [healthz, check], args.duration)
            stop.set()
            for thread in slow:
                thread.join(timeout=args.interval + 15)
        finally:
            bench_http.stop_server(server)

    worker = args.worker_class or "project's (preflight.web.worker.PreflightWorker, gevent)"
    print(f"gunicorn: {args.workers} workers, worker class {worker}"
          + (f", {args.threads} threads" if args.threads else "")
          + f"; PREFLIGHT_BODY_TIMEOUT={args.body_timeout}; {os.cpu_count()} CPUs shared with the clients")
    print(f"normal clients: {args.healthz_clients} x GET /healthz, {args.check_clients} x POST {CHECK_PATH} "
          f"(examples/blocked.yaml); {args.duration:g} s per phase")
    print(f"slow clients: {args.slow} ({', '.join(KINDS)}), a byte every {args.interval:g} s\n")
    print(f"{'phase':<8} {'endpoint':<24} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    rows = [
        ("unloaded", "GET /healthz", unloaded),
        ("normal", "GET /healthz", normal_healthz),
        ("normal", f"POST {CHECK_PATH}", normal_check),
        ("slow", "GET /healthz", slow_healthz),
        ("slow", f"POST {CHECK_PATH}", slow_check),
    ]
    for phase, name, r in rows:
        print(f"{phase:<8} {name:<24} {r['n']:>8} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['errors']:>6}"
              + (f"  e.g. {r['samples']}" if r["samples"] else ""))
    base = unloaded["p50"]
    print(f"\n/healthz p50 / unloaded p50: normal {normal_healthz['p50'] / base:.2f}x, "
          f"with slow clients {slow_healthz['p50'] / base:.2f}x "
          f"(with / without slow clients: {slow_healthz['p50'] / normal_healthz['p50']:.2f}x); "
          f"/healthz p99 with slow clients {slow_healthz['p99']:.2f} ms")
    print("slow clients' outcomes: " + (", ".join(f"{k} {v}" for k, v in sorted(tally.items())) or "none"))
    errors = sum(r["errors"] for _, _, r in rows)
    print(f"errors of normal clients: {errors}  {'ok' if errors == 0 else 'MISSED (target: 0)'}")
    print(f"server log: {log.name}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

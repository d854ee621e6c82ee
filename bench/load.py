"""A bounded HTTP load generator: a fixed list of requests, a few threads, keep-alive.

Each thread keeps one connection to the server on loopback and takes the next request from
a shared queue until the list is done, so the load is closed (never more than ``threads``
requests in flight) and the run ends by itself. The server's own time and query count come
from the headers of ``bench.middleware.ServerTiming``.
"""

from __future__ import annotations

import http.client
import queue
import threading
import time
from dataclasses import dataclass, field

from bench.middleware import QUERIES_HEADER, TIME_HEADER


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class Sample:
    status: int
    server_ms: float
    client_ms: float
    queries: int
    body: bytes


@dataclass
class LoadResult:
    samples: list[Sample]
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for sample in self.samples:
            counts[sample.status] = counts.get(sample.status, 0) + 1
        return counts


def _worker(port: int, todo: queue.Queue[Request], out: list[Sample], keep_body: bool) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while True:
        try:
            request = todo.get_nowait()
        except queue.Empty:
            break
        started = time.perf_counter()
        connection.request(request.method, request.path, request.body, request.headers)
        response = connection.getresponse()
        body = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        out.append(
            Sample(
                status=response.status,
                server_ms=float(response.getheader(TIME_HEADER) or "nan"),
                client_ms=client_ms,
                queries=int(response.getheader(QUERIES_HEADER) or "-1"),
                body=body if keep_body else b"",
            )
        )
    connection.close()


def run(*, port: int, requests: list[Request], threads: int, keep_body: bool = False) -> LoadResult:
    """Send every request once, ``threads`` at a time; samples in completion order."""
    todo: queue.Queue[Request] = queue.Queue()
    for request in requests:
        todo.put(request)
    out: list[Sample] = []
    workers = [
        threading.Thread(target=_worker, args=(port, todo, out, keep_body), daemon=True)
        for _ in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return LoadResult(samples=out, seconds=time.perf_counter() - started)

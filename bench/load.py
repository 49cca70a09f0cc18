"""
A closed-loop HTTP load driver, run as its own process so it does not share the server's
interpreter: ``concurrency`` threads each keep one connection open and send requests back to
back for ``duration`` seconds (bounded in count too), recording each latency.
"""

import http.client
import json
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict | None = None


def _worker(host, port, requests, offset, deadline, max_requests, latencies, errors, lock):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    sent = 0
    while time.monotonic() < deadline and sent < max_requests:
        request = requests[(offset + sent) % len(requests)]
        started = time.perf_counter()
        try:
            connection.request(
                request.method, request.path, body=request.body, headers=request.headers or {}
            )
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            ok = False
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            if not ok:
                errors.append(1)
        sent += 1
    connection.close()


def drive(host, port, requests, *, concurrency=8, duration=5.0, max_requests=200_000):
    """Send ``requests`` (cycled) for ``duration`` seconds; return throughput and latencies."""
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + duration
    per_thread = max(1, max_requests // concurrency)
    threads = [
        threading.Thread(
            target=_worker,
            # Each thread starts its own share of the list: distinct requests (e.g. CDRs with
            # distinct session ids) are not all sent by every thread at the same moment.
            args=(
                host,
                port,
                requests,
                index * len(requests) // concurrency,
                deadline,
                per_thread,
                latencies,
                errors,
                lock,
            ),
        )
        for index in range(concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(wall, 3),
        "rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
    }


def oioi_request(key, call, payload):
    return Request(
        "POST",
        "/api/v4/request",
        json.dumps({call: payload}).encode(),
        {"Content-Type": "application/json", "Authorization": f"key={key}"},
    )

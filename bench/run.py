"""
Run the benchmark suite: ``python -m bench.run [--only SUITE ...] [--duration SECONDS]``.

Each suite in ``bench/suites/`` has ``build(ctx)``, which fills the throwaway database, and
``measure(ctx)``, which returns figures measured against the running server. A suite that
measures the same thing at several data sizes lists ``PHASES`` instead, (build, measure) pairs
run in order: the first build runs before the server starts, the later ones while it serves.
Every figure is printed on one line and written with the others to ``.bench/results.json``.
"""

import argparse
import importlib
import json
import os
import pkgutil
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / ".bench" / "results.json"


@dataclass
class Context:
    host: str
    port: int
    duration: float
    figures: list = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def report(self, name, value, unit="", **detail):
        self.figures.append({"name": name, "value": value, "unit": unit, **detail})
        extra = " ".join(f"{k}={v}" for k, v in detail.items())
        print(f"{name}: {value}{(' ' + unit) if unit else ''}{('  ' + extra) if extra else ''}")
        sys.stdout.flush()

    def report_throughput(self, call, result, **detail):
        """``drive``'s result for ``call`` as a ratio to the bare view's throughput in this run."""
        self.report(
            f"oioi.{call}.throughput_ratio",
            round(result["rps"] / self.data["baseline"]["rps"], 3),
            "x baseline",
            rps=result["rps"],
            p50_ms=result["p50_ms"],
            p99_ms=result["p99_ms"],
            errors=result["errors"],
            **detail,
        )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_database(tmp):
    """A fresh database: a new one on the PostgreSQL server of DATABASE_URL, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"oioi_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(env, port):
    """The project under the production gunicorn configuration, with the baseline URL added."""
    # The server's log goes to a file, not a pipe: nothing reads it while the server serves, and
    # a full pipe would block every worker that logs (one warning per failed request fills it).
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "oioi_portal.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=2
                    ) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(log.read().decode()[-2000:]) from None
                    time.sleep(0.2)
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def worker_peak_rss_kib(master_pid):
    """The largest peak RSS (VmHWM) among the gunicorn master's workers."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]))
    return max(peaks, default=0)


def phases(module):
    """A suite's (build, measure) steps."""
    return getattr(module, "PHASES", None) or [(module.build, module.measure)]


def suites():
    package = importlib.import_module("bench.suites")
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=suites(), help="suites to run")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load figure")
    args = parser.parse_args()
    chosen = args.only or suites()

    tmp = tempfile.mkdtemp(prefix="oioi-bench-")
    try:
        with throwaway_database(tmp) as database_url:
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DEBUG": "",
                "VAR_DIR": tmp,
                "LOG_LEVEL": "WARNING",
            }
            os.environ.update(env)
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            ctx = Context(host="127.0.0.1", port=free_port(), duration=args.duration)
            modules = [importlib.import_module(f"bench.suites.{name}") for name in chosen]
            for module in modules:
                first_build, _ = phases(module)[0]
                first_build(ctx)
            from django.db import connections

            connections.close_all()
            with gunicorn(env, ctx.port) as server:
                from bench.load import Request, drive

                baseline = drive(
                    ctx.host, ctx.port, [Request("GET", "/bench/baseline")], duration=ctx.duration
                )
                ctx.data["baseline"] = baseline
                ctx.report("baseline.rps", baseline["rps"], "req/s", p50_ms=baseline["p50_ms"])
                for module in modules:
                    for index, (build, measure) in enumerate(phases(module)):
                        if index:
                            build(ctx)
                            connections.close_all()
                        measure(ctx)
                ctx.report("server.worker_peak_rss", worker_peak_rss_kib(server.pid) // 1024, "MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"figures": ctx.figures}, indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

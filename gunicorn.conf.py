"""gunicorn configuration, the same for production, `make run` and the benchmarks."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads keep a worker answering while one of its requests waits on a partner's endpoint
# (session-start is forwarded synchronously to the CPO).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10000))
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
# The client address as seen behind the reverse proxy is handled by the app
# (TRUSTED_PROXY_COUNT); gunicorn only needs to trust the proxy's scheme header.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

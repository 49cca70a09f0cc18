"""
A real local HTTP server playing a partner's OIOI endpoint, for tests of the calls we send.
Tests script its answers (status, body, headers, delay) and read back what it received.
"""

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUCCESS = {"result": {"code": 0, "message": "Success."}}


@dataclass
class Answer:
    status: int = 200
    body: object = field(default_factory=lambda: SUCCESS)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict
    body: object


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PartnerServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.received = []
        self.script = deque()
        self.default = Answer()
        self._server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/oioi"

    def answer(self, **kwargs):
        """Queue the answer to the next request (later requests get the default)."""
        self.script.append(Answer(**kwargs))

    def start(self):
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                partner.received.append(Received(self.path, dict(self.headers), body))
                answer = partner.script.popleft() if partner.script else partner.default
                if answer.delay:
                    time.sleep(answer.delay)
                data = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body)
                data = data.encode() if isinstance(data, str) else data
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timeout test wants

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def calls(self, name):
        return [r for r in self.received if isinstance(r.body, dict) and name in r.body]

"""
A provider simulator: a real HTTP server that plays the OIOI endpoint of an EMP or OEM that
authorizes online, for the demo (`make run`), the tests and the bench. It answers the
rfid-verify we forward in one of these modes:

- ``allow``: `0`, with ``evco_id`` as its `evco-id` (null when not given: we then answer ours);
- ``refuse``: ``refuse_code`` (191 unknown, 192 locked, 193 no valid payment method);
- ``slow``: ``allow``, after ``delay`` seconds (SLOW_DELAY when not given: past our bound);
- ``down``: nothing listens on its port (connections are refused);
- ``garbage``: in turn, a body that is not JSON, JSON of the wrong shape, and HTTP 500.

``delay`` holds every answer back that long (the bench's provider answers after 20 ms).
"""

import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("allow", "refuse", "slow", "down", "garbage")
REFUSE_CODES = (191, 192, 193)
# Longer than the default bound (OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS, 5).
SLOW_DELAY = 8.0
# (HTTP status, body) of the garbage mode, in turn.
GARBAGE = (
    (200, b"<html><body>Service temporarily overloaded</body></html>"),
    (200, b'{"result": "yes", "evco-id": 7}'),
    (500, b'{"result": {"code": 0, "message": "Success."}}'),
)


def _result(code, message):
    return {"result": {"code": code, "message": message}}


class ProviderSimulator:
    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        key=None,
        mode="allow",
        refuse_code=191,
        delay=0.0,
        evco_id=None,
    ):
        if mode not in MODES:
            raise ValueError(f"mode is one of {', '.join(MODES)}")
        if refuse_code not in REFUSE_CODES:
            raise ValueError(f"refuse_code is one of {REFUSE_CODES}")
        self.key = key
        self.mode = mode
        self.refuse_code = refuse_code
        self.delay = delay or (SLOW_DELAY if mode == "slow" else 0.0)
        self.evco_id = evco_id
        self.received = []
        self._garbage = itertools.cycle(GARBAGE)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        if mode == "down":
            # The port was free a moment ago and nothing listens on it now.
            self._server.server_close()

    @property
    def port(self):
        return self._port

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/oioi"

    def start(self):
        if self.mode != "down":
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()
        return self

    def serve_forever(self):
        if self.mode == "down":
            threading.Event().wait()
        self._server.serve_forever()

    def stop(self):
        if self.mode != "down":
            self._server.shutdown()
            self._server.server_close()

    def answer(self, authorization, raw):
        """The (HTTP status, body bytes) the simulated provider answers to one request."""
        if self.key is not None and not hmac.compare_digest(
            authorization.encode(), f"key={self.key}".encode()
        ):
            return 401, json.dumps(_result(210, "Invalid API key.")).encode()
        try:
            envelope = json.loads(raw)
        except ValueError:
            envelope = None
        payload = envelope.get("rfid-verify") if isinstance(envelope, dict) else None
        if not isinstance(payload, dict) or len(envelope) != 1:
            return 400, json.dumps(_result(230, "Invalid request format.")).encode()
        self.received.append(payload)
        if self.delay:
            time.sleep(self.delay)
        if self.mode == "garbage":
            return next(self._garbage)
        if self.mode == "refuse":
            messages = {191: "EVCO ID not found.", 192: "EVCO ID locked."}
            message = messages.get(self.refuse_code, "EVCO ID has no valid payment method.")
            body = {"evco-id": None, **_result(self.refuse_code, message)}
        else:
            body = {"evco-id": self.evco_id, **_result(0, "Success.")}
        return 200, json.dumps(body).encode()

    def _handler_class(self):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, data = simulator.answer(self.headers.get("Authorization", ""), raw)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # we gave up waiting: what a slow provider's caller does

            def log_message(self, format, *args):
                pass

        return Handler

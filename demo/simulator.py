"""
A CPO simulator: a real HTTP server that plays a charge point operator's OIOI endpoint, for the
demo (`make run`) and the tests. It starts and stops sessions, holds reservations and takes
whitelists, checks that we send the key the CPO gave us, and can be told to answer a given
code to session-start (e.g. 320, EVSE in use) or to be slow.
"""

import hmac
import json
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone


def _result(code, message):
    return {"result": {"code": code, "message": message}}


class CpoSimulator:
    def __init__(self, *, host="127.0.0.1", port=0, key=None, start_code=0, delay=0.0):
        self.key = key
        self.start_code = start_code
        self.delay = delay
        self.received = []
        self.sessions = {}
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/oioi"

    def start(self):
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def serve_forever(self):
        self._server.serve_forever()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, authorization, envelope):
        """The (HTTP status, body) the simulated CPO answers to one request."""
        if self.key is not None and not hmac.compare_digest(
            authorization.encode(), f"key={self.key}".encode()
        ):
            return 401, _result(210, "Invalid API key.")
        if not isinstance(envelope, dict) or len(envelope) != 1:
            return 400, _result(230, "Invalid request format.")
        ((call, payload),) = envelope.items()
        self.received.append((call, payload))
        handler = getattr(self, "on_" + call.replace("-", "_"), None)
        if handler is None or not isinstance(payload, dict):
            return 400, _result(230, f"Unknown call {call}.")
        if self.delay:
            time.sleep(self.delay)
        return 200, handler(payload)

    def on_session_start(self, payload):
        if self.start_code:
            return _result(self.start_code, "Refused by the simulated CPO.")
        session_id = f"SIM-{uuid.uuid4().hex[:12]}"
        self.sessions[session_id] = payload.get("connector-id")
        return {
            "session-start": {"session-id": session_id, "is-stoppable": True},
            **_result(0, "Success."),
        }

    def on_session_stop(self, payload):
        if self.sessions.pop(payload.get("session-id"), None) is None:
            return _result(182, "Session not found.")
        return _result(0, "Success.")

    def on_reservation_start(self, payload):
        end = (timezone.now() + timedelta(minutes=15)).replace(microsecond=0)
        return {"reservation-start": {"end": end.isoformat()}, **_result(0, "Success.")}

    def on_reservation_stop(self, payload):
        return _result(0, "Success.")

    def on_rfid_post(self, payload):
        return {"rfid": {"processed": len(payload.get("rfids") or [])}, **_result(0, "Success.")}

    def _handler_class(simulator):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    envelope = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    envelope = None
                status, body = simulator.answer(self.headers.get("Authorization", ""), envelope)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # we gave up waiting: a slow simulator is meant to be timed out

            def log_message(self, format, *args):
                pass

        return Handler

"""A loopback HTTP server standing in for Slack: records every request, answers as the path asks.

`/status/NNN/...` answers NNN with the request path echoed in the body (a careless server
would do that, so tests can check nothing of it is passed on); any other path answers 200 `ok`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_STATUS_PATH = re.compile(r"^/status/(\d{3})/")


@dataclass
class RecordedRequest:
    path: str
    body: Any


@dataclass
class HttpRecorder:
    url: str
    requests: list[RecordedRequest] = field(default_factory=list)


@contextmanager
def http_recorder() -> Iterator[HttpRecorder]:
    """Serve on 127.0.0.1 (a free port) until the block exits."""
    recorder = HttpRecorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode(errors="replace")
            recorder.requests.append(RecordedRequest(self.path, body))
            status = _STATUS_PATH.match(self.path)
            code, reply = (int(status.group(1)), f"rejected {self.path}") if status else (200, "ok")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(reply.encode())

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()

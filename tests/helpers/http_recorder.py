"""A loopback HTTP server standing in for Slack: records every request, answers as the path asks.

`/status/NNN/...` answers NNN with the request path echoed in the body (a careless server
would do that, so tests can check nothing of it is passed on); any other path answers 200 `ok`.

Given a TLS identity (`tests.helpers.tls.self_signed_tls(directory, "hooks.slack.com")`), it is
also an HTTPS proxy that answers every `CONNECT` tunnel itself: a client with `HTTPS_PROXY` set to
it and trusting that certificate (`REQUESTS_CA_BUNDLE`) posts to `https://hooks.slack.com/...` here,
which is how Prefect's core `SlackWebhook` (Apprise, which only posts to Slack's own host) is tested.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

_STATUS_PATH = re.compile(r"^/status/(\d{3})/")


@dataclass
class RecordedRequest:
    path: str
    body: Any
    host: str = ""  # the Host header: the server the client meant to reach


@dataclass
class HttpRecorder:
    url: str
    requests: list[RecordedRequest] = field(default_factory=list)
    tunnels: list[str] = field(default_factory=list)  # the `host:port` of every CONNECT, served or refused


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[None]:
    """`server` answering in a daemon thread until the block exits, then shut down and closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def read_body(handler: BaseHTTPRequestHandler) -> Any:
    """A request's body: its JSON, or its text when it is not JSON."""
    raw = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")


@contextmanager
def http_recorder(
    tunnel_tls: Optional[ssl.SSLContext] = None, tunnel_host: str = "hooks.slack.com:443"
) -> Iterator[HttpRecorder]:
    """
    Serve on 127.0.0.1 (a free port) until the block exits; with `tunnel_tls`, also as an HTTPS
    proxy for `tunnel_host` (its certificate's host), refusing tunnels to anywhere else.
    """
    recorder = HttpRecorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = read_body(self)
            recorder.requests.append(RecordedRequest(self.path, body, self.headers.get("Host", "")))
            status = _STATUS_PATH.match(self.path)
            code, reply = (int(status.group(1)), f"rejected {self.path}") if status else (200, "ok")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply.encode())))
            self.end_headers()
            self.wfile.write(reply.encode())

        def do_CONNECT(self) -> None:
            """Open the tunnel, then be its far end: TLS with `tunnel_tls`, one request served as any other."""
            recorder.tunnels.append(self.path)
            if tunnel_tls is None or self.path != tunnel_host:
                self.send_error(403)
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            with tunnel_tls.wrap_socket(self.connection, server_side=True) as tunnel:
                self.rfile, self.wfile = tunnel.makefile("rb"), tunnel.makefile("wb")
                self.handle_one_request()
                self.wfile.flush()
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    with serving(server):
        yield recorder

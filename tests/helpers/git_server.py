"""A private git repository served over smart HTTP(S) on loopback, like GitHub for a token.

Requests run `git http-backend` (CGI) only when HTTP Basic auth carries the expected token as
user name or password (GitHub accepts both), or, when the server is given a `username`, exactly
that user name and the token as password (GitLab's `oauth2:TOKEN`, Bitbucket's
`x-token-auth:TOKEN`); anything else gets 401 and a Basic challenge.
"""

from __future__ import annotations

import base64
import os
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

from tests.helpers.http_recorder import serving
from tests.helpers.tls import self_signed_tls

__all__ = ["GitServer", "git_server", "make_repository", "self_signed_tls"]

GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass
class GitServer:
    url: str  # the repository URL, without credentials
    token: str  # the token the server accepts; tests may change it
    repository: Path
    username: Optional[str] = None  # when set, the only user name accepted with the token

    def accepts(self, user: str, password: str) -> bool:
        if self.username is not None:
            return (user, password) == (self.username, self.token)
        return self.token in (user, password)


def make_repository(root: Path, files: dict[str, str]) -> Path:
    """A bare repository `repo.git` under `root` with one commit holding `files`."""
    work = root / "work"
    work.mkdir(parents=True)
    for name, text in files.items():
        (work / name).write_text(text)
    environment = {**os.environ, **GIT_ENV, "HOME": str(root)}
    commands = [
        ["git", "init", "--quiet", "--initial-branch=main", str(work)],
        ["git", "-C", str(work), "add", "."],
        [
            "git",
            "-C",
            str(work),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "commit",
            "--quiet",
            "-m",
            "flows",
        ],
        ["git", "clone", "--quiet", "--bare", str(work), str(root / "repo.git")],
    ]
    for command in commands:
        subprocess.run(command, check=True, env=environment, capture_output=True)
    return root / "repo.git"


def _basic_credentials(header: Optional[str]) -> tuple[str, str]:
    if not header or not header.startswith("Basic "):
        return "", ""
    user, _, password = base64.b64decode(header[6:]).decode(errors="replace").partition(":")
    return unquote(user), unquote(password)


@contextmanager
def git_server(
    repository: Path, token: str, tls: Optional[ssl.SSLContext] = None, username: Optional[str] = None
) -> Iterator[GitServer]:
    """Serve `repository` (a bare repo) on 127.0.0.1; HTTPS when `tls` is given."""
    backend = str(
        Path(subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip())
        / "git-http-backend"
    )
    server_state = GitServer(url="", token=token, repository=repository, username=username)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            if not server_state.accepts(*_basic_credentials(self.headers.get("Authorization"))):
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            environment = {
                **GIT_ENV,
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": str(repository.parent),
                "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": parts.path,
                "QUERY_STRING": parts.query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": "token",
                "REMOTE_ADDR": "127.0.0.1",
            }
            if self.headers.get("Git-Protocol"):
                environment["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            result = subprocess.run([backend], input=body, env=environment, capture_output=True, check=False)
            head, _, payload = result.stdout.partition(b"\r\n\r\n")
            status = 200
            headers = []
            for line in head.decode(errors="replace").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # quiet, and never log auth
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    server_state.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/{repository.name}"
    with serving(server):
        yield server_state

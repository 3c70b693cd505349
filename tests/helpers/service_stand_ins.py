"""Loopback HTTPS stand-ins for GitHub's REST API, Slack's incoming webhooks and Twitter's API v2,
answering as each service documents, and an STS-compatible emulator (moto's server) for AWS.

One TLS server (a self-signed certificate for 127.0.0.1, which clients trust through
`SSL_CERT_FILE`) serves the three HTTP services under their own paths, each from a table of the
credentials it knows:

- GitHub (`/api/v3`, as GitHub Enterprise Server roots its API): `GET /rate_limit` answers a known
  token 200 with `X-OAuth-Scopes` and, for a token that expires, `GitHub-Authentication-Token-Expiration`;
  a rate-limited one 403 with `X-RateLimit-Remaining: 0`; any other 401 `{"message": "Bad credentials"}`.
- Slack (`/services/T/B/X`): a live webhook answers a payload without text `400 no_text` and posts
  nothing, a message `200 ok`; a dead one answers its documented error (`404 no_service`, `403
  invalid_token`, `410 channel_is_archived`, `403 action_prohibited`) to anything; an unknown path
  `404 no_service`. Every body posted is recorded.
- Twitter (`/2`): `GET /2/users/me` verifies the OAuth 1.0a HMAC-SHA1 signature with the keys it
  knows, answering the user or 401 `Unauthorized`; `GET /2/users/:id` takes a known bearer token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlparse

from tests.helpers.http_recorder import read_body, serving
from tests.helpers.prefect_server import free_port
from tests.helpers.tls import self_signed_tls

TWITTER_USER = {"id": "2244994945", "name": "Canary Checks", "username": "canarychecks"}
#: Slack's documented status code for each error a dead webhook answers.
SLACK_ERRORS = {"no_service": 404, "invalid_token": 403, "channel_is_archived": 410, "action_prohibited": 403}


@dataclass
class GitHubToken:
    scopes: Optional[str] = "repo, workflow"  # the X-OAuth-Scopes header; None: not sent (fine-grained)
    expiration: Optional[str] = None  # the GitHub-Authentication-Token-Expiration header
    rate_limited: bool = False


@dataclass
class StandIns:
    """The stand-ins' base URL and certificate, the credentials they know, and what they were sent."""

    url: str
    certificate: Path
    github_tokens: dict[str, GitHubToken] = field(default_factory=dict)
    slack_webhooks: dict[str, str] = field(default_factory=dict)  # path -> "live", an error, or "rate_limited"
    twitter_keys: list[dict[str, str]] = field(default_factory=list)
    twitter_bearer_tokens: set[str] = field(default_factory=set)
    slack_posts: list[tuple[str, Any]] = field(default_factory=list)  # (path, JSON body)

    @property
    def github_api_url(self) -> str:
        return f"{self.url}/api/v3"


def _oauth1_signed_by(url: str, headers: Any, keys: dict[str, str]) -> bool:
    """Whether the request's OAuth 1.0a `Authorization` header is signed with `keys` (HMAC-SHA1)."""
    from oauthlib.common import Request
    from oauthlib.oauth1.rfc5849 import signature

    authorization = headers.get("Authorization", "")
    request = Request(url, "GET", headers={"Authorization": authorization})
    found = dict(signature.collect_parameters(headers={"Authorization": authorization}, exclude_oauth_signature=False))
    if found.get("oauth_consumer_key") != keys["api_key"] or found.get("oauth_token") != keys["access_token"]:
        return False
    request.params = signature.collect_parameters(headers={"Authorization": authorization})
    request.signature = found.get("oauth_signature", "")
    return signature.verify_hmac_sha1(request, keys["api_secret"], keys["access_token_secret"])


class _Handler(BaseHTTPRequestHandler):
    stand_ins: StandIns

    def _answer(self, code: int, body: Any, headers: Optional[dict[str, str]] = None) -> None:
        raw = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path == "/api/v3/rate_limit":
            self._github()
        elif path == "/2/users/me":
            self._twitter_me()
        elif path.startswith("/2/users/"):
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if bearer in self.stand_ins.twitter_bearer_tokens and path == f"/2/users/{TWITTER_USER['id']}":
                self._answer(200, {"data": TWITTER_USER})
            else:
                self._answer(
                    401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
                )
        else:
            self._answer(404, {"message": "Not Found"})

    def _github(self) -> None:
        token = self.stand_ins.github_tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
        if token is None:
            self._answer(
                401,
                {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"},
            )
        elif token.rate_limited:
            self._answer(403, {"message": "API rate limit exceeded for user ID 1."}, {"X-RateLimit-Remaining": "0"})
        else:
            headers = {"X-RateLimit-Remaining": "4999"}
            if token.scopes is not None:
                headers["X-OAuth-Scopes"] = token.scopes
            if token.expiration is not None:
                headers["GitHub-Authentication-Token-Expiration"] = token.expiration
            self._answer(200, {"resources": {"core": {"limit": 5000, "remaining": 4999}}}, headers)

    def _twitter_me(self) -> None:
        url = f"{self.stand_ins.url}{self.path}"
        if any(_oauth1_signed_by(url, self.headers, keys) for keys in self.stand_ins.twitter_keys):
            self._answer(200, {"data": TWITTER_USER})
        else:
            self._answer(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})

    def do_POST(self) -> None:
        body = read_body(self)
        self.stand_ins.slack_posts.append((self.path, body))
        state = self.stand_ins.slack_webhooks.get(self.path, "no_service")
        if state == "rate_limited":
            self._answer(429, "rate_limited", {"Retry-After": "30"})
        elif state != "live":
            self._answer(SLACK_ERRORS[state], state)
        elif isinstance(body, dict) and (body.get("text") or body.get("blocks") or body.get("attachments")):
            self._answer(200, "ok")
        else:
            self._answer(400, "no_text")

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@contextmanager
def service_stand_ins(directory: Path) -> Iterator[StandIns]:
    """Serve the stand-ins over TLS on 127.0.0.1 until the block exits."""
    tls, certificate = self_signed_tls(directory, "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    stand_ins = StandIns(url=f"https://127.0.0.1:{server.server_address[1]}", certificate=certificate)
    server.RequestHandlerClass = type("Handler", (_Handler,), {"stand_ins": stand_ins})
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    with serving(server):
        yield stand_ins


@dataclass
class StsEmulator:
    """moto's server on loopback, with one IAM user's access key; requests are authenticated."""

    url: str
    access_key_id: str
    secret_access_key: str
    arn: str
    account: str = "123456789012"


@contextmanager
def sts_emulator(region: str = "us-east-1") -> Iterator[StsEmulator]:
    """moto's ThreadedMotoServer on 127.0.0.1 with an IAM user `checker` and its access key, then
    authentication on (moto's `INITIAL_NO_AUTH_ACTION_COUNT`): STS refuses keys it does not know."""
    import boto3
    from moto import settings
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    previous = settings.INITIAL_NO_AUTH_ACTION_COUNT
    try:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name=region, aws_access_key_id="setup", aws_secret_access_key="setup"
        )
        arn = iam.create_user(UserName="checker")["User"]["Arn"]
        key = iam.create_access_key(UserName="checker")["AccessKey"]
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        yield StsEmulator(url=url, access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"], arn=arn)
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = previous
        server.stop()

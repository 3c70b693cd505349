"""Twitter (X): are the API keys still accepted, asked without posting.

The four keys sign (OAuth 1.0a user context) `GET /2/users/me`, the API's documented way to see
whom the credentials act for: 200 with the user (`{"data": {"id", "name", "username"}}`), 401
`Unauthorized` for keys that were regenerated or revoked, 403 for an app the API refuses
(`client-not-enrolled`, a suspended account), 429 for a rate limit. An app-only bearer token, when
the block has one, then reads the same user by id (`GET /2/users/:id`), which app-only
authentication may call: 401 for a bearer token that was invalidated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import httpx

from prefect_secretblocks.checks.answers import (
    CHECK_TIMEOUT_SECONDS,
    http_status,
    rate_limited,
    service_reason,
    unreachable,
)
from prefect_secretblocks.checks.result import CheckStatus, CredentialCheck
from prefect_secretblocks.exceptions import MissingExtraError

TWITTER_API_URL = "https://api.twitter.com"
_SERVICE = "Twitter"


async def check_twitter_credentials(
    keys: Mapping[str, str], bearer_token: Optional[str] = None, api_url: str = TWITTER_API_URL
) -> CredentialCheck:
    """
    Ask the Twitter API at `api_url` whether it accepts the four OAuth 1.0a `keys` (and `bearer_token`).

    Raises:
        MissingExtraError: oauthlib, which tweepy brings, is not installed; install the `twitter` extra.
    """
    base = api_url.rstrip("/")
    me = f"{base}/2/users/me"
    secrets = [*keys.values(), *([bearer_token] if bearer_token else [])]
    try:
        async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
            response = await client.get(me, headers=oauth1_headers(me, keys))
            result, user_id = _answer(response, secrets), _user_id(response)
            if result.status is not CheckStatus.VALID or not bearer_token or user_id is None:
                return result
            app = await client.get(f"{base}/2/users/{user_id}", headers={"Authorization": f"Bearer {bearer_token}"})
    except httpx.HTTPError as exc:
        return unreachable(_SERVICE, exc)
    app_result = _answer(app, secrets)
    if app_result.status is CheckStatus.VALID:
        return result
    return CredentialCheck(status=app_result.status, service=_SERVICE, reason=f"bearer_token: {app_result.reason}")


def oauth1_headers(url: str, keys: Mapping[str, str]) -> dict[str, str]:
    """The `Authorization` header of an OAuth 1.0a (HMAC-SHA1) signed `GET url`, as tweepy signs it."""
    try:
        from oauthlib.oauth1 import Client
    except ImportError:
        raise MissingExtraError(
            'TwitterCredentials.check() needs tweepy: pip install "prefect-secretblocks[twitter]"'
        ) from None
    signer = Client(
        keys["api_key"],
        client_secret=keys["api_secret"],
        resource_owner_key=keys["access_token"],
        resource_owner_secret=keys["access_token_secret"],
    )
    _, headers, _ = signer.sign(url, http_method="GET")
    return dict(headers)


def _answer(response: httpx.Response, secrets: list[str]) -> CredentialCheck:
    code = response.status_code
    if code == 200:
        username = _data(response).get("username")
        identity = f"@{username}" if isinstance(username, str) and service_reason(username, secrets) else ""
        return CredentialCheck(status=CheckStatus.VALID, service=_SERVICE, identity=identity)
    if code == 429:
        return rate_limited(_SERVICE)
    body = _json(response)
    detail = service_reason(body.get("reason") or body.get("title"), secrets)
    status = CheckStatus.INVALID if code in (401, 403) else CheckStatus.UNKNOWN
    return CredentialCheck(status=status, service=_SERVICE, reason=http_status(code, detail))


def _user_id(response: httpx.Response) -> Optional[str]:
    user_id = _data(response).get("id") if response.status_code == 200 else None
    return user_id if isinstance(user_id, str) and user_id.isdigit() else None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _data(response: httpx.Response) -> dict[str, Any]:
    data = _json(response).get("data")
    return data if isinstance(data, dict) else {}

"""GitHub: is a token still accepted, with which scopes, until when.

`GET /rate_limit` works with every kind of token (classic, fine-grained, app) and does not count
against the rate limit. GitHub answers a live token 200, with the classic token's scopes in
`X-OAuth-Scopes` and, for a token that expires, `GitHub-Authentication-Token-Expiration`
(`2025-04-27 13:44:10 UTC`); a revoked, expired or unknown token 401 `Bad credentials`; an
exhausted rate limit 403 or 429 with `X-RateLimit-Remaining: 0`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import httpx

from prefect_secretblocks.checks.answers import (
    CHECK_TIMEOUT_SECONDS,
    http_status,
    rate_limited,
    service_reason,
    unreachable,
)
from prefect_secretblocks.checks.result import CheckStatus, CredentialCheck

GITHUB_API_URL = "https://api.github.com"
SCOPES_HEADER = "X-OAuth-Scopes"
EXPIRATION_HEADER = "GitHub-Authentication-Token-Expiration"
_SERVICE = "GitHub"


async def check_github_token(token: str, api_url: str = GITHUB_API_URL) -> CredentialCheck:
    """Ask the GitHub API at `api_url` whether it accepts `token` (see the module's docstring)."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    try:
        async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
            response = await client.get(f"{api_url.rstrip('/')}/rate_limit", headers=headers)
    except httpx.HTTPError as exc:
        return unreachable(_SERVICE, exc)
    return _answer(response, token)


def _answer(response: httpx.Response, token: str) -> CredentialCheck:
    code = response.status_code
    if code == 200:
        expiry = response.headers.get(EXPIRATION_HEADER)
        return CredentialCheck(
            status=CheckStatus.VALID,
            service=_SERVICE,
            scopes=_scopes(response.headers.get(SCOPES_HEADER)),
            expires_at=parse_expiration(expiry) if expiry else None,
        )
    if code == 429 or (code == 403 and response.headers.get("X-RateLimit-Remaining") == "0"):
        return rate_limited(_SERVICE)
    status = CheckStatus.INVALID if code in (401, 403) else CheckStatus.UNKNOWN
    return CredentialCheck(status=status, service=_SERVICE, reason=http_status(code, _message(response, token)))


def _scopes(header: Optional[str]) -> Optional[tuple[str, ...]]:
    """The classic token's scopes; `()` for none granted; None when GitHub does not say (fine-grained)."""
    if header is None:
        return None
    return tuple(scope.strip() for scope in header.split(",") if scope.strip())


def parse_expiration(value: str) -> Optional[datetime]:
    """`GitHub-Authentication-Token-Expiration` (`2025-04-27 13:44:10 UTC`, or with `-0700`) as a UTC datetime."""
    for layout in ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S %z"):
        try:
            parsed = datetime.strptime(value.strip(), layout)
        except ValueError:
            continue
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    return None


def _message(response: httpx.Response, token: str) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return service_reason(body.get("message") if isinstance(body, dict) else None, [token])

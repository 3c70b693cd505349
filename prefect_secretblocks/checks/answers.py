"""What every service's check shares: the timeout, an unreachable service, a reason that carries no value."""

from __future__ import annotations

from collections.abc import Iterable

from prefect_secretblocks.checks.result import CheckStatus, CredentialCheck

#: Seconds a check waits for a service (each request).
CHECK_TIMEOUT_SECONDS = 15.0
_MAX_REASON_LENGTH = 80
#: A reason sharing this many characters in a row with a secret is not shown (a value cut or wrapped).
_ECHO_LENGTH = 8


def unreachable(service: str, exc: Exception) -> CredentialCheck:
    """The service could not be asked: unknown. The error's type only, as its message can hold the URL."""
    return CredentialCheck(status=CheckStatus.UNKNOWN, service=service, reason=f"unreachable ({type(exc).__name__})")


def rate_limited(service: str) -> CredentialCheck:
    return CredentialCheck(status=CheckStatus.UNKNOWN, service=service, reason="rate limited")


def service_reason(text: object, secrets: Iterable[str]) -> str:
    """
    A reason the service wrote (GitHub's `message`, Twitter's `title`), as one short line.

    Empty when it is not text or holds any of `secrets` (a careless server may echo the request):
    the caller then says the HTTP status alone.
    """
    if not isinstance(text, str):
        return ""
    line = (text.strip().splitlines() or [""])[0][:_MAX_REASON_LENGTH]
    for secret in secrets:
        if any(secret[start : start + _ECHO_LENGTH] in line for start in range(max(len(secret) - _ECHO_LENGTH, 0) + 1)):
            return ""
    return line


def http_status(status_code: int, reason: str = "") -> str:
    """`HTTP 401 Bad credentials`, or `HTTP 404` without a reason."""
    return f"HTTP {status_code} {reason}".rstrip()

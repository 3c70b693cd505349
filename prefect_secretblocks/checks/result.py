"""What a credential check finds: a status, the service's reason, and what the service tells, never a value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Optional

#: How soon an expiry counts as expiring, unless the caller chooses (`--expires-within`).
DEFAULT_EXPIRES_WITHIN = timedelta(days=14)


class CheckStatus(str, Enum):
    """What the service said about the credential."""

    VALID = "valid"  # the service accepted it
    INVALID = "invalid"  # the service refused it (revoked, expired, deleted, archived...)
    UNKNOWN = "unknown"  # no answer that tells: the network, a rate limit, a server error


class Verdict(str, Enum):
    """A check's status with the expiry taken into account: the event's name and the CLI's column."""

    VALID = "valid"
    EXPIRING = "expiring"
    INVALID = "invalid"
    UNKNOWN = "unknown"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CredentialCheck:
    """
    The result of one credential check. No field ever holds a secret value.

    Attributes:
        status: valid, invalid or unknown.
        reason: The service's reason for an invalid or unknown status (`invalid_token`,
            `no_service`, `channel_is_archived`, `HTTP 401 Bad credentials`, `InvalidClientTokenId`,
            `rate limited`); for a valid one, how the service showed it (`no_text`).
        scopes: The scopes the service grants the credential (GitHub's `X-OAuth-Scopes`); None when
            the service does not say (fine-grained and app tokens).
        expires_at: When the credential expires, if the service says (GitHub's
            `GitHub-Authentication-Token-Expiration`).
        identity: Who the credential acts as, when the service says: an AWS ARN, a Twitter `@username`.
        account: The AWS account id.
        service: What was asked: `GitHub`, `Slack`, `Twitter`, `AWS STS`.
        checked_at: When the check ran (UTC).
    """

    status: CheckStatus
    service: str
    reason: str = ""
    scopes: Optional[tuple[str, ...]] = None
    expires_at: Optional[datetime] = None
    identity: str = ""
    account: str = ""
    checked_at: datetime = field(default_factory=_now)

    def verdict(self, expires_within: timedelta = DEFAULT_EXPIRES_WITHIN) -> Verdict:
        """`expiring` for a valid credential that expires within `expires_within`, else the status."""
        if self.status is CheckStatus.VALID and self.expires_at is not None:
            if self.expires_at - self.checked_at <= expires_within:
                return Verdict.EXPIRING
        return Verdict(self.status.value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601, empty fields left out."""
        data: dict[str, Any] = {"status": self.status.value, "service": self.service, "reason": self.reason}
        if self.scopes is not None:
            data["scopes"] = list(self.scopes)
        if self.expires_at is not None:
            data["expires_at"] = self.expires_at.isoformat()
        data.update({key: value for key, value in (("identity", self.identity), ("account", self.account)) if value})
        data["checked_at"] = self.checked_at.isoformat()
        return data

"""Slack: is an incoming-webhook URL still live, asked without posting a message.

The check posts an empty JSON object, `{}`. Slack's documented answers to an incoming-webhook
request (https://api.slack.com/messaging/webhooks#handling_errors) tell a live webhook from a dead
one: a live webhook refuses a payload without text, `400 no_text` (or `invalid_payload`,
`missing_text_or_fallback_or_attachments`), and posts nothing; a dead one answers why it is dead
whatever the payload: `404 no_service` (the webhook was removed or disabled), `400 no_service_id`,
`404 no_team`, `403 team_disabled`, `403 invalid_token` (its token was revoked), `404
channel_not_found`, `410 channel_is_archived`, `403 action_prohibited`, `403
posting_to_general_channel_denied`, `400 user_not_found`. A rate limit (429) or a server error
(5xx) says nothing about the webhook: unknown.
"""

from __future__ import annotations

import httpx

from prefect_secretblocks.checks.answers import CHECK_TIMEOUT_SECONDS, http_status, rate_limited, unreachable
from prefect_secretblocks.checks.result import CheckStatus, CredentialCheck

#: What a live webhook answers `{}` with: it refuses the empty message, and so posts nothing.
LIVE_ANSWERS = frozenset({"no_text", "invalid_payload", "missing_text_or_fallback_or_attachments"})
#: What a dead webhook answers to any request.
DEAD_ANSWERS = frozenset(
    {
        "no_service",
        "no_service_id",
        "no_team",
        "team_disabled",
        "invalid_token",
        "channel_not_found",
        "channel_is_archived",
        "action_prohibited",
        "posting_to_general_channel_denied",
        "user_not_found",
    }
)
#: The payload the check posts: no text, so a live webhook posts nothing.
EMPTY_PAYLOAD: dict[str, str] = {}
_SERVICE = "Slack"


async def check_slack_webhook(url: str) -> CredentialCheck:
    """Post `{}` to the webhook and read its answer (see the module's docstring)."""
    try:
        async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
            response = await client.post(url, json=EMPTY_PAYLOAD)
    except httpx.HTTPError as exc:
        return unreachable(_SERVICE, exc)
    return _answer(response)


def _answer(response: httpx.Response) -> CredentialCheck:
    code, answer = response.status_code, response.text.strip()
    # Only Slack's own words are repeated: any other body may echo the URL, which is the secret.
    if answer in DEAD_ANSWERS:
        return CredentialCheck(status=CheckStatus.INVALID, service=_SERVICE, reason=answer)
    if answer in LIVE_ANSWERS or response.is_success:
        reason = answer if answer in LIVE_ANSWERS else http_status(code)
        return CredentialCheck(status=CheckStatus.VALID, service=_SERVICE, reason=reason)
    if code == 429:
        return rate_limited(_SERVICE)
    status = CheckStatus.INVALID if code in (401, 403, 404, 410) else CheckStatus.UNKNOWN
    return CredentialCheck(status=status, service=_SERVICE, reason=http_status(code))

"""SlackWebhookURL.check(): Slack's documented answers to an empty payload, through a TLS stand-in; nothing posted carries text."""

from __future__ import annotations

import pytest

from prefect_secretblocks import SlackWebhookURL
from prefect_secretblocks.checks import CheckStatus
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.service_stand_ins import StandIns

LIVE = "/services/TCHECK01/BCHECK01/liveCheckHookQ1"
DEAD = {
    reason: f"/services/TCHECK01/BCHECK02/dead{reason.replace('_', '')}"
    for reason in ("no_service", "invalid_token", "channel_is_archived", "action_prohibited")
}
RATE_LIMITED = "/services/TCHECK01/BCHECK03/rateLimitedQ3"


@pytest.fixture(scope="module", autouse=True)
def known_webhooks(stand_ins: StandIns) -> None:
    stand_ins.slack_webhooks.update(
        {LIVE: "live", RATE_LIMITED: "rate_limited", **{path: reason for reason, path in DEAD.items()}}
    )


def webhook(stand_ins: StandIns, path: str) -> SlackWebhookURL:
    return SlackWebhookURL(url=f"{stand_ins.url}{path}")


def test_a_live_webhook_is_valid_because_it_refuses_the_empty_payload(stand_ins: StandIns) -> None:
    result = webhook(stand_ins, LIVE).check()
    assert (result.status, result.reason) == (CheckStatus.VALID, "no_text")


@pytest.mark.parametrize("reason", list(DEAD))
def test_a_dead_webhook_is_invalid_with_slacks_reason(stand_ins: StandIns, reason: str) -> None:
    result = webhook(stand_ins, DEAD[reason]).check()
    assert (result.status, result.reason) == (CheckStatus.INVALID, reason)


def test_a_removed_webhook_is_invalid_no_service(stand_ins: StandIns) -> None:
    result = SlackWebhookURL(url=f"{stand_ins.url}/services/{canaries.SLACK_PATH}").check()
    assert (result.status, result.reason) == (CheckStatus.INVALID, "no_service")
    assert_no_leak(repr(result) + str(result.to_dict()), "the check result")


def test_a_rate_limit_is_unknown(stand_ins: StandIns) -> None:
    result = webhook(stand_ins, RATE_LIMITED).check()
    assert (result.status, result.reason) == (CheckStatus.UNKNOWN, "rate limited")


def test_an_unreachable_webhook_is_unknown_and_its_url_is_not_in_the_result() -> None:
    result = SlackWebhookURL(url=f"https://127.0.0.1:9/services/{canaries.SLACK_PATH}").check()
    assert (result.status, result.reason) == (CheckStatus.UNKNOWN, "unreachable (ConnectError)")
    assert_no_leak(repr(result), "the check result")


def test_a_body_that_echoes_the_url_is_not_repeated(http_recorder_url: str) -> None:
    # The plain-HTTP recorder answers /status/NNN/... with the request path in its body.
    result = SlackWebhookURL(url=f"{http_recorder_url}/status/404/services/{canaries.SLACK_PATH}").check()
    assert (result.status, result.reason) == (CheckStatus.INVALID, "HTTP 404")


async def test_acheck_posts_the_empty_payload_too(stand_ins: StandIns) -> None:
    assert (await webhook(stand_ins, LIVE).acheck()).status is CheckStatus.VALID


def test_nothing_a_check_posted_carries_text(stand_ins: StandIns) -> None:
    # Runs after the tests above (file order): every webhook they checked was posted `{}` and nothing else.
    checked = {LIVE, RATE_LIMITED, *DEAD.values()}
    posts = [body for path, body in stand_ins.slack_posts if path in checked]
    assert len(posts) >= len(checked) and all(body == {} for body in posts)

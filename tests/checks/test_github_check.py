"""GitHubToken.check(): GitHub's answers to GET /rate_limit, through a TLS stand-in at the block's `api_url`."""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta, timezone

import pytest

from prefect_secretblocks import GitHubToken
from prefect_secretblocks._compat import ValidationError
from prefect_secretblocks.checks import CheckStatus, Verdict
from prefect_secretblocks.checks.github import parse_expiration
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.service_stand_ins import GitHubToken as KnownToken
from tests.helpers.service_stand_ins import StandIns

CLASSIC = "ghp_" + "Classic" * 5 + "ChkA"
FINE_GRAINED = "github_pat_" + "FineGrained" * 3 + "_chk"
EXPIRING = "ghp_" + "Expiring" * 4 + "Chk9"
RATE_LIMITED = "ghp_" + "RateLimit" * 4
IN_TEN_DAYS = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=10)


@pytest.fixture(scope="module", autouse=True)
def known_tokens(stand_ins: StandIns) -> None:
    stand_ins.github_tokens.update(
        {
            CLASSIC: KnownToken(scopes="repo, workflow"),
            FINE_GRAINED: KnownToken(scopes=None),
            EXPIRING: KnownToken(scopes="", expiration=IN_TEN_DAYS.strftime("%Y-%m-%d %H:%M:%S UTC")),
            RATE_LIMITED: KnownToken(rate_limited=True),
        }
    )


def token(stand_ins: StandIns, value: str) -> GitHubToken:
    return GitHubToken(token=value, api_url=stand_ins.github_api_url)


def test_a_live_classic_token_is_valid_with_its_scopes(stand_ins: StandIns) -> None:
    result = token(stand_ins, CLASSIC).check()
    assert (result.status, result.scopes, result.expires_at) == (CheckStatus.VALID, ("repo", "workflow"), None)


def test_a_fine_grained_token_is_valid_without_scopes_as_github_sends_none(stand_ins: StandIns) -> None:
    result = token(stand_ins, FINE_GRAINED).check()
    assert (result.status, result.scopes) == (CheckStatus.VALID, None)


def test_the_expiry_header_makes_a_token_expiring_within_the_window(stand_ins: StandIns) -> None:
    result = token(stand_ins, EXPIRING).check()
    assert result.expires_at == IN_TEN_DAYS and result.scopes == ()
    assert result.verdict() is Verdict.EXPIRING  # default window: 14 days
    assert result.verdict(timedelta(days=7)) is Verdict.VALID


def test_a_revoked_token_is_invalid_with_githubs_reason(stand_ins: StandIns) -> None:
    result = token(stand_ins, canaries.GITHUB_TOKEN).check()
    assert (result.status, result.reason) == (CheckStatus.INVALID, "HTTP 401 Bad credentials")
    assert_no_leak(repr(result) + str(result.to_dict()), "the check result")


def test_a_rate_limit_is_unknown_not_invalid(stand_ins: StandIns) -> None:
    result = token(stand_ins, RATE_LIMITED).check()
    assert (result.status, result.reason) == (CheckStatus.UNKNOWN, "rate limited")


def test_an_unreachable_api_is_unknown() -> None:
    result = GitHubToken(token=CLASSIC, api_url="https://127.0.0.1:9/api/v3").check()
    assert (result.status, result.reason) == (CheckStatus.UNKNOWN, "unreachable (ConnectError)")


async def test_check_is_awaitable_in_async_code_and_acheck_is_the_same(stand_ins: StandIns) -> None:
    block = token(stand_ins, CLASSIC)
    pending = block.check()
    assert inspect.isawaitable(pending)
    assert (await pending).status is (await block.acheck()).status is CheckStatus.VALID


def test_get_client_calls_the_api_url(stand_ins: StandIns) -> None:
    with token(stand_ins, CLASSIC).get_client() as client:
        assert client.get("/rate_limit").headers["X-OAuth-Scopes"] == "repo, workflow"


def test_api_url_must_be_http_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as caught:
        GitHubToken(token=CLASSIC, api_url="ftp://" + canaries.GENERIC)
    assert "api_url" in str(caught.value) and "http(s) URL" in str(caught.value)
    assert_no_leak(str(caught.value), "the validation error")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2025-04-27 13:44:10 UTC", datetime(2025, 4, 27, 13, 44, 10, tzinfo=timezone.utc)),
        ("2025-04-27 06:44:10 -0700", datetime(2025, 4, 27, 13, 44, 10, tzinfo=timezone.utc)),
        ("not a date", None),
    ],
)
def test_the_expiration_header_is_read_in_both_of_githubs_layouts(header: str, expected: datetime) -> None:
    assert parse_expiration(header) == expected

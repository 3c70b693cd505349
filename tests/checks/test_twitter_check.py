"""TwitterCredentials.check(): GET /2/users/me signed with the four keys (OAuth 1.0a), the bearer token app-only."""

from __future__ import annotations

import pytest

from prefect_secretblocks import TwitterCredentials
from prefect_secretblocks.checks import CheckStatus
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.service_stand_ins import StandIns

KEYS = {
    "api_key": "chkTwApiKey01",
    "api_secret": "chkTwApiSecret01",
    "access_token": "chkTwAccessToken01",
    "access_token_secret": "chkTwAccessSecret01",
}
BEARER = "chkTwBearer01"


@pytest.fixture(scope="module", autouse=True)
def known_keys(stand_ins: StandIns) -> None:
    stand_ins.twitter_keys.append(KEYS)
    stand_ins.twitter_bearer_tokens.add(BEARER)


def credentials(stand_ins: StandIns, keys: dict[str, str] = KEYS, **extra: str) -> TwitterCredentials:
    return TwitterCredentials(**keys, api_url=stand_ins.url, **extra)


def test_keys_the_api_accepts_are_valid_with_the_accounts_username(stand_ins: StandIns) -> None:
    result = credentials(stand_ins).check()
    assert (result.status, result.identity) == (CheckStatus.VALID, "@canarychecks")


def test_a_regenerated_secret_is_invalid(stand_ins: StandIns) -> None:
    result = credentials(stand_ins, {**KEYS, "access_token_secret": canaries.TWITTER["access_token_secret"]}).check()
    assert (result.status, result.reason) == (CheckStatus.INVALID, "HTTP 401 Unauthorized")


def test_unknown_keys_are_invalid_and_not_in_the_result(stand_ins: StandIns) -> None:
    result = credentials(stand_ins, canaries.TWITTER, bearer_token=canaries.TWITTER_BEARER).check()
    assert result.status is CheckStatus.INVALID
    assert_no_leak(repr(result) + str(result.to_dict()), "the check result")


def test_a_bearer_token_the_api_accepts_keeps_the_check_valid(stand_ins: StandIns) -> None:
    assert credentials(stand_ins, bearer_token=BEARER).check().status is CheckStatus.VALID


def test_an_invalidated_bearer_token_is_invalid_and_named(stand_ins: StandIns) -> None:
    result = credentials(stand_ins, bearer_token=canaries.TWITTER_BEARER).check()
    assert (result.status, result.reason) == (CheckStatus.INVALID, "bearer_token: HTTP 401 Unauthorized")


def test_an_unreachable_api_is_unknown() -> None:
    result = TwitterCredentials(**KEYS, api_url="https://127.0.0.1:9").check()
    assert (result.status, result.reason) == (CheckStatus.UNKNOWN, "unreachable (ConnectError)")

"""`prefect-secretblocks check` as a user runs it, and each check's Prefect event, against the stand-ins.

One set of saved blocks for the module: a live, an expiring and a revoked GitHub token, a live and a
dead Slack webhook, Twitter keys and AWS keys against moto's STS. Every command's output, and every
event, is checked for canaries.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from prefect.settings import PREFECT_API_URL
from prefect_aws import AwsCredentials

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks.checks.saved import check_saved_blocks
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli
from tests.helpers.service_stand_ins import GitHubToken as KnownToken
from tests.helpers.service_stand_ins import StandIns, StsEmulator

LIVE_TOKEN = "ghp_" + "CliLive" * 5 + "Tok1"
EXPIRING_TOKEN = "ghp_" + "CliSoon" * 5 + "Tok2"
LIVE_HOOK = "/services/TCLI01/BCLI01/cliLiveHook01"
TWITTER_KEYS = {
    "api_key": "cliTwKey01",
    "api_secret": "cliTwSec01",
    "access_token": "cliTwTok01",
    "access_token_secret": "cliTwTokSec01",
}
IN_TWENTY_DAYS = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=20)
EVENT_PREFIX = "prefect-secretblocks.credential."


@pytest.fixture(scope="module")
def saved(stand_ins: StandIns, sts: StsEmulator) -> dict[str, str]:
    """Save the module's blocks (check-* names); `{TYPE_SLUG/NAME: expected verdict}`."""
    stand_ins.github_tokens[LIVE_TOKEN] = KnownToken(scopes="repo")
    stand_ins.github_tokens[EXPIRING_TOKEN] = KnownToken(expiration=IN_TWENTY_DAYS.strftime("%Y-%m-%d %H:%M:%S UTC"))
    stand_ins.slack_webhooks[LIVE_HOOK] = "live"
    stand_ins.twitter_keys.append(TWITTER_KEYS)
    github = stand_ins.github_api_url
    blocks = {
        "github-token/check-live": (GitHubToken(token=LIVE_TOKEN, api_url=github), "valid"),
        "github-token/check-expiring": (GitHubToken(token=EXPIRING_TOKEN, api_url=github), "expiring"),
        "github-token/check-revoked": (GitHubToken(token=canaries.GITHUB_TOKEN, api_url=github), "invalid"),
        "slack-webhook-url/check-live": (SlackWebhookURL(url=stand_ins.url + LIVE_HOOK), "valid"),
        "slack-webhook-url/check-dead": (
            SlackWebhookURL(url=f"{stand_ins.url}/services/{canaries.SLACK_PATH}"),
            "invalid",
        ),
        "twitter-api-credentials/check-live": (TwitterCredentials(**TWITTER_KEYS, api_url=stand_ins.url), "valid"),
        "aws-credentials/check-live": (aws(sts, sts.access_key_id, sts.secret_access_key), "valid"),
        "aws-credentials/check-deleted": (aws(sts, canaries.AWS_ACCESS_KEY, canaries.AWS_SECRET), "invalid"),
    }
    for name, (block, _) in blocks.items():
        block.save(name.split("/")[1], overwrite=True)
    return {name: verdict for name, (_, verdict) in blocks.items()}


def aws(sts: StsEmulator, key_id: str, secret: str) -> AwsCredentials:
    parameters = {"endpoint_url": sts.url}
    return AwsCredentials(
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        aws_client_parameters=parameters,
    )


def check(stand_ins: StandIns, sts: StsEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "SSL_CERT_FILE": str(stand_ins.certificate),
        "AWS_MAX_ATTEMPTS": "1",
        "COLUMNS": "200",
    }
    result = run_cli("check", *args, env=environment)
    secrets = [sts.access_key_id, sts.secret_access_key, LIVE_TOKEN, EXPIRING_TOKEN, LIVE_HOOK, *TWITTER_KEYS.values()]
    assert_no_leak(
        result.stdout + result.stderr, f"the output of check {' '.join(args)}", [*canaries.DISTINCTIVE, *secrets]
    )
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def every_block_as_json(stand_ins: StandIns, sts: StsEmulator, saved: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """`check --format json --expires-within 30` without names: every saved block (other tests' too), run once."""
    result = check(stand_ins, sts, "--format", "json", "--expires-within", "30")
    return result.returncode, json.loads(result.stdout)


def test_every_saved_block_of_each_checkable_type_is_checked(
    every_block_as_json: tuple[int, dict[str, Any]], saved: dict[str, str]
) -> None:
    _, document = every_block_as_json
    verdicts = {f"{entry['block_type']}/{entry['block_name']}": entry["verdict"] for entry in document["checks"]}
    assert {name: verdicts.get(name) for name in saved} == saved


def test_the_json_tells_scopes_expiry_account_and_arn_but_no_value(
    every_block_as_json: tuple[int, dict[str, Any]], sts: StsEmulator
) -> None:
    entries = {f"{entry['block_type']}/{entry['block_name']}": entry for entry in every_block_as_json[1]["checks"]}
    assert entries["github-token/check-live"]["scopes"] == ["repo"]
    assert entries["github-token/check-expiring"]["expires_at"] == IN_TWENTY_DAYS.isoformat()
    assert (entries["aws-credentials/check-live"]["account"], entries["aws-credentials/check-live"]["identity"]) == (
        sts.account,
        sts.arn,
    )
    assert entries["aws-credentials/check-deleted"]["reason"] == "InvalidClientTokenId"
    assert entries["slack-webhook-url/check-dead"]["reason"] == "no_service"


def test_exit_1_when_any_block_is_invalid(every_block_as_json: tuple[int, dict[str, Any]]) -> None:
    assert every_block_as_json[0] == 1


def test_exit_0_when_the_named_blocks_all_work(stand_ins: StandIns, sts: StsEmulator, saved: dict[str, str]) -> None:
    result = check(stand_ins, sts, "github-token/check-live", "check-live")  # NAME: every type's check-live
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 checked: 4 valid" in result.stdout
    for block_type in ("github-token", "slack-webhook-url", "twitter-api-credentials", "aws-credentials"):
        assert block_type in result.stdout


def test_the_table_says_why_a_block_is_invalid_and_when_a_token_expires(
    stand_ins: StandIns, sts: StsEmulator, saved: dict[str, str]
) -> None:
    result = check(stand_ins, sts, "check-revoked", "check-dead", "check-expiring")  # 20 days left, window 14
    assert result.returncode == 1
    assert "HTTP 401 Bad credentials" in result.stdout and "no_service" in result.stdout
    assert "(in 19 days)" in result.stdout
    assert "3 checked: 1 valid, 2 invalid" in result.stdout


@pytest.mark.parametrize("args", [("check-live", "no-such-block"), ("--expires-within", "-1")])
def test_bad_input_exits_2_with_one_line(
    stand_ins: StandIns, sts: StsEmulator, saved: dict[str, str], args: tuple[str, ...]
) -> None:
    result = check(stand_ins, sts, *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error:")


def _events(block_document_ids: set[str], wanted: int) -> list[dict[str, Any]]:
    """The check events about these documents on the test server, once `wanted` have arrived (10 s at most)."""
    since = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    body = {"filter": {"event": {"prefix": [EVENT_PREFIX]}, "occurred": {"since": since}}, "limit": 50}
    deadline = time.monotonic() + 10
    while True:
        events = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json=body, timeout=10).json()["events"]
        mine = [
            event for event in events if event["resource"]["prefect.resource.id"].split(".")[-1] in block_document_ids
        ]
        if len(mine) >= wanted or time.monotonic() > deadline:
            return mine
        time.sleep(0.5)


@pytest.mark.prefect3_only(
    reason="Prefect 2's open-source server stores events only with PREFECT_EXPERIMENTAL_EVENTS=true"
)
def test_each_check_of_a_saved_block_emits_its_event_about_the_block_document(saved: dict[str, str]) -> None:
    report = asyncio.run(check_saved_blocks([name for name in saved if "aws" not in name], timedelta(days=30)))
    ids = {str(entry.block.block_document_id): entry.verdict.value for entry in report.checks}
    events = _events(set(ids), len(ids))
    found = {event["resource"]["prefect.resource.id"]: event["event"] for event in events}
    for document_id, verdict in ids.items():
        assert found.get(f"prefect.block-document.{document_id}") == EVENT_PREFIX + verdict
    assert {"expiring", "invalid", "valid"} <= set(ids.values())
    assert_no_leak(json.dumps(events), "the check events", [*canaries.DISTINCTIVE, LIVE_TOKEN, LIVE_HOOK])

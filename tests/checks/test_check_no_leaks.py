"""No value reaches a check's result, exception, logs or output, for blocks holding the canaries, whatever each service answers."""

from __future__ import annotations

import logging

import pytest
from prefect_aws import AwsCredentials

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks.checks.aws import check_aws_credentials
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.service_stand_ins import StandIns, StsEmulator


def canary_blocks(stand_ins: StandIns) -> list[object]:
    """Canary-holding blocks, each pointed once at its stand-in (refused) and once at a closed port (unreachable)."""
    blocks: list[object] = []
    for base in (stand_ins.url, "https://127.0.0.1:9"):
        blocks += [
            GitHubToken(token=canaries.GITHUB_TOKEN, api_url=f"{base}/api/v3"),
            SlackWebhookURL(url=f"{base}/services/{canaries.SLACK_PATH}"),
            TwitterCredentials(**canaries.TWITTER, bearer_token=canaries.TWITTER_BEARER, api_url=base),
        ]
    return blocks


def test_checks_of_refused_and_unreachable_canaries_leak_nowhere(
    stand_ins: StandIns, sts: StsEmulator, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="prefect")
    caplog.set_level(logging.DEBUG, logger="prefect_secretblocks")
    caplog.set_level(logging.DEBUG, logger="httpx")
    results = [block.check() for block in canary_blocks(stand_ins)]  # type: ignore[attr-defined]
    for endpoint in (sts.url, "http://127.0.0.1:9"):
        aws = AwsCredentials(
            aws_access_key_id=canaries.AWS_ACCESS_KEY,
            aws_secret_access_key=canaries.AWS_SECRET,
            region_name="us-east-1",
            aws_client_parameters={"endpoint_url": endpoint},
        )
        results.append(check_aws_credentials(aws))
    assert {result.status.value for result in results} == {"invalid", "unknown"}
    out, err = capfd.readouterr()
    text = "".join(f"{result!r}{result.to_dict()}" for result in results)
    assert_no_leak(text + caplog.text + out + err, "check results, logs and output")

"""docs/check.md: its Automation is one the server accepts and runs, notifying through a SlackWebhookURL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.http_recorder import HttpRecorder
from tests.helpers.service_stand_ins import StandIns

PAGE = Path(__file__).resolve().parents[2] / "docs" / "check.md"


def documented_automation() -> dict[str, Any]:
    section = PAGE.read_text().split("## An Automation that tells Slack", 1)[1]
    document = section.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    return yaml.safe_load(document)


@pytest.mark.prefect3_only(
    reason="Prefect 2's open-source server runs Automations only with PREFECT_EXPERIMENTAL_EVENTS=true"
)
def test_the_documented_automation_notifies_slack_when_a_check_finds_a_dead_token(
    stand_ins: StandIns, slack_stand_in: HttpRecorder
) -> None:
    SlackWebhookURL(url=f"{slack_stand_in.url}/services/TDOCS/BDOCS/docsAutomation").save(
        "check-docs-notify", overwrite=True
    )
    notify = SlackWebhookURL.load("check-docs-notify")
    automation = documented_automation()
    automation["actions"][0]["block_document_id"] = str(notify._block_document_id)  # BLOCK_DOCUMENT_ID
    api = PREFECT_API_URL.value()
    created = httpx.post(f"{api}/automations/", json=automation, timeout=10)
    assert created.status_code == 201, created.text
    try:
        GitHubToken(token=canaries.GITHUB_TOKEN, api_url=stand_ins.github_api_url).save(
            "check-docs-dead", overwrite=True
        )
        dead = GitHubToken.load("check-docs-dead")
        assert dead.check().status.value == "invalid"
        message = _posted(slack_stand_in, "/services/TDOCS/BDOCS/docsAutomation", timeout=30)
    finally:
        httpx.delete(f"{api}/automations/{created.json()['id']}", timeout=10)
    assert message is not None, "the Automation posted nothing"
    assert "A Prefect credential needs attention" in message and "check-docs-dead" in message
    assert "prefect-secretblocks.credential.invalid HTTP 401 Bad credentials" in message
    assert_no_leak(message, "the Automation's message")


def _posted(recorder: HttpRecorder, path: str, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for request in recorder.requests:
            if request.path == path and isinstance(request.body, dict) and request.body.get("text"):
                return str(request.body["text"])
        time.sleep(0.5)
    return None

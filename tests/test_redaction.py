"""Every secret a run touches is masked in Prefect's logs and in its run states' messages.

In this process the package is imported, so masking is on (as Prefect turns it on in a process that
looks a block up by slug: tests/e2e/test_masking_deployment.py shows that with a worker's runs).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any
from uuid import UUID

import pytest
from prefect import flow, get_run_logger, task
from prefect.blocks.core import Block
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler
from prefect.utilities.templating import resolve_block_document_references
from prefect_aws import AwsCredentials, S3Bucket
from prefect_azure import AzureBlobStorageCredentials
from prefect_bitbucket import BitBucketCredentials
from prefect_email import EmailServerCredentials
from prefect_gcp import GcpCredentials
from prefect_gitlab import GitLabCredentials

from prefect_secretblocks import GitHubToken, SlackWebhookURL, mask_secret
from prefect_secretblocks._compat import PREFECT_2
from prefect_secretblocks.redaction import (
    MASK,
    MASKER,
    OPT_OUT_VARIABLE,
    SecretMasker,
    SecretRedactingFilter,
    mask_secrets,
    register_secrets,
)
from tests.canaries import leaks
from tests.migration.integration_values import (
    AZURE_CONNECTION_STRING,
    BITBUCKET_TOKEN,
    GITLAB_TOKEN,
    gcp_service_account,
)

CANARY_TOKEN = "ghp_canaryREDACTcanaryREDACTcanary123456"
CANARY_URL = "https://hooks.slack.com/services/TCANARY01/BCANARY01/canaryRedactPath0123"


def test_mask_secrets_replaces_every_occurrence() -> None:
    assert mask_secrets("a canary-value b canary-value", ["canary-value"]) == f"a {MASK} b {MASK}"


def test_mask_secrets_masks_a_longer_secret_whole_before_a_shorter_one_inside_it() -> None:
    assert mask_secrets("xx-canary-long", ["canary", "xx-canary-long"]) == MASK


def test_short_values_are_not_masked() -> None:
    assert mask_secrets("port 80", ["80"]) == "port 80"


def test_prefects_own_mask_is_never_taken_for_a_value() -> None:
    masker = SecretMasker()
    assert not masker.add(["********", "**********"])
    assert masker.mask(f"{MASK} stays") == f"{MASK} stays"


def test_one_masker_finds_any_of_ten_thousand_values_in_one_pass() -> None:
    masker = SecretMasker()
    masker.add(f"canary-bulk-{number:05d}" for number in range(10_000))
    assert masker.mask("a canary-bulk-09999 b canary-bulk-00000 c") == f"a {MASK} b {MASK} c"


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("prefect.flow_runs", logging.INFO, __file__, 1, msg, args, None)


def test_filter_masks_message_arguments() -> None:
    register_secrets(["canary-filter-args-01"])
    record = _record("token is %s", "canary-filter-args-01")
    SecretRedactingFilter().filter(record)
    assert record.getMessage() == f"token is {MASK}"


def test_filter_masks_formatted_exceptions() -> None:
    register_secrets(["canary-filter-exc-02"])
    try:
        raise ValueError("bad canary-filter-exc-02")
    except ValueError:
        record = logging.LogRecord("prefect", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    SecretRedactingFilter().filter(record)
    assert "canary-filter-exc-02" not in logging.Formatter().format(record)
    assert MASK in record.exc_text


def test_a_record_is_scanned_again_only_when_values_were_added_since() -> None:
    register_secrets(["canaryRescanA7Qx4"])
    record = _record("canaryRescanA7Qx4 then canaryRescanB9Wz2")
    SecretRedactingFilter().filter(record)
    register_secrets(["canaryRescanB9Wz2"])
    SecretRedactingFilter().filter(record)
    assert record.getMessage() == f"{MASK} then {MASK}"


def test_opt_out_setting_disables_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OPT_OUT_VARIABLE, "false")
    register_secrets(["canary-opted-out-03"])
    record = _record("value canary-opted-out-03")
    SecretRedactingFilter().filter(record)
    assert "canary-opted-out-03" in record.getMessage()


def test_mask_secret_masks_a_value_obtained_elsewhere_and_each_leaf_of_a_document() -> None:
    mask_secret("canary-from-the-environment-04")
    mask_secret({"user": "canary-leaf-user-05", "nested": ["canary-leaf-item-06"]})
    text = MASKER.mask("canary-from-the-environment-04 canary-leaf-user-05 canary-leaf-item-06")
    assert text == f"{MASK} {MASK} {MASK}"


# Any block's secret-typed fields, as Prefect builds the block from a document on load.
BLOCKS_BUILT_AS_ON_LOAD = {
    "core Secret": (Secret, {"value": "canary-core-secret-07"}, ["canary-core-secret-07"]),
    "core Secret, JSON leaf": (
        Secret,
        {
            "value": json.dumps({"password": "canary-json-leaf-08"})
            if PREFECT_2
            else {"password": "canary-json-leaf-08"}
        },
        ["canary-json-leaf-08"],
    ),
    "AwsCredentials": (
        AwsCredentials,
        {"aws_access_key_id": "AKIACANARY", "aws_secret_access_key": "canary-aws-secret-09"},
        ["canary-aws-secret-09"],
    ),
    "nested AwsCredentials of an S3Bucket": (
        S3Bucket,
        {"bucket_name": "b", "credentials": {"aws_secret_access_key": "canary-nested-aws-10"}},
        ["canary-nested-aws-10"],
    ),
    "prefect-email EmailServerCredentials": (
        EmailServerCredentials,
        {"username": "etl@example.com", "password": "canary-email-pw-15"},
        ["canary-email-pw-15"],
    ),
    "prefect-gitlab GitLabCredentials": (GitLabCredentials, {"token": GITLAB_TOKEN}, [GITLAB_TOKEN]),
    "prefect-bitbucket BitBucketCredentials": (BitBucketCredentials, {"token": BITBUCKET_TOKEN}, [BITBUCKET_TOKEN]),
    "prefect-azure AzureBlobStorageCredentials": (
        AzureBlobStorageCredentials,
        {"connection_string": AZURE_CONNECTION_STRING},
        [AZURE_CONNECTION_STRING],
    ),
    "GcpCredentials' SecretDict": (
        GcpCredentials,
        {"service_account_info": {**gcp_service_account(), "client_email": "canary-gcp-mail-12@x.iam"}},
        [gcp_service_account()["private_key"], "canary-gcp-mail-12@x.iam"],
    ),
}


@pytest.mark.parametrize("kind", BLOCKS_BUILT_AS_ON_LOAD)
def test_every_secret_field_of_any_block_prefect_builds_is_masked(kind: str) -> None:
    block_class, data, secrets = BLOCKS_BUILT_AS_ON_LOAD[kind]
    block_class.parse_obj(data) if PREFECT_2 else block_class.model_validate(data)
    assert not leaks(MASKER.mask(" ".join(secrets)), secrets)


async def test_a_deployment_block_reference_resolved_from_its_document_is_masked() -> None:
    await Secret(value="canary-reference-13").save("redaction-reference", overwrite=True)
    resolved = await resolve_block_document_references({"token": "{{ prefect.blocks.secret.redaction-reference }}"})
    assert resolved == {"token": "canary-reference-13"}
    assert MASKER.mask(resolved["token"]) == MASK


async def _run_logs(flow_run_id: Any) -> list[str]:
    await APILogHandler.aflush()
    async with get_client() as client:
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200, offset=0
        )
    return [log.message for log in logs]


async def test_flow_run_logs_in_the_api_show_only_the_mask_for_a_loaded_secret() -> None:
    await GitHubToken(token=CANARY_TOKEN).asave("redaction-token", overwrite=True)
    await SlackWebhookURL(url=CANARY_URL).asave("redaction-slack", overwrite=True)

    @flow
    def logs_its_secrets_by_mistake() -> str:
        logger = get_run_logger()
        token = GitHubToken.load("redaction-token").get()
        logger.info("token: %s", token)
        logger.warning(f"url: {SlackWebhookURL.load('redaction-slack').get()}")
        try:
            raise RuntimeError(f"clone failed for {token}")
        except RuntimeError:
            logger.exception("clone error")
        from prefect.runtime import flow_run

        return flow_run.id

    flow_run_id = logs_its_secrets_by_mistake()
    messages = "\n".join(await _run_logs(flow_run_id))
    assert "token: " + MASK in messages and "url: " + MASK in messages
    assert CANARY_TOKEN not in messages and CANARY_URL not in messages
    assert "canaryREDACT" not in messages


FAILING_CANARY = "canary-state-message-14"


@task
def fails_with(value: str) -> None:
    raise RuntimeError(f"task failed with {value}")


@flow(log_prints=True)
def prints_and_fails_with_a_loaded_secret() -> None:
    value = Block.load("secret/redaction-failing").get()
    print(f"printed {value}")
    fails_with(value, return_state=True)
    raise RuntimeError(f"https://{value}@github.com/org/repo.git")


async def test_failed_flow_and_task_run_states_and_printed_lines_hold_only_the_mask() -> None:
    await Secret(value=FAILING_CANARY).save("redaction-failing", overwrite=True)
    state = prefect_return_state(prints_and_fails_with_a_loaded_secret)
    flow_run_id = state.state_details.flow_run_id
    async with get_client() as client:
        flow_run = await client.read_flow_run(flow_run_id)
        task_runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    messages = [flow_run.state.message, *(run.state.message for run in task_runs if run.state)]
    assert flow_run.state.is_failed() and f"https://{MASK}@github.com" in flow_run.state.message
    assert any(f"task failed with {MASK}" in (message or "") for message in messages[1:]), messages
    logs = "\n".join(await _run_logs(flow_run_id))
    assert f"printed {MASK}" in logs
    assert not leaks("\n".join([*map(str, messages), logs]), [FAILING_CANARY])


def prefect_return_state(flow_function: Any) -> Any:
    """Run a flow that fails, for its final state (both majors take `return_state`)."""
    state = flow_function(return_state=True)
    assert isinstance(state.state_details.flow_run_id, UUID)
    return state

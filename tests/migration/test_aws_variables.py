"""AWS keys stored as 1.x secrets named like boto3's variables: one prefect-aws AwsCredentials block.

Teams stored `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN` and
`AWS_DEFAULT_REGION`/`AWS_REGION`) as separate secrets more often than one `AWS_CREDENTIALS` table.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from prefect_aws import AwsCredentials

from prefect_secretblocks._compat import aload_block
from prefect_secretblocks.cli import describe_bad_input
from prefect_secretblocks.exceptions import ValueDoesNotFit
from prefect_secretblocks.migration import Action, MigrationOptions, Result, V1Secret, plan_migration, run_migration
from prefect_secretblocks.migration.journal import read_journal
from prefect_secretblocks.migration.rollback import RollbackAction, rollback_migration
from tests.canaries import AWS_ACCESS_KEY, AWS_SECRET, assert_no_leak

_prefixes = itertools.count()
SESSION_TOKEN = "fake-session-token-q8w7"


def secret(name: str, value: Any, source: str = "config.toml") -> V1Secret:
    return V1Secret(name=name, value=value, sources=(source,))


def aws_variables(**more: str) -> list[V1Secret]:
    pair = [secret("AWS_ACCESS_KEY_ID", AWS_ACCESS_KEY), secret("AWS_SECRET_ACCESS_KEY", AWS_SECRET, "env")]
    return pair + [secret(name, value) for name, value in more.items()]


def test_the_key_pair_is_one_planned_aws_credentials_block() -> None:
    [entry] = plan_migration(aws_variables()).entries
    assert (entry.secret, entry.source) == ("AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY", "config.toml, env")
    assert (entry.block_type, entry.block_name, entry.action) == ("aws-credentials", "aws-credentials", Action.CREATE)
    block = entry.block
    assert isinstance(block, AwsCredentials)
    assert (block.aws_access_key_id, block.aws_secret_access_key.get_secret_value()) == (AWS_ACCESS_KEY, AWS_SECRET)


def test_the_session_token_and_region_join_the_block_when_found() -> None:
    secrets = aws_variables(AWS_SESSION_TOKEN=SESSION_TOKEN, AWS_DEFAULT_REGION="eu-west-1", DB_PASSWORD="fake-db")
    entries = plan_migration(secrets).entries
    assert [entry.secret for entry in entries] == [
        "AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY + AWS_SESSION_TOKEN + AWS_DEFAULT_REGION",
        "DB_PASSWORD",
    ]
    block = entries[0].block
    assert isinstance(block, AwsCredentials)
    assert (block.aws_session_token, block.region_name) == (SESSION_TOKEN, "eu-west-1")


def test_both_region_names_with_one_value_join_and_different_values_are_bad_input() -> None:
    [entry] = plan_migration(aws_variables(AWS_DEFAULT_REGION="eu-west-1", AWS_REGION="eu-west-1")).entries
    assert isinstance(entry.block, AwsCredentials) and entry.block.region_name == "eu-west-1"
    with pytest.raises(ValueDoesNotFit) as caught:
        plan_migration(aws_variables(AWS_DEFAULT_REGION="eu-west-1", AWS_REGION="us-east-1"))
    message = describe_bad_input(caught.value)
    assert "AWS_DEFAULT_REGION and AWS_REGION differ" in message
    assert message.endswith(
        "--map AWS_SECRET_ACCESS_KEY=secret --map AWS_DEFAULT_REGION=secret --map AWS_REGION=secret"
    )
    assert_no_leak(message, "the plan error", [AWS_ACCESS_KEY, AWS_SECRET])


def test_map_to_secret_keeps_them_as_core_secrets() -> None:
    options = MigrationOptions(block_types={"AWS_ACCESS_KEY_ID": "secret", "AWS_SECRET_ACCESS_KEY": "secret"})
    assert [
        (entry.secret, entry.block_type, entry.block_name) for entry in plan_migration(aws_variables(), options).entries
    ] == [
        ("AWS_ACCESS_KEY_ID", "secret", "aws-access-key-id"),
        ("AWS_SECRET_ACCESS_KEY", "secret", "aws-secret-access-key"),
    ]


def test_a_lone_key_stays_a_core_secret_with_a_note() -> None:
    [entry] = plan_migration([secret("AWS_SECRET_ACCESS_KEY", AWS_SECRET)]).entries
    assert (entry.block_type, entry.block_name) == ("secret", "aws-secret-access-key")
    assert "aws-credentials holds AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY together" in entry.note


def test_a_name_given_to_any_of_them_names_the_block_and_scan_agrees() -> None:
    options = MigrationOptions(block_names={"AWS_SESSION_TOKEN": "deploy-aws"})
    [entry] = plan_migration(aws_variables(AWS_SESSION_TOKEN=SESSION_TOKEN), options).entries
    assert entry.block_name == "deploy-aws"
    assert {options.block_name(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_REGION")} == {"deploy-aws"}


async def test_saved_verified_unchanged_on_a_re_run_and_rolled_back(tmp_path: Path) -> None:
    options = MigrationOptions(prefix=f"awsvars{next(_prefixes)}-")
    secrets = aws_variables(AWS_SESSION_TOKEN=SESSION_TOKEN, AWS_REGION="eu-west-1")
    journal = tmp_path / "journal.jsonl"
    _, report = await run_migration(secrets, options, journal_path=journal)
    assert report is not None and [outcome.result for outcome in report.outcomes] == [Result.CREATED]
    loaded = await aload_block(AwsCredentials, report.outcomes[0].entry.block_name)
    assert (loaded.aws_access_key_id, loaded.aws_session_token, loaded.region_name) == (
        AWS_ACCESS_KEY,
        SESSION_TOKEN,
        "eu-west-1",
    )
    again, _ = await run_migration(secrets, options, dry_run=True)
    assert [entry.action for entry in again.entries] == [Action.UNCHANGED]  # what --check gates on
    undone = await rollback_migration(read_journal(journal))
    assert [step.action for step in undone.steps] == [RollbackAction.DELETE]
    gone, _ = await run_migration(secrets, options, dry_run=True)
    assert [entry.action for entry in gone.entries] == [Action.CREATE]

"""A secret a 1.x API reads as one kind of credential is that block, whatever its name, unless the config says otherwise."""

from __future__ import annotations

from pathlib import Path

from prefect_secretblocks.migration.plan import MigrationOptions
from prefect_secretblocks.scan import Finding, fix_project, scan_project
from tests import canaries

STORAGE = """\
from prefect import Flow
from prefect.storage import GitHub

with Flow("etl", storage=GitHub(repo="org/flows", path="etl.py", access_token_secret="GITHUB")) as flow:
    pass
"""
PLAIN_READ = """\
from prefect.client import Secret

token = Secret("GITHUB").get()
"""
SLACK_TASK = """\
from prefect.tasks.notifications import SlackTask

notify = SlackTask(webhook_secret="ALERTS_HOOK")
"""


def project(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(text)
    return tmp_path


def by_usage(findings: tuple[Finding, ...]) -> dict[str, Finding]:
    return {finding.usage: finding for finding in findings}


def test_a_github_storage_token_is_a_github_token_block_in_type_replacement_and_note(tmp_path: Path) -> None:
    [finding] = scan_project(project(tmp_path, flow=STORAGE)).findings
    assert (finding.secret, finding.block_type, finding.block_name) == ("GITHUB", "github-token", "github")
    assert finding.replacement == 'GitHubToken.load("github").get()'
    assert "GitHubToken.load(...)" in finding.note  # the storage's own note, now consistent
    assert finding.note.endswith(
        "1.x reads it as a github-token block: migrate makes one with --map GITHUB=github-token"
    )


def test_every_read_of_that_secret_gets_the_same_type_and_fix(tmp_path: Path) -> None:
    root = project(tmp_path, flow=STORAGE, read=PLAIN_READ)
    findings = by_usage(scan_project(root).findings)
    plain = findings['Secret("GITHUB").get()']
    assert (plain.block_type, plain.replacement, plain.fixable) == (
        "github-token",
        'GitHubToken.load("github").get()',
        True,
    )
    fixed = fix_project(scan_project(root))
    assert sum(finding.fixed for finding in fixed.findings) == 1
    assert 'token = GitHubToken.load("github").get()' in (root / "read.py").read_text()


def test_a_slack_tasks_webhook_secret_is_a_slack_webhook_url_block(tmp_path: Path) -> None:
    [finding] = scan_project(project(tmp_path, notify=SLACK_TASK)).findings
    assert (finding.block_type, finding.replacement) == (
        "slack-webhook-url",
        'SlackWebhookURL.load("alerts-hook").get()',
    )


def test_a_value_with_the_blocks_shape_needs_no_map(tmp_path: Path) -> None:
    [finding] = scan_project(project(tmp_path, flow=STORAGE), values={"GITHUB": canaries.GITHUB_TOKEN}).findings
    assert finding.block_type == "github-token" and "--map" not in finding.note


def test_the_config_and_map_say_otherwise(tmp_path: Path) -> None:
    root = project(tmp_path, flow=STORAGE)
    [by_value] = scan_project(root, values={"GITHUB": canaries.SLACK_URL}).findings
    assert by_value.block_type == "slack-webhook-url"
    [mapped] = scan_project(root, MigrationOptions(block_types={"GITHUB": "secret"})).findings
    assert (mapped.block_type, mapped.replacement) == ("secret", 'Secret.load("github").get()')


def test_a_read_of_one_of_the_aws_variables_is_rewritten_to_the_shared_blocks_field(tmp_path: Path) -> None:
    code = 'from prefect.client import Secret\n\nkey = Secret("AWS_SECRET_ACCESS_KEY").get()\n'
    root = project(tmp_path, keys=code)
    [finding] = scan_project(root).findings
    assert (finding.block_type, finding.block_name) == ("aws-credentials", "aws-credentials")
    assert finding.replacement == 'AwsCredentials.load("aws-credentials").aws_secret_access_key.get_secret_value()'
    assert [finding.fixed for finding in fix_project(scan_project(root)).findings] == [True]
    rewritten = (root / "keys.py").read_text()
    assert "from prefect_aws import AwsCredentials" in rewritten
    assert 'key = AwsCredentials.load("aws-credentials").aws_secret_access_key.get_secret_value()' in rewritten

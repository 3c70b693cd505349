"""Scan and --fix on a code base shaped like real 1.x projects (tests/scan/fixtures/v1_monorepo).

Helpers calling `PrefectSecret(...).run()`, a `with Flow(...)` block, Azure and GCP SDK clients
whose methods are named like Prefect's, `SecretBase` subclasses, docstrings and comments that
mention secrets, and a Makefile and README with agent commands carrying values.
"""

from __future__ import annotations

import ast
from pathlib import Path

from prefect_secretblocks.scan import Finding, Kind, fix_project, scan_project
from tests.canaries import assert_no_leak


def findings_in(monorepo: Path, file: str) -> list[Finding]:
    return [
        finding
        for finding in scan_project(monorepo).findings
        if Path(finding.file).relative_to(monorepo).as_posix() == file
    ]


def test_prefect_secret_run_in_helper_functions_is_a_sure_read(monorepo: Path) -> None:
    found = findings_in(monorepo, "flows/helpers.py")
    assert [(finding.line, finding.usage, finding.fixable) for finding in found] == [
        (13, 'PrefectSecret("WAREHOUSE_PASSWORD").run()', True),
        (20, 'PrefectSecret("WAREHOUSE_PASSWORD").run()', True),
        (25, 'PrefectSecret("GITHUB_ACCESS_TOKEN").run()', True),
    ]


def test_inside_a_with_flow_block_reads_are_left_with_a_note(monorepo: Path) -> None:
    by_line = {finding.line: finding for finding in findings_in(monorepo, "flows/nightly.py")}
    assert by_line[11].fixable  # in a @task function: a sure rewrite
    assert not by_line[16].fixable and "load the block in the flow" in by_line[16].note  # builds a task
    assert not by_line[17].fixable and "`with Flow(...)` block" in by_line[17].note


def test_sdk_clients_with_methods_named_like_prefects_are_not_findings(monorepo: Path) -> None:
    assert findings_in(monorepo, "integrations/azure_keyvault.py") == []
    assert findings_in(monorepo, "integrations/gcp_secrets.py") == []


def test_set_secret_on_a_1x_client_is_found_through_a_variable_or_an_annotation(monorepo: Path) -> None:
    found = findings_in(monorepo, "integrations/cloud_admin.py")
    assert [(finding.line, finding.kind, finding.secret) for finding in found] == [
        (8, Kind.ENV, "SLACK_WEBHOOK_URL"),  # `client: Client` parameter
        (13, Kind.EXPOSED, "GITHUB_ACCESS_TOKEN"),  # `admin = Client()`, a literal value
    ]


def test_secret_base_subclasses_are_reported_for_review(monorepo: Path) -> None:
    found = findings_in(monorepo, "tasks/vault.py")
    assert [(finding.line, finding.kind, finding.usage) for finding in found] == [
        (7, Kind.REVIEW, "class VaultKV(SecretBase)"),
        (18, Kind.REVIEW, "class CachedSecret(PrefectSecret)"),
    ]


def test_docstrings_and_comments_that_mention_secrets_are_not_findings(monorepo: Path) -> None:
    lines = {finding.line for finding in findings_in(monorepo, "flows/helpers.py")}
    assert lines.isdisjoint({1, 2, 3, 4, 12})  # the module docstring, the comment


def test_agent_commands_in_a_makefile_and_a_readme_with_values_are_exposed(monorepo: Path) -> None:
    located = {
        (Path(finding.file).name, finding.line, finding.column, finding.kind, finding.secret)
        for finding in scan_project(monorepo).findings
    }
    assert {
        ("Makefile", 6, 9, Kind.ENV, "GITHUB_ACCESS_TOKEN"),  # $(GITHUB_TOKEN): set from elsewhere
        ("Makefile", 7, 9, Kind.EXPOSED, "SLACK_WEBHOOK_URL"),
        ("README.md", 6, 33, Kind.EXPOSED, "WAREHOUSE_PASSWORD"),
        ("README.md", 9, 17, Kind.ENV, "GITHUB_ACCESS_TOKEN"),  # named in prose, no value
        ("agent.env", 1, 1, Kind.EXPOSED, "SYNC_API_KEY"),
    } <= located


def test_fix_rewrites_prefect_secret_run_outside_flows_adding_the_import_once(monorepo: Path) -> None:
    fix_project(scan_project(monorepo))
    helpers = (monorepo / "flows" / "helpers.py").read_text()
    ast.parse(helpers)
    assert helpers.count("from prefect.blocks.system import Secret\n") == 1
    assert helpers.count("from prefect_secretblocks import GitHubToken\n") == 1
    assert 'return Secret.load("warehouse-password").get()\n' in helpers
    assert 'password=Secret.load("warehouse-password").get(),  # same secret, second call site' in helpers
    assert 'token = GitHubToken.load("github-access-token").get()' in helpers
    assert "import PrefectSecret" not in helpers  # the 1.x import nothing uses any more
    assert 'instead of PrefectSecret("WAREHOUSE_PASSWORD").run() in new code' in helpers  # docstring kept


def test_fix_leaves_the_flow_block_and_keeps_the_1x_import_it_still_uses(monorepo: Path) -> None:
    fixed = fix_project(scan_project(monorepo))
    nightly = (monorepo / "flows" / "nightly.py").read_text()
    assert 'api_key = Secret.load("sync-api-key").get()' in nightly
    assert 'PrefectSecret("GITHUB_ACCESS_TOKEN")\n' in nightly and 'PrefectSecret("DEBUG_API_KEY").run()' in nightly
    assert "from prefect.tasks.secrets import PrefectSecret\n" in nightly
    assert sum(finding.fixed for finding in fixed.findings) == 4


def test_no_value_of_the_fixture_reaches_a_finding(monorepo: Path) -> None:
    result = scan_project(monorepo)
    assert_no_leak(repr(result.findings) + str(result.to_dict()), "the findings of the 1.x-shaped fixture")

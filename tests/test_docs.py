"""The documentation builds cleanly, and every block's documentation URL has its page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks.blocks._shared import DOCUMENTATION_ROOT

REPO = Path(__file__).resolve().parents[1]


def test_mkdocs_build_strict_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.parametrize("block", [GitHubToken, SlackWebhookURL, TwitterCredentials], ids=lambda block: block.__name__)
def test_documentation_url_points_at_a_page(block: type) -> None:
    url = str(block._documentation_url)
    assert url.startswith(DOCUMENTATION_ROOT + "/")
    page = url[len(DOCUMENTATION_ROOT) + 1 :].strip("/")
    assert (REPO / "docs" / f"{page}.md").is_file(), urlparse(url).path


def test_scan_page_lists_every_1x_reader_argument_and_default_name() -> None:
    from prefect_secretblocks.scan.v1_readers import V1_READERS

    page = (REPO / "docs" / "scan.md").read_text()
    for reader in V1_READERS:
        for parameter in reader.parameters:
            for word in (parameter.keyword, parameter.default):
                assert word is None or f"`{word}`" in page, word


def test_migration_page_target_table_lists_every_target_with_its_1x_names_and_extra() -> None:
    from prefect_secretblocks.migration.targets import BLOCK_TARGETS

    rows = [line for line in (REPO / "docs" / "migration.md").read_text().splitlines() if line.startswith("| ")]
    for target in BLOCK_TARGETS:
        [row] = [row for row in rows if f"(`{target.slug}`)" in row]
        assert all(f"`{name}`" in row for name in target.v1_names), target.slug
        if target.integration is not None:
            assert row.endswith(f"| `prefect-secretblocks[{target.integration.extra}]` |"), target.slug


def test_slack_page_automation_is_the_one_the_end_to_end_test_creates() -> None:
    import yaml

    from tests.e2e.test_automations import automation

    page = (REPO / "docs" / "blocks" / "slack.md").read_text()
    section = page[page.index("## In Automations") :]
    document = section[section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", section.index("```yaml"))]
    assert yaml.safe_load(document) == automation("slack-on-failure", "DEPLOYMENT_ID", "BLOCK_DOCUMENT_ID")


def test_migration_page_flags_table_lists_every_migrate_option() -> None:
    import typer.main

    from prefect_secretblocks.cli import app

    migrate = typer.main.get_command(app).commands["migrate"]
    page = (REPO / "docs" / "migration.md").read_text()
    flags = page[page.index("## Flags") : page.index("Exit codes:")]
    for parameter in migrate.params:
        names = [*parameter.opts, *getattr(parameter, "secondary_opts", [])]
        assert any(f"`{name}" in flags for name in names if name.startswith("--")), names

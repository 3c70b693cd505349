"""The documentation builds cleanly, and every block's documentation URL has its page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import pytest

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks.blocks._shared import DOCUMENTATION_ROOT
from tests.e2e.ui_pages import ALL_UIS, SecretInput

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


def _ui_table_row(head: str, cells: list[str]) -> str:
    return f"| {head} | {' | '.join(cells)} |"


def _what_each_ui_does(block: type, secret_fields: str, pattern_field: Optional[str]) -> list[str]:
    """The rows of a block page's "In the Prefect UI" table, from the record in tests/e2e/ui_pages.py."""

    def rendering(secret_input: SecretInput) -> str:
        element = "plain textarea" if secret_input.element == "textarea" else secret_input.element
        return f"{element}: typed value {'readable' if secret_input.readable else 'masked'}"

    def yes_no(flags: list[bool]) -> list[str]:
        return ["yes" if flag else "no" for flag in flags]

    rows = [
        f"| | {' | '.join(ui.label for ui in ALL_UIS)} |",
        _ui_table_row(secret_fields, [rendering(ui.secret_input) for ui in ALL_UIS]),
        _ui_table_row(
            "Refuses a required field left empty before saving", yes_no([ui.enforces_required for ui in ALL_UIS])
        ),
        _ui_table_row(
            "Keeps typed, unsaved values in the browser's localStorage", yes_no([ui.keeps_draft for ui in ALL_UIS])
        ),
    ]
    if pattern_field is not None:
        head = f"Refuses a `{pattern_field}` that breaks its schema pattern before saving"
        rows.append(_ui_table_row(head, yes_no([ui.enforces_pattern for ui in ALL_UIS])))
    return rows


TWITTER_FIELDS = "`api_key`, `api_secret`, `access_token`, `access_token_secret`, `bearer_token`"


@pytest.mark.parametrize(
    ("page", "block", "secret_fields", "pattern_field"),
    [
        pytest.param("github", GitHubToken, "`token`", "token", id="github"),
        pytest.param("slack", SlackWebhookURL, "`url`", "url", id="slack"),
        pytest.param("twitter", TwitterCredentials, TWITTER_FIELDS, None, id="twitter"),
    ],
)
def test_block_page_says_what_each_ui_renders_and_refuses_as_the_browser_tests_record(
    page: str, block: type, secret_fields: str, pattern_field: Optional[str]
) -> None:
    text = (REPO / "docs" / "blocks" / f"{page}.md").read_text()
    rows = _what_each_ui_does(block, secret_fields, pattern_field)
    if block is TwitterCredentials:  # test_optional_bearer_token_is_a_password_field_without_a_none_toggle
        rows.append(
            "| `bearer_token` | optional, no None choice | optional, no None choice | optional, no None choice |"
        )
    missing = [row for row in rows if row not in text]
    assert missing == []
    for image in ("card", "form"):
        for ui in ALL_UIS:
            name = f"{ui.key}-{block.get_block_type_slug()}-{image}.png"
            assert f"(img/{name})" in text and (REPO / "docs" / "blocks" / "img" / name).is_file(), name

"""`prefect-secretblocks scan` end to end: text and json output, --fix, exit codes, and no values shown."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli


def scan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Wide enough that rich does not fold code and names inside the table.
    result = run_cli("scan", *args, env={"COLUMNS": "320"}, cwd=cwd)
    assert_no_leak(result.stdout + result.stderr, f"the output of scan {' '.join(args)}")
    assert "Traceback" not in result.stderr
    return result


def test_text_output_lists_file_line_usage_block_and_replacement(project: Path) -> None:
    result = scan(".", cwd=project)  # short relative paths keep each row on one line
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "flows/etl.py:16 " in line)
    for cell in ('Secret("GITHUB_ACCESS_TOKEN").get()', "github-token", "github-access-token"):
        assert cell in row
    assert 'GitHubToken.load("github-access-token").get()' in result.stdout
    assert "[context.secrets] GITHUB_ACCESS_TOKEN" in result.stdout  # printed as text, not rich markup
    assert "Skipped " in result.stdout and "legacy_py2.py:4: not valid Python 3" in result.stdout


def test_json_output_is_one_object_with_findings_skipped_and_summary(project: Path) -> None:
    document = json.loads(scan(str(project), "--format", "json").stdout)
    assert set(document) == {"findings", "skipped", "summary"}
    assert set(document["findings"][0]) == {
        "file",
        "line",
        "kind",
        "usage",
        "secret",
        "block_type",
        "block_name",
        "replacement",
        "fixable",
        "fixed",
        "note",
    }
    assert document["summary"]["exposed"] > 0 and document["summary"]["files_skipped"] == 1


def test_a_project_without_1x_secrets_exits_0(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text("from prefect import flow\n")
    result = scan(str(tmp_path))
    assert result.returncode == 0 and "0 use(s) of 1.x secrets in 1 files" in result.stdout


def test_a_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = scan(str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'missing'}: no such file or directory"


def test_fix_rewrites_in_place_and_says_how_many(project: Path) -> None:
    result = scan(str(project), "--fix")
    assert result.returncode == 0
    assert "rewritten" in result.stdout and "left to change by hand" in result.stdout and "fixed" in result.stdout
    assert "GitHubToken.load" in (project / "flows" / "etl.py").read_text()


def test_map_name_and_prefix_are_the_flags_of_migrate(project: Path) -> None:
    document = json.loads(
        scan(
            str(project / "flows"),
            "--map",
            "GITHUB_ACCESS_TOKEN=secret",
            "--name",
            "DB_PASSWORD=db",
            "--prefix",
            "x-",
            "--format",
            "json",
        ).stdout
    )
    by_secret = {finding["secret"]: finding for finding in document["findings"]}
    assert by_secret["GITHUB_ACCESS_TOKEN"]["block_type"] == "secret"
    assert by_secret["GITHUB_ACCESS_TOKEN"]["block_name"] == "x-github-access-token"
    assert by_secret["DB_PASSWORD"]["block_name"] == "db"


def test_config_values_pick_the_typed_block_without_being_printed(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text('from prefect.client import Secret\nSecret("BOT_TOKEN").get()\n')
    config = tmp_path / "config.toml"
    config.write_text(f'[context.secrets]\nBOT_TOKEN = "{canaries.GITHUB_TOKEN}"\n')
    document = json.loads(scan(str(tmp_path / "flow.py"), "--config", str(config), "--format", "json").stdout)
    assert document["findings"][0]["block_type"] == "github-token"

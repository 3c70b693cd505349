"""`prefect-secretblocks scan` end to end: text and json output, --fix, exit codes, and no values shown."""

from __future__ import annotations

import json
import re
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


def test_text_output_is_one_finding_a_line_as_linters_print_them(project: Path) -> None:
    result = scan(".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (
        'flows/etl.py:16:13: read Secret("GITHUB_ACCESS_TOKEN").get() -> '
        'GitHubToken.load("github-access-token").get() (github-token/github-access-token)'
    ) in result.stdout.splitlines()
    assert "config.toml:3:1: exposed [context.secrets] GITHUB_ACCESS_TOKEN -> " in result.stdout  # not rich markup
    assert "Skipped " in result.stdout and "legacy_py2.py:4: not valid Python 3" in result.stdout


def test_text_output_has_no_table_and_the_summary_last_at_80_columns(project: Path) -> None:
    result = run_cli("scan", ".", env={"COLUMNS": "80"}, cwd=project)
    lines = result.stdout.splitlines()
    findings = [line for line in lines if not line.startswith("Skipped ")][:-1]
    assert all(re.match(r"^[^\s:]+:\d+:\d+: (read|default|review|exposed|env) ", line) for line in findings)
    assert not any(character in result.stdout for character in "┃│┏━")  # no table borders
    assert re.fullmatch(r"\d+ use\(s\) of 1\.x secrets in \d+ files \(.*\)", lines[-1])


def test_a_finding_without_a_replacement_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text("from prefect.client import Secret\nSecret(name).get()\n")
    result = scan("flow.py", cwd=tmp_path)
    assert "flow.py:2:1: review Secret(...): the secret name is computed at run time: review by hand" in result.stdout


def test_the_table_stays_available_as_format_table(project: Path) -> None:
    result = scan(".", "--format", "table", cwd=project)  # short relative paths keep each row on one line
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "flows/etl.py:16 " in line)
    for cell in ('Secret("GITHUB_ACCESS_TOKEN").get()', "github-token", "github-access-token"):
        assert cell in row
    assert "[context.secrets] GITHUB_ACCESS_TOKEN" in result.stdout  # printed as text, not rich markup


def test_a_project_without_1x_secrets_exits_0(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text("from prefect import flow\n")
    result = scan(str(tmp_path))
    assert result.returncode == 0 and "0 use(s) of 1.x secrets in 1 files" in result.stdout


def test_a_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = scan(str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'missing'}: no such file or directory"


def test_scan_takes_several_files_as_a_pre_commit_hook_passes_them(project: Path) -> None:
    result = scan("Dockerfile", "flows/etl.py", cwd=project)
    files = {line.split(":")[0] for line in result.stdout.splitlines()[:-1]}
    assert files == {"Dockerfile", "flows/etl.py"}
    assert result.stdout.splitlines()[-1].endswith("in 2 files (3 read, 1 default, 2 exposed, 1 env)")


def test_without_fail_on_findings_exit_0(project: Path) -> None:
    assert scan(".", cwd=project).returncode == 0


def test_fail_on_exits_1_when_findings_of_those_kinds_exist(project: Path) -> None:
    assert scan(".", "--fail-on", "exposed,read", cwd=project).returncode == 1


def test_fail_on_exits_0_when_no_finding_is_of_those_kinds(tmp_path: Path) -> None:
    (tmp_path / "agent.env").write_text("PREFECT__CONTEXT__SECRETS__X=${X}\n")  # env, not exposed
    result = scan(".", "--fail-on", "exposed", cwd=tmp_path)
    assert result.returncode == 0 and "1 env" in result.stdout


def test_fail_on_counts_what_fix_left_not_what_it_rewrote(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text('from prefect.client import Secret\ntoken = Secret("X").get()\n')
    assert scan(".", "--fix", "--fail-on", "read", cwd=tmp_path).returncode == 0


def test_fail_on_an_unknown_kind_is_one_line_and_exit_2(project: Path) -> None:
    result = scan(".", "--fail-on", "exposed,secrets", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: --fail-on: unknown finding kind 'secrets'; the kinds are read,default,review,exposed,env"
    )
    assert result.stdout == ""


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

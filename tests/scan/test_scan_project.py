"""scan_project / fix_project over a whole tree: what is found, skipped, mapped and rewritten."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prefect_secretblocks.exceptions import BadInputError
from prefect_secretblocks.migration.plan import MigrationOptions
from prefect_secretblocks.scan import MAX_FILE_BYTES, Kind, fix_project, scan_project
from tests import canaries
from tests.canaries import assert_no_leak


def located(project: Path, **kwargs: object) -> set[tuple[str, int, str, str | None]]:
    result = scan_project(project, **kwargs)  # type: ignore[arg-type]
    return {
        (Path(finding.file).relative_to(project).as_posix(), finding.line, finding.kind.value, finding.secret)
        for finding in result.findings
    }


def test_the_fixture_project_reports_each_kind_of_use_where_it_is(project: Path) -> None:
    found = located(project)
    assert {
        ("flows/etl.py", 16, "read", "GITHUB_ACCESS_TOKEN"),
        ("flows/etl.py", 34, "default", "GITHUB_ACCESS_TOKEN"),
        ("flows/etl.py", 38, "exposed", "WAREHOUSE_PASSWORD"),
        ("flows/etl.py", 39, "env", "GITHUB_ACCESS_TOKEN"),
        ("flows/etl.py", 42, "read", "SLACK_ALERTS_WEBHOOK"),
        ("flows/reports.py", 15, "read", "SLACK_WEBHOOK_URL"),
        ("flows/reports.py", 23, "review", None),
        ("flows/reports.py", 30, "default", "AWS_CREDENTIALS"),
        ("flows/reports.py", 30, "default", "SLACK_WEBHOOK_URL"),
        ("flows/reports.py", 31, "read", "TWITTER_API_CREDENTIALS"),
        ("flows/aliases.py", 8, "read", "ACME_GITLAB_TOKEN"),
        ("flows/aliases.py", 14, "read", "DB_PASSWORD"),
        ("flows/aliases.py", 20, "read", "AWS_CREDENTIALS"),
        ("deploy/k8s-job-template.yaml", 12, "exposed", "GITHUB_ACCESS_TOKEN"),
        ("deploy/k8s-job-template.yaml", 14, "env", "WAREHOUSE_PASSWORD"),
        ("deploy/helm/values.yaml", 5, "exposed", "SLACK_WEBHOOK_URL"),
        ("deploy/helm/values.yaml", 6, "env", "DB_PASSWORD"),
        ("deploy/docker-compose.yml", 8, "exposed", "AWS_CREDENTIALS"),
        ("deploy/.env.production", 2, "exposed", "REPORTING_API_KEY"),
        ("scripts/run_agent.sh", 3, "exposed", "TWITTER_API_CREDENTIALS"),
        ("scripts/run_agent.sh", 5, "env", "GITHUB_ACCESS_TOKEN"),
        ("Dockerfile", 2, "exposed", "DB_USER"),
        ("config.toml", 3, "exposed", "GITHUB_ACCESS_TOKEN"),
        ("config.toml", 4, "env", "SLACK_WEBHOOK_URL"),
        ("notebooks/explore.ipynb", 21, "read", "WAREHOUSE_PASSWORD"),
        ("notebooks/explore.ipynb", 22, "read", "SLACK_WEBHOOK_URL"),
    } <= found


def test_prefect_3_code_and_unrelated_classes_have_no_findings(project: Path) -> None:
    files = {entry[0] for entry in located(project)}
    assert "flows/prefect3_flow.py" not in files and "flows/unrelated.py" not in files


def test_findings_carry_the_block_type_name_and_replacement_of_migrate(project: Path) -> None:
    result = scan_project(project / "flows" / "etl.py")
    finding = next(finding for finding in result.findings if finding.line == 16)
    assert (finding.block_type, finding.block_name) == ("github-token", "github-access-token")
    assert finding.replacement == 'GitHubToken.load("github-access-token").get()'
    assert finding.location == f"{project / 'flows' / 'etl.py'}:16"


def test_a_python_2_file_is_skipped_with_its_line(project: Path) -> None:
    result = scan_project(project)
    [skipped] = result.skipped
    assert (Path(skipped.path).name, skipped.line) == ("legacy_py2.py", 4)
    assert skipped.reason.startswith("not valid Python 3")


@pytest.mark.parametrize(
    "directory", [".git", ".venv", "venv", "node_modules", "__pycache__", "lib/site-packages", "myenv"]
)
def test_tool_and_dependency_directories_are_not_scanned(tmp_path: Path, directory: str) -> None:
    inside = tmp_path / directory
    inside.mkdir(parents=True)
    if directory == "myenv":
        (inside / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a virtualenv under any name
    (inside / "module.py").write_text('from prefect.client import Secret\nSecret("X").get()\n')
    (inside / "agent.env").write_text("PREFECT__CONTEXT__SECRETS__X=literal-value\n")
    assert scan_project(tmp_path).findings == ()


def test_a_dot_env_file_is_scanned_like_the_committed_env_files(project: Path) -> None:
    # The fixture keeps `.env.production` (a bare `.env` is git-ignored); a user's `.env` is read the same way.
    (project / ".env").write_text((project / "deploy" / ".env.production").read_text())
    assert ("deploy/.env.production", 2, "exposed", "REPORTING_API_KEY") in located(project)
    assert (".env", 2, "exposed", "REPORTING_API_KEY") in located(project)


def test_a_1x_home_committed_as_dot_prefect_is_scanned(tmp_path: Path) -> None:
    (tmp_path / ".prefect").mkdir()
    (tmp_path / ".prefect" / "config.toml").write_text('[context.secrets]\nGITHUB_ACCESS_TOKEN = "literal-value"\n')
    assert [(finding.kind, finding.secret) for finding in scan_project(tmp_path).findings] == [
        (Kind.EXPOSED, "GITHUB_ACCESS_TOKEN")
    ]


def test_a_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text('from prefect.client import Secret\nSecret("X").get()\n')
    os.symlink(tmp_path, tmp_path / "loop")
    assert len(scan_project(tmp_path).findings) == 1


def test_a_very_large_file_is_skipped_and_a_binary_file_ignored(tmp_path: Path) -> None:
    (tmp_path / "dump.sql").write_bytes(b"PREFECT__CONTEXT__SECRETS__X=literal-value\n" * (MAX_FILE_BYTES // 40))
    (tmp_path / "image.png").write_bytes(b"\x89PNG\0\0PREFECT__CONTEXT__SECRETS__X=literal-value")
    result = scan_project(tmp_path)
    assert result.findings == ()
    assert [(Path(skipped.path).name, skipped.reason) for skipped in result.skipped] == [
        ("dump.sql", "larger than 2 MB")
    ]


def test_a_notebook_that_is_not_json_is_skipped_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text('{"cells": ["import prefect"')
    [skipped] = scan_project(tmp_path).skipped
    assert skipped.reason == "not a readable notebook (invalid JSON)"


def test_an_undecodable_python_file_is_skipped_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: utf-8 -*-\nimport prefect\nname = '\xe9'\n")
    [skipped] = scan_project(tmp_path).skipped
    assert Path(skipped.path).name == "latin.py"


def test_a_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file or directory"):
        scan_project(tmp_path / "missing")


def test_map_name_and_prefix_flags_choose_the_block_as_in_migrate(project: Path) -> None:
    options = MigrationOptions(
        block_types={"GITHUB_ACCESS_TOKEN": "secret"}, block_names={"DB_PASSWORD": "warehouse-db"}, prefix="v1-"
    )
    by_secret = {finding.secret: finding for finding in scan_project(project / "flows", options).findings}
    assert by_secret["GITHUB_ACCESS_TOKEN"].block_type == "secret"
    assert by_secret["GITHUB_ACCESS_TOKEN"].block_name == "v1-github-access-token"
    assert by_secret["DB_PASSWORD"].block_name == "warehouse-db"


def test_an_unknown_map_type_is_bad_input(project: Path) -> None:
    with pytest.raises(BadInputError, match="unknown block type"):
        scan_project(project, MigrationOptions(block_types={"X": "nope"}))


def test_values_pick_the_typed_block_by_shape_and_are_never_kept(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text('from prefect.client import Secret\nSecret("BOT_TOKEN").get()\n')
    result = scan_project(tmp_path, values={"BOT_TOKEN": canaries.GITHUB_TOKEN})
    assert result.findings[0].block_type == "github-token"
    assert_no_leak(repr(result) + str(result.to_dict()), "a scan result")


def test_the_result_of_the_fixture_project_holds_no_value(project: Path) -> None:
    result = scan_project(project)
    assert_no_leak(repr(result) + str(result.to_dict()), "the fixture project's scan result")


def test_fix_project_rewrites_sure_sites_and_leaves_a_compiling_file(project: Path) -> None:
    fixed = fix_project(scan_project(project))
    etl = (project / "flows" / "etl.py").read_text()
    compile(etl, "etl.py", "exec")
    assert 'token = GitHubToken.load("github-access-token").get()' in etl
    assert 'password = Secret.load("warehouse-password").get()' in etl
    assert "from prefect.client import Secret\n" not in etl
    assert sum(finding.fixed for finding in fixed.findings) == fixed.summary()["fixed"] > 0


def test_fix_project_leaves_unsure_sites_with_their_reason(project: Path) -> None:
    fixed = fix_project(scan_project(project))
    review = [finding for finding in fixed.findings if finding.kind is Kind.REVIEW]
    assert review and not any(finding.fixed for finding in review)
    assert 'prefect.client.Secret(f"DB_URL_{region.upper()}").get()' in (project / "flows" / "reports.py").read_text()


def test_fix_project_a_second_time_changes_nothing(project: Path) -> None:
    fix_project(scan_project(project))
    before = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    again = fix_project(scan_project(project))
    assert not any(finding.fixed for finding in again.findings)
    assert {path: path.read_bytes() for path in project.rglob("*") if path.is_file()} == before


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    module = tmp_path / "flow.py"
    module.write_bytes(b'from prefect.client import Secret\r\ntoken = Secret("GITHUB_ACCESS_TOKEN").get()\r\n')
    fix_project(scan_project(module))
    assert module.read_bytes() == (
        b'from prefect_secretblocks import GitHubToken\r\ntoken = GitHubToken.load("github-access-token").get()\r\n'
    )


def test_libcst_is_imported_only_when_fixing(project: Path) -> None:
    script = (
        "import sys; import prefect_secretblocks; from prefect_secretblocks.scan import scan_project; "
        "scan_project(sys.argv[1]); print('libcst' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script, str(project)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_bug_on_one_file_skips_that_file_and_scans_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import prefect_secretblocks.scan.files as scan_files

    def broken(file_name: str, text: str) -> list[object]:
        raise RuntimeError(canaries.GENERIC)  # the message is not shown: it could hold anything

    monkeypatch.setattr(scan_files, "scan_config", broken)
    (tmp_path / "agent.env").write_text("PREFECT__CONTEXT__SECRETS__X=literal-value\n")
    (tmp_path / "flow.py").write_text('from prefect.client import Secret\nSecret("X").get()\n')
    result = scan_project(tmp_path)
    assert [finding.secret for finding in result.findings] == ["X"]
    assert [skipped.reason for skipped in result.skipped] == ["could not be scanned (RuntimeError); please report it"]
    assert_no_leak(str(result.to_dict()), "a skipped file's reason")


def test_a_python_file_naming_neither_prefect_nor_its_variables_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "old_script.py").write_text('print "not Python 3, and no 1.x secret either"\n')
    result = scan_project(tmp_path)
    assert result.skipped == () and result.files_scanned == 1


def test_an_import_spelled_with_compatibility_characters_still_counts(tmp_path: Path) -> None:
    # Python reads identifiers NFKC-normalised: `ｐｒｅｆｅｃｔ` (fullwidth) is `prefect`.
    (tmp_path / "flow.py").write_text('from ｐｒｅｆｅｃｔ.client import Secret\nSecret("X").get()\n')
    assert [finding.secret for finding in scan_project(tmp_path).findings] == ["X"]

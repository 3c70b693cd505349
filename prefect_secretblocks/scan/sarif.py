"""A scan as SARIF 2.1.0, the format code-scanning dashboards read: one rule per finding kind.

Built from the findings' value-free fields only (usage, secret name, block, replacement, note),
so no secret value can reach it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from prefect_secretblocks.scan import Finding, Kind, ScanResult, SkippedFile

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "prefect-secretblocks"
INFORMATION_URI = "https://github.com/prefect-secretblocks/prefect-secretblocks"

# Per kind: the rule's name, its one-line description, what to do, and how loud it is.
_RULES: dict[Kind, tuple[str, str, str, str]] = {
    Kind.EXPOSED: (
        "ExposedSecretValue",
        "A file holds a Prefect 1.x secret's value in plain text.",
        "Migrate the secret to a block, delete the value from the file, and rotate it if the file was shared.",
        "error",
    ),
    Kind.READ: (
        "SecretReadByName",
        "Code reads a Prefect 1.x secret by name.",
        "Load the block that replaces the secret (prefect-secretblocks scan --fix rewrites the sure cases).",
        "warning",
    ),
    Kind.DEFAULT: (
        "SecretReadByDefault",
        "A Prefect 1.x storage, task or notifier reads a secret under its default name.",
        "Move to the Prefect 2/3 equivalent named in the finding's message.",
        "warning",
    ),
    Kind.REVIEW: (
        "SecretUseToReview",
        "A Prefect 1.x secret use whose name is computed at run time, or that is not a plain read.",
        "Review by hand and load the block that replaces the secret.",
        "warning",
    ),
    Kind.ENV: (
        "SecretSetFromElsewhere",
        "A Prefect 1.x secret is set from elsewhere (an environment variable reference, 1.x Cloud, the 1.x context).",
        "Remove it once the block exists.",
        "note",
    ),
}


def to_sarif(result: ScanResult, tool_version: str) -> dict[str, Any]:
    """The SARIF 2.1.0 log of a scan: one run, every kind as a rule, every finding as a result."""
    kinds = list(Kind)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(kind) for kind in kinds],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [_skipped(skipped) for skipped in result.skipped],
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, kinds.index(finding.kind)) for finding in result.findings],
            }
        ],
    }


def _rule(kind: Kind) -> dict[str, Any]:
    name, description, help_text, level = _RULES[kind]
    return {
        "id": kind.value,
        "name": name,
        "shortDescription": {"text": description},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["prefect", "secrets", "migration"]},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": finding.kind.value,
        "ruleIndex": rule_index,
        "level": _RULES[finding.kind][3],
        "message": {"text": message(finding)},
        "locations": [_location(finding.file, finding.line, finding.column)],
        "properties": {
            "secret": finding.secret,
            "blockType": finding.block_type,
            "blockName": finding.block_name,
            "replacement": finding.replacement,
            "fixable": finding.fixable,
            "fixed": finding.fixed,
        },
    }


def message(finding: Finding) -> str:
    """`usage -> replacement (block type/name)`, then the note: the finding in one sentence."""
    text = finding.usage
    if finding.replacement:
        text += f" -> {finding.replacement} ({finding.block_type}/{finding.block_name})"
    return f"{text}: {finding.note}" if finding.note else text


def _skipped(skipped: SkippedFile) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {"text": f"not scanned: {skipped.reason}"},
        "locations": [_location(skipped.path, skipped.line or 1, 1)],
    }


def _location(path: str, line: int, column: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(path)},  # a relative URI reference, as the file was named
            "region": {"startLine": line, "startColumn": column},
        }
    }

"""Config and deployment files: PREFECT__CONTEXT__SECRETS__* and [context.secrets], literal or not."""

from __future__ import annotations

import string
import textwrap

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from prefect_secretblocks.scan.config_files import scan_config
from prefect_secretblocks.scan.uses import Kind


def found(file_name: str, text: str) -> list[tuple[int, Kind, str | None]]:
    return [(use.line, use.kind, use.secret) for use in scan_config(file_name, textwrap.dedent(text).lstrip())]


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        (".env", "PREFECT__CONTEXT__SECRETS__X=literal-value\n"),
        ("agent.sh", "export PREFECT__CONTEXT__SECRETS__X='literal-value'\n"),
        ("run.sh", "prefect agent local start --env PREFECT__CONTEXT__SECRETS__X=literal-value\n"),
        ("Dockerfile", "ENV PREFECT__CONTEXT__SECRETS__X literal-value\n"),
        ("Dockerfile", "ENV PREFECT__CONTEXT__SECRETS__X=literal-value\n"),
        ("compose.yml", "environment:\n  PREFECT__CONTEXT__SECRETS__X: literal-value\n"),
        ("compose.yml", "environment:\n  - PREFECT__CONTEXT__SECRETS__X=literal-value\n"),
        ("job.yaml", "env:\n  - name: PREFECT__CONTEXT__SECRETS__X\n    value: literal-value\n"),
        ("task.json", '{"environment": [{"name": "PREFECT__CONTEXT__SECRETS__X", "value": "literal-value"}]}'),
        ("config.toml", '[context.secrets]\nX = "literal-value"\n'),
        ("config.toml", '[context]\nsecrets.X = "literal-value"\n'),
        ("main.tf", 'env {\n  name  = "PREFECT__CONTEXT__SECRETS__X"\n  value = "literal-value"\n}\n'),
        ("secret.yaml", "kind: Secret\nstringData:\n  PREFECT__CONTEXT__SECRETS__X: literal-value\n"),
    ],
)
def test_a_literal_value_is_flagged_exposed(file_name: str, text: str) -> None:
    assert [(kind, secret) for _, kind, secret in found(file_name, text)] == [(Kind.EXPOSED, "X")]


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        (".env", "PREFECT__CONTEXT__SECRETS__X=\n"),
        ("agent.sh", 'export PREFECT__CONTEXT__SECRETS__X="$X_FROM_VAULT"\n'),
        (
            "job.yaml",
            "env:\n  - name: PREFECT__CONTEXT__SECRETS__X\n    valueFrom:\n      secretKeyRef: {name: x, key: x}\n",
        ),
        ("values.yaml", 'env:\n  PREFECT__CONTEXT__SECRETS__X: "{{ .Values.x }}"\n'),
        ("config.toml", '[context.secrets]\nX = "${context.secrets.Y}"\n'),
        ("README.md", "Set `PREFECT__CONTEXT__SECRETS__X` on the agent.\n"),
        ("values.yaml", "env:\n  PREFECT__CONTEXT__SECRETS__X: null\n"),
    ],
)
def test_a_reference_or_a_mention_is_env_not_exposed(file_name: str, text: str) -> None:
    assert [(kind, secret) for _, kind, secret in found(file_name, text)] == [(Kind.ENV, "X")]


def test_a_nested_key_variable_belongs_to_its_secret() -> None:
    assert found(".env", "PREFECT__CONTEXT__SECRETS__AWS_CREDENTIALS__ACCESS_KEY=literal-value\n") == [
        (1, Kind.EXPOSED, "AWS_CREDENTIALS")
    ]


def test_section_names_are_case_insensitive_but_the_prefix_is_not() -> None:
    assert found(".env", "PREFECT__context__secrets__X=v1-literal\nprefect__context__secrets__Y=v2-literal\n") == [
        (1, Kind.EXPOSED, "X")
    ]


def test_a_helm_template_that_is_not_yaml_is_read_line_by_line() -> None:
    text = """
        env:
          {{- if .Values.github }}
          - name: PREFECT__CONTEXT__SECRETS__GITHUB_ACCESS_TOKEN
            value: literal-value
          {{- end }}
    """
    assert found("deployment.yaml", text) == [(3, Kind.EXPOSED, "GITHUB_ACCESS_TOKEN")]


def test_yaml_lines_point_at_the_variable() -> None:
    text = """
        spec:
          env:
            - name: PREFECT__CONTEXT__SECRETS__A
              value: literal-value
            - name: OTHER
              value: x
            - name: PREFECT__CONTEXT__SECRETS__B
              value: literal-value
    """
    assert [line for line, _, _ in found("job.yaml", text)] == [3, 7]


def test_toml_tables_outside_context_secrets_are_ignored() -> None:
    assert found("pyproject.toml", '[tool.secrets]\nX = "literal-value"\n[context]\nflag = "x"\n') == []


def test_a_dict_secret_table_reports_each_key_line() -> None:
    text = '[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "literal-a"\nSECRET_ACCESS_KEY = "$AWS_SECRET"\n'
    assert found("config.toml", text) == [(2, Kind.EXPOSED, "AWS_CREDENTIALS"), (3, Kind.ENV, "AWS_CREDENTIALS")]


FORMATS = {
    ".env": "PREFECT__CONTEXT__SECRETS__X={value}\n",
    "agent.sh": "export PREFECT__CONTEXT__SECRETS__X='{value}'\n",
    "Dockerfile": "ENV PREFECT__CONTEXT__SECRETS__X {value}\n",
    "job.yaml": "env:\n  - name: PREFECT__CONTEXT__SECRETS__X\n    value: '{value}'\n",
    "compose.yml": "environment:\n  - PREFECT__CONTEXT__SECRETS__X={value}\n",
    "task.json": '{{"environment": [{{"name": "PREFECT__CONTEXT__SECRETS__X", "value": "{value}"}}]}}',
    "config.toml": '[context.secrets]\nX = "{value}"\n',
}


@settings(max_examples=60, deadline=None)
@example(file_name=".env", value="secretKeyRef")  # a word, not a reference, outside a YAML structure
@given(
    file_name=st.sampled_from(sorted(FORMATS)),
    value=st.text(string.ascii_letters + string.digits, min_size=12, max_size=40),
)
def test_no_value_of_any_format_is_kept_in_what_the_scan_reports(file_name: str, value: str) -> None:
    uses = scan_config(file_name, FORMATS[file_name].format(value=value))
    assert [(use.kind, use.secret) for use in uses] == [(Kind.EXPOSED, "X")]
    assert value not in repr(uses)

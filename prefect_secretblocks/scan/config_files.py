"""Find 1.x secrets in config and deployment files: `PREFECT__CONTEXT__SECRETS__*` and `[context.secrets]`.

A variable set to a literal value is reported as exposed, by line and name only: the value
is looked at to tell a literal from a reference (`$VAR`, `{{ ... }}`, a k8s `valueFrom`), never kept.
YAML and JSON are read as a node tree (k8s `name:`/`value:` pairs, docker-compose maps and
lists, helm values); a YAML file that does not parse (a helm template) is read line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Optional

import yaml

from prefect_secretblocks.scan.uses import Kind, SecretUse

# 1.x: the `PREFECT__` prefix is case-sensitive, the section names are not; `__` nests a key.
ENV_VARIABLE = re.compile(r"PREFECT__(?i:context)__(?i:secrets)__(?P<secret>(?:[A-Za-z0-9]|_(?!_))+)(?:__\w+)?")
# After the variable: a closing quote, then `=` or `:` (dotenv, shell, compose, Dockerfile `ENV A=b`).
_ASSIGNMENT = re.compile(r"""["']?\s*[=:]\s*(?P<value>.*)$""")
_DOCKERFILE_ENV = re.compile(r"^\s*ENV\s", re.IGNORECASE)  # Dockerfile's old form: `ENV NAME value`
# The line after `name: PREFECT__...`: YAML's `value: x`, HCL's (Terraform) `value = "x"`.
_VALUE_LINE = re.compile(r"^\s*value\s*[:=]\s*(?P<value>.*)$")
_TOML_TABLE = re.compile(r"^\s*\[+\s*(?P<table>[^\]]+?)\s*\]+\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?P<key>[A-Za-z0-9_\-."' ]+?)\s*=\s*(?P<value>.*)$""")
# libyaml when present (notebooks and compose files can be large); both keep line numbers.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_EXPOSED_NOTE = "the value is written in this file: remove it once the block exists"
_ENV_NOTE = "set from elsewhere: remove once the block exists"


def scan_config(file_name: str, text: str) -> list[SecretUse]:
    """The 1.x secrets a non-Python file sets: environment variables, and 1.x config's `[context.secrets]`."""
    uses: list[SecretUse] = []
    if file_name.endswith(".toml"):
        uses.extend(_toml_uses(text))
    if "PREFECT__" in text:
        structured = _yaml_uses(text) if file_name.endswith((".yaml", ".yml", ".json")) else None
        uses.extend(structured if structured is not None else text_uses(text))
    return sorted(uses, key=lambda use: (use.line, use.column))


def text_uses(text: str, first_line: int = 1) -> Iterator[SecretUse]:
    """`PREFECT__CONTEXT__SECRETS__*` mentions, line by line (dotenv, shell, Dockerfile, YAML templates)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        for match in ENV_VARIABLE.finditer(line):
            value = _assigned(line, match.end())
            if value is None:  # `- name: PREFECT__...` with `value: ...` on the next line (or HCL's `value = ...`)
                following = _VALUE_LINE.match(lines[index + 1]) if index + 1 < len(lines) else None
                value = following.group("value") if following else None
            yield _use(first_line + index, match.start() + 1, match, value)


def _assigned(line: str, end: int) -> Optional[str]:
    assignment = _ASSIGNMENT.match(line, end)
    if assignment:
        return assignment.group("value")
    if _DOCKERFILE_ENV.match(line) and line[end : end + 1].isspace():
        return line[end:]
    return None


def _use(line: int, column: int, match: re.Match[str], value: Optional[str]) -> SecretUse:
    exposed = is_literal(value)
    return SecretUse(
        line=line,
        column=column,
        kind=Kind.EXPOSED if exposed else Kind.ENV,
        usage=match.group(0),
        secret=match.group("secret"),
        note=_EXPOSED_NOTE if exposed else _ENV_NOTE,
    )


def is_literal(value: Optional[str]) -> bool:
    """Whether a value as written is the secret itself rather than a reference to it."""
    if value is None:
        return False
    value = value.split(" #")[0].strip().strip("\"'`,").strip()
    if value.lower() in ("null", "~", "none"):  # YAML's and 1.x's "no value"
        return False
    # `$VAR`/`${VAR}`/`$(VAR)`, Helm/Jinja `{{ }}`/`{% %}`, `<placeholder>`, Python `%(name)s`.
    return bool(value) and not value.startswith(("$", "{{", "{%", "<", "%("))


# --- YAML and JSON: a node tree with line numbers, values never built -------------------------


def _yaml_uses(text: str) -> Optional[list[SecretUse]]:
    """The uses in a YAML/JSON document's nodes, or None when it does not parse."""
    try:
        documents = list(yaml.compose_all(text, Loader=YAML_LOADER))
    except yaml.YAMLError:
        return None
    uses: list[SecretUse] = []
    for document in documents:
        if document is not None:
            uses.extend(_node_uses(document))
    return uses


def _node_uses(node: yaml.Node) -> Iterator[SecretUse]:
    if isinstance(node, yaml.MappingNode):
        entries = {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and (match := ENV_VARIABLE.fullmatch(str(key.value))):
                # docker-compose / helm: `PREFECT__CONTEXT__SECRETS__X: value`
                yield _use(key.start_mark.line + 1, key.start_mark.column + 1, match, scalar(value))
            elif (
                key.value == "name"
                and isinstance(value, yaml.ScalarNode)
                and (match := ENV_VARIABLE.fullmatch(str(value.value)))
            ):
                # k8s / ECS: `- name: PREFECT__CONTEXT__SECRETS__X` + `value: ...` (or `valueFrom:`)
                yield _use(value.start_mark.line + 1, value.start_mark.column + 1, match, scalar(entries.get("value")))
            else:
                yield from _node_uses(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _node_uses(item)
    elif isinstance(node, yaml.ScalarNode) and "PREFECT__" in str(node.value):
        # `- PREFECT__CONTEXT__SECRETS__X=value` or a command line; block scalars start a line later.
        block = node.style in ("|", ">")
        first_line = node.start_mark.line + 1 + (1 if block else 0)
        # On a flow scalar's first line, columns count from where the scalar starts (after its quote).
        shift = 0 if block else node.start_mark.column + (1 if node.style in ("'", '"') else 0)
        for use in text_uses(str(node.value), first_line):
            yield replace(use, column=use.column + shift) if use.line == first_line else use


def scalar(node: Optional[yaml.Node]) -> Optional[str]:
    """A YAML node's text, when it is a scalar."""
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


# --- a 1.x config.toml: `[context.secrets]` tables, dotted keys and inline tables -------------


def _toml_uses(text: str) -> Iterator[SecretUse]:
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_TABLE.match(line)
        if header:
            table = _toml_key(header.group("table"))
            continue
        entry = _TOML_KEY.match(line)
        if not entry:
            continue
        key = table + _toml_key(entry.group("key"))
        if len(key) > 2 and key[0].lower() == "context" and key[1].lower() == "secrets":
            # `${context.secrets.OTHER}` and `$VAR` refer to a value kept elsewhere.
            exposed = is_literal(entry.group("value"))
            yield SecretUse(
                line=number,
                column=entry.start("key") + 1,
                kind=Kind.EXPOSED if exposed else Kind.ENV,
                usage=f"[context.secrets] {key[2]}",
                secret=key[2],
                note=_EXPOSED_NOTE if exposed else "refers to a value kept elsewhere: remove once the block exists",
            )


def _toml_key(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in dotted.split("."))

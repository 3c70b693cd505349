"""Planning: actions, filters, overrides, and the errors raised before anything is written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from prefect_secretblocks.exceptions import BadInputError
from prefect_secretblocks.migration import Action, ExistingBlock, MigrationOptions, V1Secret, plan_migration
from prefect_secretblocks.migration.targets import canonical_json
from tests.canaries import assert_no_leak

CANARY = "fake-canary-plan-value-8f7d6"


def secret(name: str, value: Any, source: str = "config.toml") -> V1Secret:
    return V1Secret(name, value, (source,))


def existing(value: Any) -> ExistingBlock:
    return ExistingBlock(uuid.uuid4(), canonical_json(value))


def only_action(secrets: list[V1Secret], **kwargs: Any) -> Action:
    [entry] = plan_migration(secrets, **kwargs).entries
    return entry.action


def test_a_new_block_is_created() -> None:
    assert only_action([secret("DB", "x")]) is Action.CREATE


def test_an_existing_block_with_the_same_value_is_unchanged() -> None:
    assert only_action([secret("DB", "x")], existing={("secret", "db"): existing("x")}) is Action.UNCHANGED


@pytest.mark.parametrize(("on_conflict", "action"), [("skip", Action.SKIP), ("overwrite", Action.UPDATE), ("fail", Action.CONFLICT)])
def test_an_existing_block_with_another_value_follows_on_conflict(on_conflict: str, action: Action) -> None:
    options = MigrationOptions(on_conflict=on_conflict)  # type: ignore[arg-type]
    assert only_action([secret("DB", "x")], options=options, existing={("secret", "db"): existing("y")}) is action


def test_an_unreadable_existing_block_counts_as_different() -> None:
    found = ExistingBlock(uuid.uuid4(), None)
    assert only_action([secret("DB", "x")], existing={("secret", "db"): found}) is Action.SKIP


def test_a_value_json_cannot_hold_is_unsupported_with_its_reason() -> None:
    [entry] = plan_migration([secret("S", {1, 2})]).entries
    assert entry.action is Action.UNSUPPORTED and "set" in entry.note and entry.block is None


def test_only_and_exclude_filter() -> None:
    secrets = [secret("A", "1"), secret("B", "2"), secret("C", "3")]
    plan = plan_migration(secrets, MigrationOptions(only={"A", "B"}, exclude={"B"}))
    assert [entry.secret for entry in plan.entries] == ["A"]


def test_map_and_name_override_type_and_block_name() -> None:
    token = "ghp_" + "fakePlanTok1" * 3
    options = MigrationOptions(block_types={"GITHUB_ACCESS_TOKEN": "secret"}, block_names={"GITHUB_ACCESS_TOKEN": "gh"})
    [entry] = plan_migration([secret("GITHUB_ACCESS_TOKEN", token)], options).entries
    assert (entry.block_type, entry.block_name) == ("secret", "gh")


@pytest.mark.parametrize("flag", ["only", "exclude", "block_types", "block_names"])
def test_a_flag_naming_an_unknown_secret_is_bad_input(flag: str) -> None:
    value: Any = {"NOPE": "secret"} if flag in ("block_types", "block_names") else {"NOPE"}
    with pytest.raises(BadInputError, match="NOPE: no 1.x secret has this name"):
        plan_migration([secret("A", "1")], MigrationOptions(**{flag: value}))


def test_an_invalid_block_name_override_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="lowercase letters, numbers and dashes"):
        plan_migration([secret("A", "1")], MigrationOptions(block_names={"A": "Not_Valid"}))


def test_two_secrets_with_one_block_name_is_an_error_naming_both() -> None:
    with pytest.raises(BadInputError) as caught:
        plan_migration([secret("DB_PASSWORD", "1", "config.toml"), secret("db.password", "2", "env X")])
    assert "'db-password'" in str(caught.value)
    assert "DB_PASSWORD (config.toml)" in str(caught.value) and "db.password (env X)" in str(caught.value)


def test_an_empty_block_name_is_an_error() -> None:
    with pytest.raises(BadInputError, match="gives an empty block name"):
        plan_migration([secret("!!!", "1")])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS_CREDENTIALS", {"ACCESS_KEY": CANARY}),
        ("GITHUB_ACCESS_TOKEN", CANARY),
        ("SLACK_WEBHOOK_URL", "ftp://" + CANARY),
        ("TWITTER_API_CREDENTIALS", {"api_key": CANARY}),
    ],
)
def test_a_wrong_shape_for_a_typed_name_suggests_map_and_hides_the_value(name: str, value: Any) -> None:
    with pytest.raises(BadInputError) as caught:
        plan_migration([secret(name, value)])
    assert f"--map {name}=secret" in str(caught.value)
    assert_no_leak(str(caught.value), "the plan error", [CANARY])


def test_the_json_plan_has_exactly_the_documented_keys_and_no_value() -> None:
    plan = plan_migration([secret("DB", CANARY), secret("PAIR", (1, 2))])
    document = plan.to_dict()
    assert set(document) == {"plan", "summary"}
    assert all(set(entry) == {"secret", "source", "block_type", "block_name", "action", "note"} for entry in document["plan"])
    assert document["summary"]["create"] == 2
    assert_no_leak(f"{document} {plan!r}", "the plan", [CANARY])

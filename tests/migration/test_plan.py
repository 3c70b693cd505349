"""Planning: actions, filters, overrides, and the errors raised before anything is written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from prefect_secretblocks.cli import describe_bad_input
from prefect_secretblocks.exceptions import BadInputError, InvalidBlockName, UnknownSecret
from prefect_secretblocks.migration import (
    Action,
    ExistingBlock,
    MigrationOptions,
    MigrationPlan,
    PlannedBlock,
    V1Secret,
    plan_migration,
    read_v1_secrets,
)
from prefect_secretblocks.migration.targets import canonical_json
from tests import canaries
from tests.canaries import assert_no_leak

CANARY = "fake-canary-plan-value-8f7d6"


def secret(name: str, value: Any, source: str = "config.toml") -> V1Secret:
    return V1Secret(name, value, (source,))


def existing(value: Any) -> ExistingBlock:
    return ExistingBlock(uuid.uuid4(), canonical_json(value))


def cli_error(secrets: list[V1Secret], options: Optional[MigrationOptions] = None) -> str:
    """The line the CLI prints for the plan's error: the library raises fields, cli.py words them as flags."""
    with pytest.raises(BadInputError) as caught:
        plan_migration(secrets, options or MigrationOptions())
    return describe_bad_input(caught.value)


def only_action(secrets: list[V1Secret], **kwargs: Any) -> Action:
    [entry] = plan_migration(secrets, **kwargs).entries
    return entry.action


def test_a_new_block_is_created() -> None:
    assert only_action([secret("DB", "x")]) is Action.CREATE


def test_an_existing_block_with_the_same_value_is_unchanged() -> None:
    assert only_action([secret("DB", "x")], existing={("secret", "db"): existing("x")}) is Action.UNCHANGED


@pytest.mark.parametrize(
    ("on_conflict", "action"), [("skip", Action.SKIP), ("overwrite", Action.UPDATE), ("fail", Action.CONFLICT)]
)
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


@pytest.mark.parametrize("option", ["only", "exclude", "block_types", "block_names"])
def test_an_option_naming_an_unknown_secret_raises_unknown_secret_with_its_fields(option: str) -> None:
    value: Any = {"NOPE": "secret"} if option in ("block_types", "block_names") else {"NOPE"}
    with pytest.raises(UnknownSecret) as caught:
        plan_migration([secret("A", "1")], MigrationOptions(**{option: value}))
    assert (caught.value.name, caught.value.option) == ("NOPE", option)


def test_an_invalid_block_name_override_raises_invalid_block_name_with_its_fields() -> None:
    with pytest.raises(InvalidBlockName, match="lowercase letters, numbers and dashes") as caught:
        plan_migration([secret("A", "1")], MigrationOptions(block_names={"A": "Not_Valid"}))
    assert (caught.value.secret, caught.value.block_name) == ("A", "Not_Valid")


def test_two_secrets_with_one_block_name_is_an_error_naming_both() -> None:
    with pytest.raises(BadInputError) as caught:
        plan_migration([secret("DB_PASSWORD", "1", "config.toml"), secret("db.password", "2", "env X")])
    assert "'db-password'" in str(caught.value)
    assert "'DB_PASSWORD' (config.toml)" in str(caught.value) and "'db.password' (env X)" in str(caught.value)


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
    message = cli_error([secret(name, value)])
    assert f"--map {name}=secret" in message
    assert_no_leak(message, "the plan error", [CANARY])


def test_the_json_plan_has_exactly_the_documented_keys_and_no_value() -> None:
    plan = plan_migration([secret("DB", CANARY), secret("PAIR", (1, 2))])
    document = plan.to_dict()
    assert set(document) == {"plan", "summary"}
    assert all(
        set(entry) == {"secret", "source", "block_type", "block_name", "action", "note"} for entry in document["plan"]
    )
    assert document["summary"]["create"] == 2
    assert_no_leak(f"{document} {plan!r}", "the plan", [CANARY])


# --- actions: more rules, one per test ------------------------------------------------------


def only_entry(secrets: list[V1Secret], **kwargs: Any) -> PlannedBlock:
    [entry] = plan_migration(secrets, **kwargs).entries
    return entry


def test_a_tuple_is_created_with_a_note_that_it_became_a_list() -> None:
    entry = only_entry([secret("PAIR", (1, 2))])
    assert entry.action is Action.CREATE and entry.note == "a tuple in 1.x, saved as a JSON list"


def test_a_tuple_matching_an_existing_list_is_unchanged() -> None:
    assert only_action([secret("PAIR", (1, 2))], existing={("secret", "pair"): existing([1, 2])}) is Action.UNCHANGED


def test_an_existing_value_of_another_json_type_is_different() -> None:
    # 1 and True and "1" are different values: canonical JSON tells them apart.
    assert only_action([secret("N", 1)], existing={("secret", "n"): existing(True)}) is Action.SKIP


def test_a_skipped_entry_notes_the_existing_block() -> None:
    entry = only_entry([secret("DB", "fake")], existing={("secret", "db"): existing("other")})
    assert entry.note == "a block with this name exists with a different value"


def test_an_existing_block_of_another_type_does_not_count() -> None:
    found = {("github-token", "db"): existing("fake")}
    assert only_action([secret("DB", "fake-other")], existing=found) is Action.CREATE


def test_an_update_remembers_the_existing_block_id() -> None:
    found = existing("old")
    options = MigrationOptions(on_conflict="overwrite")
    entry = only_entry([secret("DB", "new")], options=options, existing={("secret", "db"): found})
    assert entry.existing_id == found.id


def test_a_created_entry_holds_the_block_to_save() -> None:
    entry = only_entry([secret("DB", "fake")])
    assert entry.existing_id is None and entry.block is not None and entry.value_json == canonical_json("fake")


def test_an_unsupported_entry_keeps_the_type_its_name_maps_to() -> None:
    entry = only_entry([secret("GITHUB_ACCESS_TOKEN", {1, 2})])
    assert (entry.action, entry.block_type) == (Action.UNSUPPORTED, "github-token")


def test_an_unsupported_entry_note_starts_with_not_migrated() -> None:
    note = only_entry([secret("S", b"fake")]).note
    assert note == "not migrated: the value holds a Python bytes, which JSON cannot represent"


def test_entries_keep_the_order_of_the_secrets() -> None:
    plan = plan_migration([secret("B", "1"), secret("A", "2"), secret("C", "3")])
    assert [entry.secret for entry in plan.entries] == ["B", "A", "C"]


def test_the_source_lists_every_origin() -> None:
    entry = only_entry([V1Secret("AWS", "fake", ("config.toml", "env PREFECT__CONTEXT__SECRETS__AWS__X"))])
    assert entry.source == "config.toml, env PREFECT__CONTEXT__SECRETS__AWS__X"


def test_writes_are_the_creates_and_updates() -> None:
    secrets = [secret("NEW", "1"), secret("CHANGED", "2"), secret("SAME", "3"), secret("SET", {1})]
    found = {("secret", "changed"): existing("other"), ("secret", "same"): existing("3")}
    plan = plan_migration(secrets, MigrationOptions(on_conflict="overwrite"), found)
    assert [entry.secret for entry in plan.writes] == ["NEW", "CHANGED"]


def test_conflicts_are_the_entries_that_stop_the_migration() -> None:
    found = {("secret", "changed"): existing("other")}
    plan = plan_migration([secret("NEW", "1"), secret("CHANGED", "2")], MigrationOptions(on_conflict="fail"), found)
    assert [entry.secret for entry in plan.conflicts] == ["CHANGED"]


def test_the_summary_counts_every_action_zeros_included() -> None:
    plan = plan_migration([secret("A", "1"), secret("B", {1})])
    assert plan.summary() == {"create": 1, "update": 0, "unchanged": 0, "skip": 0, "conflict": 0, "unsupported": 1}


# --- filters and overrides -------------------------------------------------------------------


def test_only_selects_the_named_secrets() -> None:
    plan = plan_migration([secret("A", "1"), secret("B", "2")], MigrationOptions(only=["B"]))
    assert [entry.secret for entry in plan.entries] == ["B"]


def test_exclude_leaves_out_the_named_secrets() -> None:
    plan = plan_migration([secret("A", "1"), secret("B", "2")], MigrationOptions(exclude=["B"]))
    assert [entry.secret for entry in plan.entries] == ["A"]


def test_map_overrides_the_block_type() -> None:
    options = MigrationOptions(block_types={"TOKEN": "secret"})
    assert only_entry([secret("TOKEN", "fake")], options=options).block_type == "secret"


def test_map_to_secret_accepts_a_value_of_the_wrong_shape() -> None:
    options = MigrationOptions(block_types={"GITHUB_ACCESS_TOKEN": "secret"})
    entry = only_entry([secret("GITHUB_ACCESS_TOKEN", "fake-not-a-token")], options=options)
    assert (entry.block_type, entry.action) == ("secret", Action.CREATE)


def test_name_overrides_the_block_name() -> None:
    options = MigrationOptions(block_names={"DB_PASSWORD": "legacy-db"})
    assert only_entry([secret("DB_PASSWORD", "fake")], options=options).block_name == "legacy-db"


def test_prefix_is_prepended_to_slugged_block_names() -> None:
    options = MigrationOptions(prefix="v1-")
    assert only_entry([secret("DB_PASSWORD", "fake")], options=options).block_name == "v1-db-password"


def test_name_override_is_taken_as_is_without_the_prefix() -> None:
    options = MigrationOptions(prefix="v1-", block_names={"DB": "chosen"})
    assert only_entry([secret("DB", "fake")], options=options).block_name == "chosen"


def test_excluded_secret_does_not_collide() -> None:
    plan = plan_migration([secret("A_B", "1"), secret("a.b", "2")], MigrationOptions(exclude=["a.b"]))
    assert [entry.block_name for entry in plan.entries] == ["a-b"]


@pytest.mark.parametrize(
    ("flag", "options"),
    [
        ("--only", MigrationOptions(only=["MISSING"])),
        ("--exclude", MigrationOptions(exclude=["MISSING"])),
        ("--map", MigrationOptions(block_types={"MISSING": "secret"})),
        ("--name", MigrationOptions(block_names={"MISSING": "fine-name"})),
    ],
)
def test_unknown_secret_error_names_the_flag(flag: str, options: MigrationOptions) -> None:
    message = cli_error([secret("PRESENT", "fake")], options)
    assert message == f"{flag} MISSING: no 1.x secret has this name (names are case-sensitive)"


def test_flags_match_secret_names_case_sensitively() -> None:
    assert cli_error([secret("TOKEN", "fake")], MigrationOptions(only=["token"])).startswith("--only token: ")


def test_unknown_block_type_in_map_is_bad_input() -> None:
    message = cli_error([secret("A", "fake")], MigrationOptions(block_types={"A": "vault"}))
    assert message.startswith("--map A=vault: unknown block type; choose one of ")


@pytest.mark.parametrize("block_name", ["", "Upper", "under_score", "dot.ted", "spa ce", "ünï"])
def test_invalid_name_override_is_bad_input_naming_the_flag(block_name: str) -> None:
    message = cli_error([secret("A", "fake")], MigrationOptions(block_names={"A": block_name}))
    assert message.startswith(f"--name A={block_name}: ")


def test_two_secrets_given_one_name_by_name_override_is_bad_input() -> None:
    options = MigrationOptions(block_names={"A": "same"})
    with pytest.raises(BadInputError, match="'same' would be used by 'A' .* and 'SAME' "):
        plan_migration([secret("A", "1"), secret("SAME", "2")], options)


def test_an_unsupported_secret_does_not_take_its_block_name() -> None:
    plan = plan_migration([secret("A", {1}), secret("a", "fake")])
    assert [entry.action for entry in plan.entries] == [Action.UNSUPPORTED, Action.CREATE]


def test_empty_block_name_error_suggests_name() -> None:
    assert "--name 'ключ=BLOCK_NAME'" in cli_error([secret("ключ", "fake")])


def test_a_prefix_gives_an_otherwise_empty_block_name_a_name() -> None:
    assert only_entry([secret("ключ", "fake")], options=MigrationOptions(prefix="v1")).block_name == "v1"


# --- wrong shapes: the message helps and never shows the value ----------------------------


def wrong_shape_message(name: str, value: Any) -> str:
    return cli_error([secret(name, value, "fake-config.toml")])


def test_aws_credentials_without_secret_access_key_is_bad_input() -> None:
    message = wrong_shape_message("AWS_CREDENTIALS", {"ACCESS_KEY": canaries.AWS_ACCESS_KEY})
    assert message.startswith("secret AWS_CREDENTIALS (fake-config.toml) does not fit an aws-credentials block")
    assert message.endswith("--map AWS_CREDENTIALS=secret")
    assert_no_leak(message, "the wrong-shape error")


def test_github_access_token_that_is_not_a_token_is_bad_input() -> None:
    message = wrong_shape_message("GITHUB_ACCESS_TOKEN", canaries.GENERIC)
    assert "does not fit a github-token block" in message and "--map GITHUB_ACCESS_TOKEN=secret" in message
    assert_no_leak(message, "the wrong-shape error")


def test_slack_webhook_url_that_is_not_a_url_is_bad_input() -> None:
    message = wrong_shape_message("SLACK_WEBHOOK_URL", canaries.GENERIC)
    assert "--map SLACK_WEBHOOK_URL=secret" in message
    assert_no_leak(message, "the wrong-shape error")


def test_twitter_credentials_with_a_missing_key_are_bad_input() -> None:
    partial = {key: value for key, value in canaries.TWITTER.items() if key != "access_token_secret"}
    message = wrong_shape_message("TWITTER_API_CREDENTIALS", partial)
    assert "--map TWITTER_API_CREDENTIALS=secret" in message
    assert_no_leak(message, "the wrong-shape error")


def test_a_typed_name_holding_a_number_is_bad_input() -> None:
    assert "--map GITHUB_ACCESS_TOKEN=secret" in wrong_shape_message("GITHUB_ACCESS_TOKEN", 12345)


# --- the printable plan ----------------------------------------------------------------------


def canary_plan() -> MigrationPlan:
    return plan_migration(
        [
            secret("GITHUB_ACCESS_TOKEN", canaries.GITHUB_TOKEN),
            secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL),
            secret("TWITTER_API_CREDENTIALS", dict(canaries.TWITTER)),
            secret(
                "AWS_CREDENTIALS", {"ACCESS_KEY": canaries.AWS_ACCESS_KEY, "SECRET_ACCESS_KEY": canaries.AWS_SECRET}
            ),
            secret("DB_PASSWORD", canaries.GENERIC),
            secret("PAIR", (canaries.GENERIC, 1)),
            secret("AS_A_SET", {canaries.GENERIC}),
        ],
        existing={("secret", "db-password"): existing("other")},
    )


def test_plan_to_dict_has_exactly_plan_and_summary() -> None:
    document = canary_plan().to_dict()
    assert list(document) == ["plan", "summary"]
    keys = ["secret", "source", "block_type", "block_name", "action", "note"]
    assert all(list(entry) == keys for entry in document["plan"])
    assert document["summary"] == {"create": 5, "update": 0, "unchanged": 0, "skip": 1, "conflict": 0, "unsupported": 1}


def test_plan_to_dict_never_contains_a_value() -> None:
    assert_no_leak(json.dumps(canary_plan().to_dict()), "plan.to_dict()")


def test_plan_repr_never_contains_a_value() -> None:
    plan = canary_plan()
    assert_no_leak(repr(plan), "repr(plan)")
    assert_no_leak(str(plan), "str(plan)")
    assert_no_leak(" ".join(repr(entry) for entry in plan.entries), "repr(entry)")


# --- values at the limits of Python and JSON -----------------------------------------------


def test_an_int_too_long_for_json_is_unsupported() -> None:
    assert only_entry([secret("BIG", int("f" * 5000, 16))]).action is Action.UNSUPPORTED


def test_a_string_of_deeply_nested_brackets_is_planned() -> None:
    assert only_entry([secret("BRACKETS", "[" * 2000)]).action is Action.CREATE


# --- property: arbitrary 1.x input gives a plan or a BadInputError, nothing else ----------


def toml_string(text: str) -> str:
    escaped = []
    for character in text:
        if character in '"\\':
            escaped.append("\\" + character)
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            escaped.append(f"\\u{ord(character):04x}")
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value) if isinstance(value, int) else toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{toml_string(key)} = {toml_value(item)}" for key, item in value.items()) + "}"


def toml_document(top_level: dict[str, Any], secrets: dict[str, Any]) -> str:
    lines = [f"{toml_string(key)} = {toml_value(value)}" for key, value in top_level.items()]
    lines.append("[context.secrets]")
    lines += [f"{toml_string(key)} = {toml_value(value)}" for key, value in secrets.items()]
    return "\n".join(lines) + "\n"


_TRICKY_TEXT = st.sampled_from(
    [
        "$FAKE",
        "${FAKE}",
        "$UNSET",
        "~",
        "~/fake",
        "~root",
        "1,2",
        "true",
        "FALSE",
        "None",
        "0x1F",
        "007",
        "1e400",
        "nan",
        "-inf",
        "'q'",
        "b'fake'",
        "{1, 2}",
        "1j",
        "...",
        "[1, 'a']",
        "{'a': (1,)}",
        '{"a": null}',
        "[",
        "{",
        "${context.secrets.a}",
        "${context.secrets.AWS_CREDENTIALS}",
        "${cloud.api}",
        "$FAKE$FAKE",
        "fake",
        canaries.GITHUB_TOKEN,
        canaries.SLACK_URL,
    ]
)
_TEXT = st.one_of(_TRICKY_TEXT, st.text(max_size=12), st.lists(_TRICKY_TEXT, max_size=3).map("".join))
_NAMES = st.one_of(
    st.text(min_size=1, max_size=8),
    st.sampled_from(["a", "A_B", "a.b", ""]),
    st.sampled_from(["GITHUB_ACCESS_TOKEN", "SLACK_WEBHOOK_URL", "TWITTER_API_CREDENTIALS", "AWS_CREDENTIALS"]),
)
_LEAF = st.one_of(_TEXT, st.integers(-(2**63), 2**63 - 1), st.booleans())
_TOML_VALUES = st.recursive(
    _LEAF,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(_NAMES, children, max_size=3)),
    max_leaves=8,
)
_ENV_NAMES = st.one_of(
    st.text(alphabet="ABCab_.-0", min_size=1, max_size=10).map(lambda name: "PREFECT__CONTEXT__SECRETS__" + name),
    st.sampled_from(["FAKE", "UNSET_NOT", "PREFECT__context__secrets__a"]),
    st.sampled_from(["PREFECT__CONTEXT__SECRETS__", "PREFECT__CONTEXT__SECRETS"]),
)
_ENVIRON = st.dictionaries(_ENV_NAMES, _TEXT, max_size=4)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis-configs")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    top_level=st.dictionaries(st.sampled_from(["cloud", "flows", "debug"]), _TOML_VALUES, max_size=2),
    secrets=st.dictionaries(_NAMES, _TOML_VALUES, min_size=1, max_size=5),
    environ=_ENVIRON,
    use_environment=st.booleans(),
)
@example(top_level={}, secrets={"\n": []}, environ={}, use_environment=False)  # an empty block name
@example(top_level={}, secrets={"a\nb": "x", "a b": "y"}, environ={}, use_environment=False)  # one block name
def test_arbitrary_input_gives_a_plan_or_bad_input_error(
    scratch: Path, top_level: dict[str, Any], secrets: dict[str, Any], environ: dict[str, str], use_environment: bool
) -> None:
    config = scratch / "config.toml"
    config.write_text(toml_document(top_level, secrets), encoding="utf-8")
    environ = {**environ, "HOME": str(scratch / "home")}
    try:
        read = read_v1_secrets(config=config, environ=environ, use_environment=use_environment)
    except BadInputError as exc:
        assert "\n" not in str(exc)
        return
    try:
        plan_migration(read)
    except BadInputError as exc:
        assert "\n" not in str(exc)


# --- empty 1.x values: placeholders in published configs --------------------------------------
PLACEHOLDER_CONFIG = """
[context.secrets]
DB_PASSWORD = ""
API_KEY = "   "
EMAIL_USERNAME = "fake-user@example.com"
EMAIL_PASSWORD = ""
REFERENCED = "${context.secrets.NOT_SET}"
FILLED = "fake-filled"
"""


def placeholder_secrets(tmp_path: Path) -> list[V1Secret]:
    config = tmp_path / "config.toml"
    config.write_text(PLACEHOLDER_CONFIG)
    return read_v1_secrets(config=config, environ={}, use_environment=False)


def test_an_empty_value_is_planned_with_a_note_that_says_so(tmp_path: Path) -> None:
    plan = {entry.secret: entry for entry in plan_migration(placeholder_secrets(tmp_path)).entries}
    for name in ("DB_PASSWORD", "API_KEY", "REFERENCED"):
        assert (plan[name].action, plan[name].note) == (Action.CREATE, "empty in 1.x (a placeholder?)"), name
    assert plan["FILLED"].note == ""


def test_an_empty_member_of_the_email_pair_is_named_in_the_shared_blocks_note(tmp_path: Path) -> None:
    plan = {entry.secret: entry for entry in plan_migration(placeholder_secrets(tmp_path)).entries}
    pair = plan["EMAIL_USERNAME + EMAIL_PASSWORD"]
    assert (pair.block_type, pair.note) == (
        "email-server-credentials",
        "EMAIL_PASSWORD is empty in 1.x (a placeholder?)",
    )


def test_skip_empty_leaves_empty_values_out(tmp_path: Path) -> None:
    plan = plan_migration(placeholder_secrets(tmp_path), MigrationOptions(skip_empty=True))
    # EMAIL_USERNAME alone is no EmailServerCredentials: it stays a core Secret, as with --exclude EMAIL_PASSWORD
    assert [(entry.secret, entry.block_type) for entry in plan.entries] == [
        ("EMAIL_USERNAME", "secret"),
        ("FILLED", "secret"),
    ]


def test_an_empty_value_a_typed_block_refuses_is_bad_input_naming_skip_empty() -> None:
    message = cli_error([secret("GITHUB_ACCESS_TOKEN", "")])
    assert message.startswith("secret GITHUB_ACCESS_TOKEN (config.toml) does not fit a github-token block: ")
    assert message.endswith(
        "its 1.x value is empty: leave it out with --skip-empty, or keep it as a generic Secret with "
        "--map GITHUB_ACCESS_TOKEN=secret"
    )

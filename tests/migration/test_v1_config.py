"""Unit tests of each rule of the 1.x secrets reader (`read_v1_secrets`), one rule per test.

The differential tests (test_v1_differential.py) check the same reader against the real
prefect==1.4.1; these are fast, need no oracle, and name each rule so a failure says which.
Every test passes an explicit `environ` whose `HOME` is an empty temporary directory, so
the machine's own `~/.prefect` and environment never leak in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

import pytest

from prefect_secretblocks.exceptions import BadInputError
from prefect_secretblocks.migration.v1_config import MAX_CONFIG_BYTES, V1Secret, read_v1_secrets

# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home directory: no ~/.prefect/config.toml, no ~/.prefect/backend.toml."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read(
    home: Path,
    toml: Optional[str] = None,
    env: Optional[dict[str, str]] = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """`{name: value}` of the secrets read from `toml` (the user config's text) and `env`."""
    secrets = read_all(home, toml, env, **kwargs)
    return {secret.name: secret.value for secret in secrets}


def read_all(
    home: Path,
    toml: Optional[str] = None,
    env: Optional[dict[str, str]] = None,
    **kwargs: Any,
) -> list[V1Secret]:
    if toml is not None:
        kwargs["config"] = write(home.parent / "config.toml", toml)
    return read_v1_secrets(environ={"HOME": str(home), **(env or {})}, **kwargs)


def read_one(home: Path, toml: Optional[str] = None, env: Optional[dict[str, str]] = None, **kwargs: Any) -> Any:
    """The value of the only secret."""
    secrets = read(home, toml, env, **kwargs)
    assert len(secrets) == 1, sorted(secrets)
    return next(iter(secrets.values()))


def secret_toml(name: str, toml_value: str) -> str:
    return f"[context.secrets]\n{name} = {toml_value}\n"


def bad_input(home: Path, toml: Optional[str] = None, env: Optional[dict[str, str]] = None, **kwargs: Any) -> str:
    """The one-line message of the `BadInputError` that reading raises."""
    with pytest.raises(BadInputError) as caught:
        read_all(home, toml, env, **kwargs)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def triple_quoted(text: str) -> str:
    return f"'''{text}'''"


# --- where secrets come from: precedence ----------------------------------------------------


def test_secrets_come_from_context_secrets_of_the_user_config(home: Path) -> None:
    assert read(home, '[context.secrets]\nNOTE = "fake-note"\n') == {"NOTE": "fake-note"}


def test_keys_outside_context_secrets_are_not_secrets(home: Path) -> None:
    config = '[context]\nflow_name = "fake"\n[cloud]\napi = "fake"\n[context.secrets]\nNOTE = "fake"\n'
    assert read(home, config) == {"NOTE": "fake"}


def test_backend_toml_overrides_user_config(home: Path) -> None:
    backend = write(home.parent / "backend.toml", '[context.secrets]\nTOKEN = "fake-from-backend"\n')
    assert read(home, '[context.secrets]\nTOKEN = "fake-from-user"\n', backend_config=backend) == {
        "TOKEN": "fake-from-backend"
    }


def test_env_var_overrides_backend_toml(home: Path) -> None:
    backend = write(home.parent / "backend.toml", '[context.secrets]\nTOKEN = "fake-from-backend"\n')
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-from-env"}
    assert read(home, env=env, backend_config=backend) == {"TOKEN": "fake-from-env"}


def test_env_var_overrides_user_config(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-from-env"}
    assert read(home, '[context.secrets]\nTOKEN = "fake-from-user"\n', env) == {"TOKEN": "fake-from-env"}


def test_tables_of_user_and_backend_config_are_merged_key_by_key(home: Path) -> None:
    backend = write(home.parent / "backend.toml", '[context.secrets.AWS_CREDENTIALS]\nSECRET_ACCESS_KEY = "fake-s"\n')
    config = '[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "fake-a"\nSECRET_ACCESS_KEY = "fake-old"\n'
    assert read(home, config, backend_config=backend) == {
        "AWS_CREDENTIALS": {"ACCESS_KEY": "fake-a", "SECRET_ACCESS_KEY": "fake-s"}
    }


def test_secrets_are_returned_sorted_by_name(home: Path) -> None:
    config = '[context.secrets]\nb = "fake"\nA = "fake"\na = "fake"\nB = "fake"\n'
    assert [secret.name for secret in read_all(home, config)] == ["A", "B", "a", "b"]


# --- where secrets come from: default paths -------------------------------------------------


def test_user_config_defaults_to_dot_prefect_config_toml_in_home(home: Path) -> None:
    write(home / ".prefect" / "config.toml", '[context.secrets]\nUSER = "fake"\n')
    assert read(home) == {"USER": "fake"}


def test_backend_config_defaults_to_dot_prefect_backend_toml_in_home(home: Path) -> None:
    write(home / ".prefect" / "backend.toml", '[context.secrets]\nBACKEND = "fake"\n')
    assert read(home) == {"BACKEND": "fake"}


def test_user_config_path_env_var_names_the_user_config(home: Path, tmp_path: Path) -> None:
    write(home / ".prefect" / "config.toml", '[context.secrets]\nIGNORED = "fake"\n')
    other = write(tmp_path / "elsewhere.toml", '[context.secrets]\nCHOSEN = "fake"\n')
    assert read(home, env={"PREFECT__USER_CONFIG_PATH": str(other)}) == {"CHOSEN": "fake"}


def test_backend_config_path_env_var_names_the_backend_config(home: Path, tmp_path: Path) -> None:
    write(home / ".prefect" / "backend.toml", '[context.secrets]\nIGNORED = "fake"\n')
    other = write(tmp_path / "elsewhere.toml", '[context.secrets]\nCHOSEN = "fake"\n')
    assert read(home, env={"PREFECT__BACKEND_CONFIG_PATH": str(other)}) == {"CHOSEN": "fake"}


def test_config_path_env_var_is_expanded(home: Path, tmp_path: Path) -> None:
    write(tmp_path / "configs" / "c.toml", '[context.secrets]\nCHOSEN = "fake"\n')
    env = {"CONFIG_DIR": str(tmp_path / "configs"), "PREFECT__USER_CONFIG_PATH": "$CONFIG_DIR/c.toml"}
    assert read(home, env=env) == {"CHOSEN": "fake"}


def test_missing_default_configs_are_silently_skipped(home: Path) -> None:
    assert read(home) == {}


def test_missing_config_named_by_env_var_is_silently_skipped(home: Path, tmp_path: Path) -> None:
    env = {
        "PREFECT__USER_CONFIG_PATH": str(tmp_path / "missing.toml"),
        "PREFECT__BACKEND_CONFIG_PATH": str(tmp_path / "missing-too.toml"),
    }
    assert read(home, env=env) == {}


def test_missing_explicit_config_is_bad_input(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert bad_input(home, config=missing) == f"{missing}: no such file"


def test_missing_explicit_backend_config_is_bad_input(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert bad_input(home, backend_config=missing) == f"{missing}: no such file"


# --- `$VAR` and `~` expansion --------------------------------------------------------------


def test_dollar_var_is_expanded_from_the_environment(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"$FAKE_VAR"'), {"FAKE_VAR": "fake-value"}) == "fake-value"


def test_braced_var_is_expanded_from_the_environment(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"${FAKE_VAR}-suffix"'), {"FAKE_VAR": "fake"}) == "fake-suffix"


def test_unset_var_is_left_as_written(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"fake-$UNSET_FAKE-x"')) == "fake-$UNSET_FAKE-x"


def test_unset_braced_var_is_then_dropped_as_a_missing_config_reference(home: Path) -> None:
    # Expansion leaves `${UNSET_FAKE}`; 1.x's `${dotted.key}` step then finds no such key: "".
    assert read_one(home, secret_toml("A", '"fake-${UNSET_FAKE}-x"')) == "fake--x"


def test_leading_tilde_expands_to_home_from_the_environment(home: Path) -> None:
    assert read_one(home, secret_toml("KEY_FILE", '"~/keys/fake"')) == f"{home}/keys/fake"


def test_tilde_inside_a_value_is_left_alone(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"fake~value"')) == "fake~value"


def test_expanded_value_is_typed(home: Path) -> None:
    assert read_one(home, secret_toml("PORT", '"$FAKE_PORT"'), {"FAKE_PORT": "12345"}) == 12345


def test_expansion_repeats_until_the_value_is_stable(home: Path) -> None:
    env = {"OUTER": "$MIDDLE", "MIDDLE": "${INNER}", "INNER": "fake-end"}
    assert read_one(home, secret_toml("A", '"$OUTER"'), env) == "fake-end"


def chain_of_variables(changes: int) -> dict[str, str]:
    """`$V0` takes exactly `changes` expansions to settle on "fake-end"."""
    env = {f"V{i}": f"$V{i + 1}" for i in range(changes - 1)}
    env[f"V{changes - 1}"] = "fake-end"
    return env


def test_expansion_settling_after_nine_changes_is_kept(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"$V0"'), chain_of_variables(9)) == "fake-end"


def test_expansion_not_settled_after_ten_passes_becomes_none(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"$V0"'), chain_of_variables(10)) is None


def test_self_growing_expansion_becomes_none(home: Path) -> None:
    assert read_one(home, secret_toml("A", '"$GROWS"'), {"GROWS": "fake$GROWS"}) is None


def test_value_needing_several_expansions_is_typed_twice_as_in_1x(home: Path) -> None:
    # 1.x re-types inside the expansion loop after two or more changes, then again after it.
    env = {"ONE_HOP": "'1,2'", "TWO_HOPS": "$ONE_HOP"}
    config = '[context.secrets]\nONE = "$ONE_HOP"\nTWO = "$TWO_HOPS"\n'
    assert read(home, config, env) == {"ONE": "1,2", "TWO": (1, 2)}


# --- string_to_type ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["true", "TRUE", "True", "tRuE"])
def test_true_in_any_case_becomes_true(home: Path, text: str) -> None:
    assert read_one(home, secret_toml("FLAG", f'"{text}"')) is True


@pytest.mark.parametrize("text", ["false", "FALSE", "False", "FaLsE"])
def test_false_in_any_case_becomes_false(home: Path, text: str) -> None:
    assert read_one(home, secret_toml("FLAG", f'"{text}"')) is False


def test_integer_string_becomes_int(home: Path) -> None:
    assert read_one(home, secret_toml("PORT", '"12345"')) == 12345


def test_negative_integer_string_becomes_int(home: Path) -> None:
    assert read_one(home, secret_toml("N", '"-5"')) == -5


def test_hex_string_becomes_int(home: Path) -> None:
    assert read_one(home, secret_toml("HEX", '"0x1F"')) == 31


def test_float_string_becomes_float(home: Path) -> None:
    value = read_one(home, secret_toml("F", '"1e3"'))
    assert value == 1000.0 and isinstance(value, float)


def test_number_with_leading_zero_stays_a_string(home: Path) -> None:
    assert read_one(home, secret_toml("ZERO", '"007"')) == "007"


def test_comma_separated_numbers_become_a_tuple(home: Path) -> None:
    assert read_one(home, secret_toml("PAIR", '"1,2"')) == (1, 2)


def test_none_string_becomes_none(home: Path) -> None:
    assert read_one(home, secret_toml("NOTHING", '"None"')) is None


def test_python_list_literal_becomes_a_list(home: Path) -> None:
    assert read_one(home, secret_toml("LIST", "\"[1, 'fake']\"")) == [1, "fake"]


def test_python_dict_literal_becomes_a_dict(home: Path) -> None:
    assert read_one(home, secret_toml("D", "\"{'k': 'fake', 'n': [2, 3]}\"")) == {"k": "fake", "n": [2, 3]}


def test_python_string_literal_loses_its_quotes(home: Path) -> None:
    assert read_one(home, secret_toml("Q", "\"'fake'\"")) == "fake"


def test_ordinary_text_stays_a_string(home: Path) -> None:
    assert read_one(home, secret_toml("NOTE", '"fake password 123"')) == "fake password 123"


def test_toml_native_types_are_kept(home: Path) -> None:
    config = "[context.secrets]\nINT = 7\nBOOL = false\nFLOAT = 1.5\nLIST = [1, 2]\n"
    values = read(home, config)
    assert values == {"INT": 7, "BOOL": False, "FLOAT": 1.5, "LIST": [1, 2]}
    assert isinstance(values["INT"], int) and values["BOOL"] is False


def test_env_var_values_are_typed_too(home: Path) -> None:
    assert read_one(home, env={"PREFECT__CONTEXT__SECRETS__PORT": "42"}) == 42


# --- `${context.secrets.X}` references ------------------------------------------------------


def test_full_reference_takes_the_referenced_value_with_its_type(home: Path) -> None:
    config = '[context.secrets]\nPORT = "12345"\nREF = "${context.secrets.PORT}"\n'
    assert read(home, config)["REF"] == 12345


def test_partial_reference_is_substituted_as_text(home: Path) -> None:
    config = '[context.secrets]\nPORT = "12345"\nURL = "fake-host:${context.secrets.PORT}/x"\n'
    assert read(home, config)["URL"] == "fake-host:12345/x"


def test_full_reference_to_a_missing_key_becomes_empty_string(home: Path) -> None:
    assert read_one(home, secret_toml("REF", '"${context.secrets.MISSING}"')) == ""


def test_partial_reference_to_a_missing_key_is_replaced_by_nothing(home: Path) -> None:
    assert read_one(home, secret_toml("REF", '"fake-${context.secrets.MISSING}-x"')) == "fake--x"


def test_references_chain(home: Path) -> None:
    config = (
        "[context.secrets]\n"
        'FIRST = "${context.secrets.SECOND}"\n'
        'SECOND = "${context.secrets.THIRD}"\n'
        'THIRD = "fake-end"\n'
    )
    assert read(home, config) == {"FIRST": "fake-end", "SECOND": "fake-end", "THIRD": "fake-end"}


def test_reference_may_name_any_config_key(home: Path) -> None:
    config = '[cloud]\napi = "https://fake.example"\n[context.secrets]\nAPI = "${cloud.api}/v1"\n'
    assert read(home, config) == {"API": "https://fake.example/v1"}


def test_reference_to_a_key_inside_a_secret_table(home: Path) -> None:
    config = (
        '[context.secrets]\nKEY = "${context.secrets.AWS.ACCESS_KEY}"\n[context.secrets.AWS]\nACCESS_KEY = "fake-a"\n'
    )
    assert read(home, config)["KEY"] == "fake-a"


# --- Secret.get(): JSON decoding ------------------------------------------------------------


def test_json_text_is_decoded_like_secret_get(home: Path) -> None:
    assert read_one(home, secret_toml("DOC", triple_quoted('{"a": true, "b": null}'))) == {"a": True, "b": None}


def test_json_text_from_an_env_var_is_decoded(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__DOC": '{"key": "fake", "n": null}'}
    assert read_one(home, env=env) == {"key": "fake", "n": None}


def test_json_array_with_lowercase_literals_is_decoded(home: Path) -> None:
    assert read_one(home, secret_toml("DOC", triple_quoted("[true, null, 1]"))) == [True, None, 1]


def test_text_that_is_not_json_is_returned_as_is(home: Path) -> None:
    assert read_one(home, secret_toml("DOC", '"{not json, fake}"')) == "{not json, fake}"


# --- TOML structure ------------------------------------------------------------------------


def test_sub_table_becomes_a_dict_secret(home: Path) -> None:
    config = '[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "fake-a"\nSECRET_ACCESS_KEY = "fake-s"\n'
    assert read(home, config) == {"AWS_CREDENTIALS": {"ACCESS_KEY": "fake-a", "SECRET_ACCESS_KEY": "fake-s"}}


def test_inline_table_becomes_a_dict_secret(home: Path) -> None:
    assert read_one(home, secret_toml("CREDS", '{ user = "fake", password = "fake-pw" }')) == {
        "user": "fake",
        "password": "fake-pw",
    }


def test_dotted_keys_become_a_nested_dict_secret(home: Path) -> None:
    assert read_one(home, '[context.secrets]\nGCP.project.id = "fake-project"\n') == {"project": {"id": "fake-project"}}


def test_array_of_tables_becomes_a_list_secret(home: Path) -> None:
    config = '[[context.secrets.SERVERS]]\nhost = "fake-1"\n[[context.secrets.SERVERS]]\nhost = "fake-2"\n'
    assert read(home, config) == {"SERVERS": [{"host": "fake-1"}, {"host": "fake-2"}]}


def test_strings_inside_tables_are_expanded_and_typed(home: Path) -> None:
    config = '[context.secrets.DB]\npassword = "$FAKE_PW"\nport = "5432"\n'
    assert read_one(home, config, {"FAKE_PW": "fake-pw"}) == {"password": "fake-pw", "port": 5432}


def test_strings_inside_lists_are_left_as_written(home: Path) -> None:
    config = '[context.secrets]\nLIST = ["$FAKE_VAR", "12", "~/x"]\nTABLES = [{ pw = "$FAKE_VAR" }]\n'
    assert read(home, config, {"FAKE_VAR": "fake"}) == {
        "LIST": ["$FAKE_VAR", "12", "~/x"],
        "TABLES": [{"pw": "$FAKE_VAR"}],
    }


# --- environment variables -----------------------------------------------------------------


def test_env_var_defines_a_secret(home: Path) -> None:
    assert read(home, env={"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-token"}) == {"TOKEN": "fake-token"}


def test_env_var_nesting_adds_a_key_to_a_toml_table(home: Path) -> None:
    config = '[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "fake-a"\nSECRET_ACCESS_KEY = "fake-s"\n'
    env = {"PREFECT__CONTEXT__SECRETS__AWS_CREDENTIALS__SESSION_TOKEN": "fake-session"}
    assert read(home, config, env) == {
        "AWS_CREDENTIALS": {"ACCESS_KEY": "fake-a", "SECRET_ACCESS_KEY": "fake-s", "SESSION_TOKEN": "fake-session"}
    }


def test_env_var_nesting_alone_makes_a_dict_secret(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__DB__user": "fake", "PREFECT__CONTEXT__SECRETS__DB__pw": "fake-pw"}
    assert read(home, env=env) == {"DB": {"user": "fake", "pw": "fake-pw"}}


def test_lowercase_section_names_in_env_vars_work(home: Path) -> None:
    assert read(home, env={"PREFECT__context__secrets__x": "fake"}) == {"x": "fake"}


def test_prefect_prefix_of_env_vars_is_case_sensitive(home: Path) -> None:
    assert read(home, env={"prefect__CONTEXT__SECRETS__X": "fake", "Prefect__CONTEXT__SECRETS__Y": "fake"}) == {}


def test_secret_names_keep_their_case(home: Path) -> None:
    config = '[context.secrets]\nMixedCase = "fake-1"\n'
    env = {"PREFECT__CONTEXT__SECRETS__myToken": "fake-2"}
    assert read(home, config, env) == {"MixedCase": "fake-1", "myToken": "fake-2"}


def test_names_differing_only_in_case_are_different_secrets(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-upper", "PREFECT__CONTEXT__SECRETS__token": "fake-lower"}
    assert read(home, env=env) == {"TOKEN": "fake-upper", "token": "fake-lower"}


def test_env_var_value_is_expanded(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "$FAKE_SOURCE", "FAKE_SOURCE": "fake-token"}
    assert read(home, env=env) == {"TOKEN": "fake-token"}


def test_use_environment_false_ignores_prefect_vars_of_environ(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-env"}
    assert read(home, '[context.secrets]\nTOKEN = "fake-toml"\n', env, use_environment=False) == {"TOKEN": "fake-toml"}


def test_use_environment_false_still_expands_vars_from_environ(home: Path) -> None:
    config = '[context.secrets]\nTOKEN = "$FAKE_VAR"\n'
    assert read(home, config, {"FAKE_VAR": "fake-token"}, use_environment=False) == {"TOKEN": "fake-token"}


@pytest.mark.parametrize("name", ["keys", "items", "get", "copy", "update", "pop", "to_dict", "values", "setdefault"])
def test_secret_named_like_a_1x_config_method_is_read(home: Path, name: str) -> None:
    # 1.x's Config object crashed on these names; we read them like any other.
    assert read(home, secret_toml(name, '"fake-value"')) == {name: "fake-value"}


# --- env files ------------------------------------------------------------------------------


def env_file(tmp_path: Path, text: str, name: str = "flow.env") -> Path:
    return write(tmp_path / name, text)


def test_env_file_defines_a_secret(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "PREFECT__CONTEXT__SECRETS__TOKEN=fake-token\n")
    assert read(home, env_files=[path]) == {"TOKEN": "fake-token"}


def test_env_file_accepts_export_prefix(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "export PREFECT__CONTEXT__SECRETS__TOKEN=fake-token\n")
    assert read(home, env_files=[path]) == {"TOKEN": "fake-token"}


def test_env_file_quotes_are_removed(home: Path, tmp_path: Path) -> None:
    path = env_file(
        tmp_path,
        'PREFECT__CONTEXT__SECRETS__DOUBLE="fake with spaces"\n'
        "PREFECT__CONTEXT__SECRETS__SINGLE='fake # not a comment'\n",
    )
    assert read(home, env_files=[path]) == {"DOUBLE": "fake with spaces", "SINGLE": "fake # not a comment"}


def test_env_file_comments_and_blank_lines_are_ignored(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "# a comment\n\n  # indented\nPREFECT__CONTEXT__SECRETS__TOKEN=fake-token # trailing\n")
    assert read(home, env_files=[path]) == {"TOKEN": "fake-token"}


def test_env_file_overrides_process_environment(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "PREFECT__CONTEXT__SECRETS__TOKEN=fake-from-file\n")
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-from-process"}
    assert read(home, env=env, env_files=[path]) == {"TOKEN": "fake-from-file"}


def test_env_file_overrides_toml(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "PREFECT__CONTEXT__SECRETS__TOKEN=fake-from-file\n")
    assert read(home, '[context.secrets]\nTOKEN = "fake-from-toml"\n', env_files=[path]) == {"TOKEN": "fake-from-file"}


def test_later_env_file_wins(home: Path, tmp_path: Path) -> None:
    first = env_file(tmp_path, "PREFECT__CONTEXT__SECRETS__TOKEN=fake-first\n", "first.env")
    second = env_file(tmp_path, "PREFECT__CONTEXT__SECRETS__TOKEN=fake-second\n", "second.env")
    assert read(home, env_files=[first, second]) == {"TOKEN": "fake-second"}


def test_env_file_variables_are_used_for_expansion_in_toml(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "FAKE_VAR=fake-from-file\n")
    config = '[context.secrets]\nTOKEN = "$FAKE_VAR"\n'
    assert read(home, config, {"FAKE_VAR": "fake-from-process"}, env_files=[path]) == {"TOKEN": "fake-from-file"}


def test_env_file_variables_are_used_for_expansion_in_env_files(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "FAKE_VAR=fake-from-file\nPREFECT__CONTEXT__SECRETS__TOKEN=${FAKE_VAR}\n")
    assert read(home, env_files=[path]) == {"TOKEN": "fake-from-file"}


def test_env_files_are_read_when_use_environment_is_false(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "PREFECT__CONTEXT__SECRETS__FROM_FILE=fake\n")
    env = {"PREFECT__CONTEXT__SECRETS__FROM_PROCESS": "fake"}
    assert read(home, env=env, env_files=[path], use_environment=False) == {"FROM_FILE": "fake"}


# --- sources --------------------------------------------------------------------------------


def sources(
    home: Path, toml: Optional[str] = None, env: Optional[dict[str, str]] = None, **kwargs: Any
) -> dict[str, tuple[str, ...]]:
    return {secret.name: secret.sources for secret in read_all(home, toml, env, **kwargs)}


def test_source_of_a_toml_secret_is_the_file_path(home: Path) -> None:
    assert sources(home, '[context.secrets]\nTOKEN = "fake"\n') == {"TOKEN": (str(home.parent / "config.toml"),)}


def test_source_of_an_env_var_secret_names_the_variable(home: Path) -> None:
    assert sources(home, env={"PREFECT__CONTEXT__SECRETS__TOKEN": "fake"}) == {
        "TOKEN": ("env PREFECT__CONTEXT__SECRETS__TOKEN",)
    }


def test_source_of_an_env_file_secret_is_file_and_line(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "# comment\nOTHER=x\nPREFECT__CONTEXT__SECRETS__TOKEN=fake\n")
    assert sources(home, env_files=[path]) == {"TOKEN": (f"{path}:3",)}


def test_source_of_an_overridden_secret_is_the_winner_only(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN": "fake-env"}
    assert sources(home, '[context.secrets]\nTOKEN = "fake-toml"\n', env) == {
        "TOKEN": ("env PREFECT__CONTEXT__SECRETS__TOKEN",)
    }


def test_sources_of_a_table_list_every_file_and_variable_that_set_a_key(home: Path) -> None:
    config = '[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "fake-a"\nSECRET_ACCESS_KEY = "fake-s"\n'
    env = {"PREFECT__CONTEXT__SECRETS__AWS_CREDENTIALS__SESSION_TOKEN": "fake-session"}
    assert sources(home, config, env) == {
        "AWS_CREDENTIALS": (
            str(home.parent / "config.toml"),
            "env PREFECT__CONTEXT__SECRETS__AWS_CREDENTIALS__SESSION_TOKEN",
        )
    }


def test_v1_secret_repr_never_shows_the_value() -> None:
    secret = V1Secret(name="TOKEN", value="fake-canary-value", sources=("config.toml",))
    assert "fake-canary-value" not in repr(secret)
    assert "fake-canary-value" not in str(secret)
    assert "TOKEN" in repr(secret)


def test_v1_secret_repr_never_shows_a_table_value() -> None:
    secret = V1Secret(name="AWS", value={"ACCESS_KEY": "fake-canary-key"}, sources=())
    assert "fake-canary-key" not in repr(secret)


# --- bad input: one line naming the file (and line:column for TOML) ---------------------


def test_invalid_toml_is_bad_input_naming_line_and_column(home: Path) -> None:
    message = bad_input(home, "[context.secrets]\nA = \n")
    assert message.startswith(f"{home.parent / 'config.toml'}:2:5: invalid TOML")


def test_duplicate_toml_key_is_bad_input_naming_the_line(home: Path) -> None:
    message = bad_input(home, '[context.secrets]\nA = "fake"\nA = "fake"\n')
    assert message.startswith(f"{home.parent / 'config.toml'}:3:")
    assert "invalid TOML" in message


def test_invalid_toml_in_backend_config_names_the_backend_file(home: Path) -> None:
    backend = write(home.parent / "backend.toml", "[context.secrets\n")
    assert bad_input(home, backend_config=backend).startswith(f"{backend}:1:")


def test_non_utf8_config_is_bad_input_naming_the_line(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[context.secrets]\nA = "fake"\nB = "caf\xe9"\n'.encode("latin-1"))
    assert bad_input(home, config=path).startswith(f"{path}:3: not UTF-8")


def test_directory_as_config_is_bad_input(home: Path, tmp_path: Path) -> None:
    directory = tmp_path / "a-directory"
    directory.mkdir()
    assert bad_input(home, config=directory) == f"{directory}: is a directory, not a file"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_unreadable_config_is_bad_input(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "locked.toml", '[context.secrets]\nA = "fake"\n')
    path.chmod(0)
    try:
        assert bad_input(home, config=path).startswith(f"{path}: cannot read")
    finally:
        path.chmod(0o600)


def test_config_path_through_a_regular_file_is_bad_input(home: Path, tmp_path: Path) -> None:
    # An OSError other than "missing" or "a directory" (here ENOTDIR; it also runs as root).
    not_a_directory = write(tmp_path / "file", "")
    path = not_a_directory / "config.toml"
    assert bad_input(home, config=path).startswith(f"{path}: cannot read")


def test_config_larger_than_4_mb_is_bad_input(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as file:
        file.truncate(MAX_CONFIG_BYTES + 1)  # sparse: the size check comes before reading
    message = bad_input(home, config=path)
    assert message.startswith(f"{path}: ") and "too large" in message


def test_tables_nested_more_than_32_levels_are_bad_input(home: Path) -> None:
    config = "[context.secrets]\nDEEP = " + "{ a = " * 40 + '"fake"' + " }" * 40 + "\n"
    message = bad_input(home, config)
    assert message == f"{home.parent / 'config.toml'}: tables are nested more than 32 levels deep"


def test_arrays_nested_more_than_32_levels_are_bad_input(home: Path) -> None:
    message = bad_input(home, "[context.secrets]\nDEEP = " + "[" * 40 + "1" + "]" * 40 + "\n")
    assert "nested more than 32 levels" in message


def test_absurdly_deep_nesting_is_bad_input_not_a_recursion_error(home: Path) -> None:
    message = bad_input(home, "[context.secrets]\nDEEP = " + "[" * 5000 + "1" + "]" * 5000 + "\n")
    assert message.startswith(f"{home.parent / 'config.toml'}: ") and "nested" in message


def test_secrets_set_to_a_single_value_is_bad_input(home: Path) -> None:
    message = bad_input(home, '[context]\nsecrets = "fake"\n')
    assert message.startswith(f"{home.parent / 'config.toml'}: ") and "must be a table" in message


def test_secrets_set_to_a_single_value_by_env_var_is_bad_input(home: Path) -> None:
    message = bad_input(home, env={"PREFECT__CONTEXT__SECRETS": "fake"})
    assert message.startswith("env PREFECT__CONTEXT__SECRETS: ") and "must be a table" in message


def test_env_var_with_empty_secret_name_is_bad_input(home: Path) -> None:
    assert bad_input(home, env={"PREFECT__CONTEXT__SECRETS__": "fake"}) == (
        "env PREFECT__CONTEXT__SECRETS__: a secret has an empty name"
    )


def test_env_key_inside_a_secret_toml_set_to_a_string_is_bad_input(home: Path) -> None:
    env = {"PREFECT__CONTEXT__SECRETS__TOKEN__PART": "fake-part"}
    message = bad_input(home, '[context.secrets]\nTOKEN = "fake-token"\n', env)
    assert message.startswith("env PREFECT__CONTEXT__SECRETS__TOKEN__PART: ")
    assert "'TOKEN'" in message and str(home.parent / "config.toml") in message
    assert "fake-token" not in message and "fake-part" not in message


def test_malformed_env_file_line_is_bad_input_naming_file_and_line(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, "GOOD=fake\nthis is not an assignment\n")
    assert bad_input(home, env_files=[path]) == f"{path}:2: not a NAME=value line"


def test_unterminated_quote_in_env_file_is_bad_input(home: Path, tmp_path: Path) -> None:
    path = env_file(tmp_path, 'GOOD=fake\nPREFECT__CONTEXT__SECRETS__A="fake-unterminated\n')
    assert bad_input(home, env_files=[path]) == f"{path}:2: not a NAME=value line"


def test_missing_env_file_is_bad_input(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.env"
    assert bad_input(home, env_files=[missing]) == f"{missing}: no such file"


def test_non_utf8_env_file_is_bad_input_naming_the_line(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.env"
    path.write_bytes("A=fake\nB=caf\xe9\n".encode("latin-1"))
    assert bad_input(home, env_files=[path]).startswith(f"{path}:2: not UTF-8")

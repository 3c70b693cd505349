"""Read Prefect 1.x secrets exactly as `prefect==1.4.1` did.

The functions below follow `prefect/configuration.py` and `prefect/client/secrets.py`
of 1.4.1 step by step (same order, same quirks), but read an explicit environment
mapping instead of `os.environ`, keep track of where each value came from, and turn
the inputs 1.x crashed on into one-line `BadInputError`s.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from dotenv.parser import parse_stream

from prefect_secretblocks.exceptions import BadInputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

ENV_VAR_PREFIX = "PREFECT"
SECRETS_KEY = ("context", "secrets")
DEFAULT_USER_CONFIG = "~/.prefect/config.toml"
DEFAULT_BACKEND_CONFIG = "~/.prefect/backend.toml"
# 1.x: `INTERPOLATION_REGEX = re.compile(r"\${(.[^${}]*)}")`
_REFERENCE_PATTERN = re.compile(r"\${(.[^${}]*)}")
# posixpath.expandvars' own pattern, applied to our environment mapping instead of os.environ.
_ENV_VAR_PATTERN = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)
_TOML_ERROR_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
# A real 1.x config is a few kB; refusing absurd input keeps the reader fast and safe.
MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_NESTING = 32

FlatKey = tuple[str, ...]


@dataclass(frozen=True)
class V1Secret:
    """One 1.x secret: its name, the value 1.x's `Secret(name).get()` returned, and its origins."""

    name: str
    value: Any
    sources: tuple[str, ...]

    def __repr__(self) -> str:  # never show the value
        return f"V1Secret(name={self.name!r}, sources={self.sources!r})"


@dataclass
class _FlatConfig:
    """1.x's flattened config (`CompoundKey -> value`) plus where each key was set."""

    values: dict[FlatKey, Any] = field(default_factory=dict)
    origins: dict[FlatKey, str] = field(default_factory=dict)

    def set(self, key: FlatKey, value: Any, origin: str) -> None:
        self.values[key] = value
        self.origins[key] = origin


def read_v1_secrets(
    config: Union[str, Path, None] = None,
    backend_config: Union[str, Path, None] = None,
    env_files: Sequence[Union[str, Path]] = (),
    use_environment: bool = True,
    environ: Optional[Mapping[str, str]] = None,
) -> list[V1Secret]:
    """
    Read the 1.x secrets from config files and environment, as `Secret(name).get()` saw them.

    Args:
        config: The 1.x user config. Default: `$PREFECT__USER_CONFIG_PATH` or
            `~/.prefect/config.toml` (skipped when missing, as 1.x did).
        backend_config: The 1.x backend config. Default: `$PREFECT__BACKEND_CONFIG_PATH`
            or `~/.prefect/backend.toml` (skipped when missing).
        env_files: dotenv files whose variables were in the flow's environment (as agents
            and job templates passed them); later files win over earlier ones and the process.
        use_environment: Read `PREFECT__*` variables of the process environment.
        environ: The process environment; `os.environ` by default.

    Returns:
        The secrets sorted by name.

    Raises:
        BadInputError: A file is missing (when named explicitly), unreadable, not UTF-8,
            not valid TOML, too large or too deeply nested, or secrets are not a table.
    """
    process_environ = dict(os.environ if environ is None else environ)
    env_file_vars = _read_env_files(env_files)
    # `$VAR` expansion sees the whole environment the flow ran in.
    expansion_environ = {**process_environ, **{name: value for name, (value, _) in env_file_vars.items()}}

    settings: list[tuple[str, str, str]] = []  # (variable, value, origin)
    if use_environment:
        settings += [(name, value, f"env {name}") for name, value in process_environ.items()]
    settings += [(name, value, origin) for name, (value, origin) in env_file_vars.items()]

    merged, origins = _load_config_files(config, backend_config, process_environ, expansion_environ)
    flat = _interpolate_config(merged, origins, settings, expansion_environ)
    return _secrets_from(flat)


def _load_config_files(
    config: Union[str, Path, None],
    backend_config: Union[str, Path, None],
    process_environ: Mapping[str, str],
    expansion_environ: Mapping[str, str],
) -> tuple[dict[str, Any], dict[FlatKey, str]]:
    """The user config merged with the backend config over it, and where each key came from."""
    merged: dict[str, Any] = {}
    origins: dict[FlatKey, str] = {}
    for path, env_var, default in (
        (config, "PREFECT__USER_CONFIG_PATH", DEFAULT_USER_CONFIG),
        (backend_config, "PREFECT__BACKEND_CONFIG_PATH", DEFAULT_BACKEND_CONFIG),
    ):
        loaded = _load_config_file(path, process_environ.get(env_var, default), expansion_environ)
        if loaded is not None:
            document, origin = loaded
            merged = _merge_dicts(merged, document)
            origins.update((key, origin) for key in _flatten(document))
    return merged, origins


def _load_config_file(
    explicit: Union[str, Path, None], default: str, environ: Mapping[str, str]
) -> Optional[tuple[dict[str, Any], str]]:
    if explicit is not None:
        path = Path(explicit)
    else:
        path = Path(str(_interpolate_env_vars(default, environ)))
        if not path.is_file():  # 1.x silently skipped a missing default config
            return None
    text = _read_text(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(_toml_error_message(path, exc)) from None
    except RecursionError:
        raise BadInputError(f"{path}: tables are nested too deeply") from None
    _check_nesting(document, path)
    return document, str(path)


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            size_mb = path.stat().st_size / 1024 / 1024
            raise BadInputError(
                f"{path}: {size_mb:.1f} MB is too large for a Prefect 1.x config "
                f"(limit {MAX_CONFIG_BYTES // 1024 // 1024} MB)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})") from None


def _toml_error_message(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    position = _TOML_ERROR_POSITION.search(message)
    if position:
        message = message[: position.start()]
        return f"{path}:{position.group(1)}:{position.group(2)}: invalid TOML: {message}"
    return f"{path}: invalid TOML: {message}"


def _check_nesting(value: Any, path: Path, depth: int = 0) -> None:
    if depth > MAX_NESTING:
        raise BadInputError(f"{path}: tables are nested more than {MAX_NESTING} levels deep")
    children: Iterable[Any] = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        _check_nesting(child, path, depth + 1)


def _read_env_files(paths: Sequence[Union[str, Path]]) -> dict[str, tuple[str, str]]:
    """`NAME -> (value, "file:line")` from dotenv files, later files winning."""
    variables: dict[str, tuple[str, str]] = {}
    for raw_path in paths:
        path = Path(raw_path)
        text = _read_text(path)
        for binding in parse_stream(io.StringIO(text)):
            line = binding.original.line
            if binding.error:
                raise BadInputError(f"{path}:{line}: not a NAME=value line")
            if binding.key is not None and binding.value is not None:
                variables[binding.key] = (binding.value or "", f"{path}:{line}")
    return variables


# --- 1.x `prefect.configuration`, on an explicit environment -------------------------------


def _interpolate_config(
    config: dict[str, Any],
    origins: dict[FlatKey, str],
    settings: Sequence[tuple[str, str, str]],
    environ: Mapping[str, str],
) -> _FlatConfig:
    """1.x `interpolate_config`: env settings, then `$VAR` expansion, then `${key}` references."""
    flat = _FlatConfig(values=_flatten(config), origins=dict(origins))

    prefix = ENV_VAR_PREFIX + "__"
    for variable, value, origin in settings:
        if not variable.startswith(prefix):
            continue
        option = variable[len(prefix) :]
        if option.upper().startswith("CONTEXT__SECRETS"):
            # 1.x lowercases only the literal `CONTEXT__SECRETS` and keeps the secret's case.
            key = tuple(option.replace("CONTEXT__SECRETS", "context__secrets").split("__"))
        else:
            key = tuple(option.lower().split("__"))
        flat.set(key, _string_to_type(_as_str(_interpolate_env_vars(value, environ))), origin)

    for key, value in list(flat.values.items()):
        expanded = _interpolate_env_vars(value, environ)
        if isinstance(expanded, str):
            expanded = _string_to_type(expanded)
        flat.values[key] = expanded

    _interpolate_references(flat.values)
    return flat


def _as_str(value: Any) -> str:
    # 1.x casts here (`cast(str, ...)`) without converting; a non-string can only be None.
    return value if isinstance(value, str) else str(value)


def _interpolate_references(values: dict[FlatKey, Any]) -> None:
    """1.x: replace `${dotted.key}` by that key's value, at most 10 passes, missing keys as ""."""
    keys_to_check = dict.fromkeys(values)  # an ordered set: deterministic where 1.x's set was not
    for _ in range(10):
        for key in list(keys_to_check):
            value = values[key]
            match = _REFERENCE_PATTERN.search(value) if isinstance(value, str) else None
            if match is None:
                del keys_to_check[key]
                continue
            reference = values.get(tuple(match.group(1).split(".")), "")
            if value == match.group(0):
                values[key] = reference
            else:
                values[key] = value.replace(match.group(0), str(reference), 1)


def _interpolate_env_vars(value: Any, environ: Mapping[str, str]) -> Any:
    """1.x `interpolate_env_vars`: expand `$VAR` and `~` until stable (10 passes, else None)."""
    if not value or not isinstance(value, str):
        return value
    for counter in range(10):
        interpolated = _expanduser(_expandvars(value, environ), environ)
        if interpolated == value:
            # 1.x re-types a value that took more than one expansion to settle.
            return _string_to_type(interpolated) if counter > 1 else interpolated
        value = interpolated
    return None


def _expandvars(path: str, environ: Mapping[str, str]) -> str:
    """`posixpath.expandvars`, reading `environ` instead of `os.environ`."""
    if "$" not in path:
        return path
    index = 0
    while True:
        match = _ENV_VAR_PATTERN.search(path, index)
        if not match:
            return path
        index, end = match.span(0)
        name = match.group(1)
        if name.startswith("{") and name.endswith("}"):
            name = name[1:-1]
        if name not in environ:
            index = end
            continue
        tail = path[end:]
        path = path[:index] + environ[name]
        index = len(path)
        path += tail


def _expanduser(path: str, environ: Mapping[str, str]) -> str:
    """`posixpath.expanduser`, taking `$HOME` from `environ`."""
    if not path.startswith("~"):
        return path
    end = path.find("/", 1)
    end = len(path) if end < 0 else end
    if end == 1 and "HOME" in environ:
        home = environ["HOME"].rstrip("/")
        return (home + path[end:]) or "/"
    return os.path.expanduser(path)  # `~` without HOME, or `~user`: the password database


def _string_to_type(value: str) -> Any:
    """1.x `string_to_type`: "true"/"false" to bool, else `ast.literal_eval` when it succeeds."""
    if value.upper() == "TRUE":
        return True
    if value.upper() == "FALSE":
        return False
    try:
        return ast.literal_eval(value)
    except Exception:  # 1.x catches everything here: SyntaxError, ValueError, MemoryError...
        return value


def _merge_dicts(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """1.x `merge_dicts`: `update` wins, tables are merged recursively."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _merge_dicts(merged[key], value)
        else:
            merged[key] = value
    return merged


def _flatten(config: Mapping[str, Any], parent: FlatKey = ()) -> dict[FlatKey, Any]:
    """1.x `dict_to_flatdict`: tables become compound keys, everything else is a leaf."""
    flat: dict[FlatKey, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, (*parent, key)))
        else:
            flat[(*parent, key)] = value
    return flat


# --- 1.x `Secret(name).get()` ---------------------------------------------------------------


def _secrets_from(flat: _FlatConfig) -> list[V1Secret]:
    """Rebuild `context.secrets` as 1.x's `flatdict_to_dict` did and apply `Secret.get()`."""
    secrets: dict[str, Any] = {}
    sources: dict[str, list[str]] = {}
    depth = len(SECRETS_KEY)
    for key, value in flat.values.items():
        if key[:depth] != SECRETS_KEY:
            continue
        origin = flat.origins.get(key, "")
        if len(key) == depth:
            raise BadInputError(f"{origin}: [context.secrets] must be a table of secrets, not a single value")
        name, path = key[depth], key[depth + 1 :]
        if not name:
            raise BadInputError(f"{origin}: a secret has an empty name")
        if path:
            table = secrets.setdefault(name, {})
            for part in path[:-1]:
                if not isinstance(table, dict):
                    break
                table = table.setdefault(part, {})
            if not isinstance(table, dict):
                # 1.x crashed here with a TypeError deep inside its config loader.
                raise BadInputError(
                    f"{origin}: sets a key inside secret {name!r}, which {', '.join(sources[name])} set to a single value"
                )
            table[path[-1]] = value
        else:
            secrets[name] = value
        sources.setdefault(name, [])
        if origin not in sources[name]:
            sources[name].append(origin)
    return [
        V1Secret(name=name, value=_secret_get(value), sources=tuple(sources[name]))
        for name, value in sorted(secrets.items())
    ]


def _secret_get(value: Any) -> Any:
    """1.x `Secret.get()`: a string that parses as JSON comes back parsed."""
    try:
        return json.loads(value)
    except (ValueError, TypeError, RecursionError):  # 1.x: JSONDecodeError, TypeError (and crashed on the rest)
        return value


def iter_string_leaves(value: Any) -> Iterator[str]:
    """Every string inside a secret value (used to mask values in output)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_string_leaves(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from iter_string_leaves(item)

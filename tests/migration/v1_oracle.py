"""Run by the Python of a `prefect==1.4.1` venv: what 1.x's `Secret(name).get()` returns, per case.

Reads a JSON list of cases (`{"env": {...}}`, config paths given through
`PREFECT__USER_CONFIG_PATH` / `PREFECT__BACKEND_CONFIG_PATH`) on stdin and writes a
pickled list of `{"secrets": {name: value}}` or `{"error": "..."}` on stdout. Each case
reloads 1.x's config with the same calls 1.x makes at import (`load_default_config`).
"""

import json
import os
import pickle
import sys
from collections.abc import MutableMapping


def plain(value):
    """1.x returns its own `Config` mappings for tables; make them dicts so they unpickle anywhere."""
    if isinstance(value, MutableMapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    return value


def secrets_for(case_env):
    import prefect
    import prefect.utilities.context as context_module
    from prefect import configuration
    from prefect.client.secrets import Secret

    os.environ.clear()
    os.environ.update(case_env)
    config = configuration.load_configuration(
        path=configuration.DEFAULT_CONFIG,
        user_config_path=os.getenv("PREFECT__USER_CONFIG_PATH", "~/.prefect/config.toml"),
        backend_config_path=os.getenv("PREFECT__BACKEND_CONFIG_PATH", "~/.prefect/backend.toml"),
        env_var_prefix=configuration.ENV_VAR_PREFIX,
    )
    config = configuration.process_task_defaults(config)
    prefect.config = configuration.config = context_module.config = config
    prefect.context = context_module.Context()
    return {name: plain(Secret(name).get()) for name in prefect.context.get("secrets", {})}


def main():
    cases = json.load(sys.stdin)
    # 1.x reads its config at import: import it once on an empty environment.
    os.environ.clear()
    os.environ.update(HOME=os.devnull, PREFECT__USER_CONFIG_PATH=os.devnull + "/missing.toml")
    import prefect  # noqa: F401

    results = []
    for case in cases:
        try:
            results.append({"secrets": secrets_for(case["env"])})
        except Exception as exc:  # 1.x crashing is a result too
            results.append({"error": f"{type(exc).__name__}: {exc}"})
    sys.stdout.buffer.write(pickle.dumps(results))


if __name__ == "__main__":
    main()

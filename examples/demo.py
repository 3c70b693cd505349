"""`make demo`: migrate the bundled 1.x config into the embedded default Prefect, then load every block back.

Prints names and types only, never a value.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(os.path.relpath(Path(__file__).parent / "v1"))
# The embedded default Prefect: no API URL, a temporary local server on $PREFECT_HOME.
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from prefect_secretblocks.migration import plan_migration, read_v1_secrets  # noqa: E402
from prefect_secretblocks.migration.targets import TARGETS_BY_SLUG, canonical_json, to_json_value  # noqa: E402


def main() -> int:
    sources = ["--config", str(EXAMPLE / "config.toml"), "--env-file", str(EXAMPLE / "agent.env"), "--no-env"]
    print(
        f"1. Migrating {EXAMPLE / 'config.toml'} (+ agent.env) into the embedded Prefect at {os.environ['PREFECT_HOME']}"
    )
    migrated = subprocess.run([sys.executable, "-m", "prefect_secretblocks", "migrate", *sources])
    if migrated.returncode != 0:
        return migrated.returncode

    print("\n2. Loading every block back and comparing it with what 1.x's Secret.get() returned")
    secrets = read_v1_secrets(EXAMPLE / "config.toml", env_files=[EXAMPLE / "agent.env"], use_environment=False)
    for entry in plan_migration(secrets).entries:
        block = TARGETS_BY_SLUG[entry.block_type].block_class().load(entry.block_name)
        v1_value = next(secret.value for secret in secrets if secret.name == entry.secret)
        same = canonical_json(TARGETS_BY_SLUG[entry.block_type].v1_value(block)) == canonical_json(
            to_json_value(v1_value)[0]
        )
        print(
            f"   {entry.secret:<26} -> {type(block).__name__}.load({entry.block_name!r}): {'same value as 1.x' if same else 'DIFFERENT'}"
        )
        if not same:
            return 1
    # Loading emits events that the embedded server is still taking in as the script exits:
    # Prefect then warns "Still processing items", which is expected here.
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    print("\nDone. Run it again: every block is now 'unchanged'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

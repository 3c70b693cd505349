"""A process that loads blocks by class alone, and never imports this package, masks them once Prefect
is told to import it at start: Prefect 3's plugin system, Prefect 2's extra entry points.

Without that setting, such a process has nothing that imports the package (Prefect imports
collections at the first lookup by slug), and its records hold the value: docs/masking.md says so.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from prefect.blocks.system import Secret
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks._compat import PREFECT_2
from prefect_secretblocks.redaction import MASK

CANARY = "canary-loaded-by-class-5Tq8"

LOADS_BY_CLASS = """
import logging, sys
from prefect.blocks.system import Secret

value = Secret.load("plugin-canary").get()
logging.getLogger("prefect").warning("loaded %s", value)
print("imported:", "prefect_secretblocks" in sys.modules)
"""

#: What tells Prefect to import the package at `import prefect`, on the installed major.
STARTUP_SETTING = (
    {"PREFECT_EXTRA_ENTRYPOINTS": "prefect_secretblocks.blocks"} if PREFECT_2 else {"PREFECT_PLUGINS_ENABLED": "true"}
)


def _load_by_class_in_a_fresh_process(**settings: str) -> str:
    environment = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), **settings}
    environment.pop("PREFECT_SECRETBLOCKS_REDACT_LOGS", None)
    done = subprocess.run(
        [sys.executable, "-c", LOADS_BY_CLASS], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:].replace(CANARY, "<canary>")
    return done.stdout + done.stderr


@pytest.fixture(scope="module", autouse=True)
def saved_secret() -> None:
    Secret(value=CANARY).save("plugin-canary", overwrite=True)


def test_with_the_startup_setting_a_block_loaded_by_class_is_masked() -> None:
    output = _load_by_class_in_a_fresh_process(**STARTUP_SETTING)
    assert "imported: True" in output
    assert f"loaded {MASK}" in output
    assert CANARY not in output


def test_without_it_nothing_imports_the_package_and_the_value_is_not_masked() -> None:
    # The documented gap: no lookup by slug, no startup setting, no import of the package.
    output = _load_by_class_in_a_fresh_process()
    assert "imported: False" in output
    assert f"loaded {CANARY}" in output

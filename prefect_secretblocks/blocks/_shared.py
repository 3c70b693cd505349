"""What every block of this package shares: secret fields the UI hides, errors that never echo input."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, SecretStr

from prefect_secretblocks.redaction import register_secrets

# pydantic prints the rejected input in ValidationError messages; for a secret that is a leak.
SECRET_BLOCK_CONFIG = ConfigDict(hide_input_in_errors=True)

# The same UI hints as Prefect's core `Secret` block: a password input, never read back.
_SECRET_SCHEMA_HINTS = {"writeOnly": True, "format": "password"}


def secret_field(description: str, **kwargs: Any) -> Any:
    """A pydantic `Field` for a secret value, rendered as a password in the Prefect UI."""
    return Field(description=description, json_schema_extra=_SECRET_SCHEMA_HINTS, **kwargs)

DOCUMENTATION_ROOT = "https://prefect-secretblocks.readthedocs.io/en/latest"


def documentation_url(page: str) -> str:
    """The URL of one page of this package's documentation (shown in the Prefect UI)."""
    return f"{DOCUMENTATION_ROOT}/{page}/"


class RedactsSecretsInLogs:
    """Mixin for this package's blocks: their secret values are masked in Prefect's logs once created."""

    def block_initialization(self) -> None:
        """Called by `Block.__init__`, so on `load`/`aload` too."""
        super().block_initialization()  # type: ignore[misc]
        register_secrets(value.get_secret_value() for value in vars(self).values() if isinstance(value, SecretStr))

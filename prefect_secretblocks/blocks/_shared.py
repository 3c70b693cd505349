"""What every block of this package shares: secret fields the UI hides, errors that never echo input."""

from __future__ import annotations

from typing import Any

from prefect_secretblocks._compat import BlockCompat, SecretStr, http_url, secret_schema_field
from prefect_secretblocks.redaction import register_secrets

# The same UI hints as Prefect's core `Secret` block: a password input, never read back.
_SECRET_SCHEMA_HINTS = {"writeOnly": True, "format": "password"}


def secret_field(description: str, **kwargs: Any) -> Any:
    """A pydantic `Field` for a secret value, rendered as a password in the Prefect UI."""
    return secret_schema_field(description, _SECRET_SCHEMA_HINTS, **kwargs)


DOCUMENTATION_ROOT = "https://prefect-secretblocks.readthedocs.io/en/latest"


def documentation_url(page: str) -> Any:
    """The URL of one page of this package's documentation (shown in the Prefect UI)."""
    return http_url(f"{DOCUMENTATION_ROOT}/{page}/")


class SecretBlockMixin(BlockCompat):
    """
    Mixin for this package's blocks, on Prefect 2 and 3 alike.

    Validation errors never show the rejected input, `aload`/`asave` can be awaited, and the
    block's secret values are masked in Prefect's logs once it is created.
    """

    def block_initialization(self) -> None:
        """Called by `Block.__init__`, so on `load`/`aload` too."""
        super().block_initialization()  # type: ignore[misc]
        register_secrets(value.get_secret_value() for value in vars(self).values() if isinstance(value, SecretStr))

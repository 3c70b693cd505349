"""What every block of this package shares: secret fields the UI hides, errors that never echo input."""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlparse

from prefect.utilities.names import obfuscate

from prefect_secretblocks._compat import BlockCompat, http_url, secret_schema_field
from prefect_secretblocks.exceptions import InvalidStoredBlock

# The same UI hints as Prefect's core `Secret` block: a password input, never read back.
_SECRET_SCHEMA_HINTS = {"writeOnly": True, "format": "password"}

#: What Prefect's API shows for a stored secret. The UI's edit form posts it back for a secret left
#: unchanged, and Prefect's server then keeps the stored value, so a form check must let it through.
SECRET_MASK = obfuscate("")
_SECRET_MASK_CHECK = r"\*{8}"  # SECRET_MASK (tests/blocks/test_forms.py posts it to Prefect's form check)


def secret_field(description: str, *, form_check: Optional[str] = None, **kwargs: Any) -> Any:
    """
    A pydantic `Field` for a secret value, rendered as a password in the Prefect UI.

    Args:
        description: The help text the UI shows under the input.
        form_check: A regular expression the whole value must match (a JSON schema `pattern`,
            which Prefect's UI checks before saving). It only saves a round trip: validation in
            Python stays the block's validator, which the expression must not be stricter than.
            Prefect's answer to a value that does not match quotes it (`'...' does not match '^...'`),
            to the browser of the person who typed it.
    """
    hints = dict(_SECRET_SCHEMA_HINTS)
    if form_check is not None:
        hints["pattern"] = f"^(?:{_SECRET_MASK_CHECK}|{form_check})$"
    return secret_schema_field(description, hints, **kwargs)


DOCUMENTATION_ROOT = "https://prefect-secretblocks.readthedocs.io/en/latest"


def documentation_url(page: str) -> Any:
    """The URL of one page of this package's documentation (shown in the Prefect UI)."""
    return http_url(f"{DOCUMENTATION_ROOT}/{page}/")


def http_url_field_error(value: str, example: str) -> str:
    """The error for a URL field whose value is not an http(s) URL with a host, else "" (never quoting it)."""
    parsed = urlparse(value)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return f"must be an http(s) URL such as {example}"
    return ""


class SecretBlockMixin(BlockCompat):
    """
    Mixin for this package's blocks, on Prefect 2 and 3 alike.

    Validation errors never show the rejected input, `aload`/`asave` can be awaited, and a saved
    block whose data fails validation is refused at load with `InvalidStoredBlock`. (Its secret
    values are masked once it is created, as every block's are: see `redaction.py`.)
    """

    @classmethod
    def _expected_value(cls, field: str) -> str:
        """What `field` must hold, as the error for a saved block that does not load says it."""
        return "a text value"

    @classmethod
    def _invalid_stored_block(cls, block_name: str, failures: list[dict[str, Any]]) -> InvalidStoredBlock:
        fields = tuple(dict.fromkeys(str(failure["loc"][0]) if failure["loc"] else "data" for failure in failures))
        return InvalidStoredBlock(
            block_type=cls.get_block_type_slug(),  # type: ignore[attr-defined]
            block_name=block_name,
            field=fields[0],
            expected=cls._expected_value(fields[0]),
            more_fields=fields[1:],
        )

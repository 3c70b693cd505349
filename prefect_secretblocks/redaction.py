"""Masking secret values out of text before it is shown, logged or raised."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "**********"
# Shorter values (a port, "true") would mask ordinary words; they are not credentials.
MIN_MASKED_LENGTH = 4


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """Return `text` with every occurrence of each secret value replaced by `**********`."""
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_MASKED_LENGTH and secret in text:
            text = text.replace(secret, MASK)
    return text

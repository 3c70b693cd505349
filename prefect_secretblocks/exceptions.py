"""Exception types raised by prefect-secretblocks.

Every message is one line and never contains a secret value, so the CLI can print
it as is and exit with the right code.
"""

from __future__ import annotations


class SecretBlocksError(Exception):
    """Base class for all errors raised by prefect-secretblocks."""


class NotificationFailed(SecretBlocksError):
    """A notification could not be delivered (network error or non-2xx answer)."""


class MissingExtraError(SecretBlocksError, ImportError):
    """An optional dependency is needed for this call; the message names the extra."""


class BadInputError(SecretBlocksError):
    """The user's input (a 1.x config file, an env file, a flag) cannot be used.

    The CLI exits with code 2 on it, and nothing has been written.
    """

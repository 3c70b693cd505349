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


class BadJournal(BadInputError):
    """A migration journal cannot be used: `line` (0: the file as a whole) and what is wrong with it."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}{f':{line}' if line else ''}: {reason}")


class BackupNameTaken(SecretBlocksError):
    """Every name tried for the copy of `block_name`'s previous data is taken; it was not replaced."""

    def __init__(self, block_name: str, suffix: str) -> None:
        self.block_name = block_name
        super().__init__(f"no free name for a copy of block {block_name} (tried {block_name}{suffix}, -2... -99)")


class NoSecretsFound(BadInputError):
    """No Prefect 1.x secret was found in the config files or the environment that were read."""

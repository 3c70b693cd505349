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


class InvalidStoredBlock(SecretBlocksError, RuntimeError):
    """A saved block's data fails the block's validation, so it cannot be loaded.

    Prefect's UI and API save what they are given without running the block's validators. `field`
    is the first field that fails (`more_fields` the others) and `expected` what it must hold; the
    value is never part of the error. A `RuntimeError`, like Prefect's own error for such a block.
    """

    def __init__(
        self, block_type: str, block_name: str, field: str, expected: str, more_fields: tuple[str, ...] = ()
    ) -> None:
        self.block_type, self.block_name, self.field, self.expected = block_type, block_name, field, expected
        self.more_fields = more_fields
        also = f" (nor {', '.join(more_fields)})" if more_fields else ""
        super().__init__(
            f"{block_type} block {block_name!r} has no valid {field}{also}: expected {expected}. Edit the block "
            "in the Prefect UI, or re-run `prefect-secretblocks migrate --on-conflict overwrite` if the "
            "migration saved it"
        )


class BadInputError(SecretBlocksError):
    """The user's input (a 1.x config file, an env file, a flag) cannot be used.

    The CLI exits with code 2 on it, and nothing has been written.
    """


class UnknownSecret(BadInputError):
    """An option names a 1.x secret that was not found.

    `option` is the `MigrationOptions` field that names it: `only`, `exclude`, `block_types`
    or `block_names`.
    """

    def __init__(self, name: str, option: str) -> None:
        self.name, self.option = name, option
        super().__init__(f"{option} names {name!r}: no 1.x secret has this name (names are case-sensitive)")


class UnknownBlockType(BadInputError):
    """A block type slug chosen for a secret is not one a 1.x secret can migrate to."""

    def __init__(self, secret: str, slug: str, known: tuple[str, ...]) -> None:
        self.secret, self.slug, self.known = secret, slug, known
        super().__init__(f"{secret}: unknown block type {slug!r}; choose one of {', '.join(known)}")


class IntegrationNotInstalled(BadInputError):
    """A block type chosen for a secret comes from a Prefect integration package that is not installed."""

    def __init__(self, secret: str, slug: str, package: str, extra: str) -> None:
        self.secret, self.slug, self.package, self.extra = secret, slug, package, extra
        super().__init__(
            f"{secret}: block type {slug} needs {package}: pip install {package} (or prefect-secretblocks[{extra}])"
        )


class IntegrationBroken(BadInputError):
    """The integration package of a block type is installed but fails to import.

    `reason` is the import error (module and name, never a value): most often a dependency
    release the package did not exclude, which our extra for it does (`prefect-secretblocks[azure]`).
    """

    def __init__(self, block_class: str, package: str, extra: str, reason: str) -> None:
        self.block_class, self.package, self.extra, self.reason = block_class, package, extra, reason
        super().__init__(
            f"{block_class} needs {package}, which is installed but fails to import ({reason}): "
            f"repair it with pip install 'prefect-secretblocks[{extra}]'"
        )


class InvalidBlockName(BadInputError):
    """A block name chosen for a secret is not one Prefect allows."""

    def __init__(self, secret: str, block_name: str) -> None:
        self.secret, self.block_name = secret, block_name
        super().__init__(
            f"{secret}: block name {block_name!r}: block names may only contain lowercase letters, numbers and dashes"
        )


class EmptyBlockName(BadInputError):
    """A secret's name slugs to an empty block name (no letter or digit Prefect allows)."""

    def __init__(self, secret: str, source: str) -> None:
        self.secret, self.source = secret, source
        super().__init__(f"secret {secret!r} ({source}) gives an empty block name; choose a block name for it")


class SharedBlockName(BadInputError):
    """Several secrets would be saved under one block name. `secrets` holds (name, source) pairs."""

    def __init__(self, block_name: str, secrets: tuple[tuple[str, str], ...]) -> None:
        self.block_name, self.secrets = block_name, secrets
        described = " and ".join(f"{name!r} ({source})" for name, source in secrets)
        super().__init__(f"block name {block_name!r} would be used by {described}; choose another name for one")


def a_block_of(slug: str) -> str:
    """`a github-token block`, `an email-server-credentials block`: the article the slug's sound takes."""
    return f"{'an' if slug[:1] in 'aeio' else 'a'} {slug} block"


class ValueDoesNotFit(BadInputError):
    """A secret's value does not fit the typed block its name or the chosen type maps it to.

    `secret` is the plan entry's secret (`EMAIL_USERNAME + EMAIL_PASSWORD` for secrets 1.x read
    together), `secret_names` the 1.x names it holds, `empty` those whose 1.x value is empty (a
    placeholder); `reason` never holds the value.
    """

    def __init__(
        self,
        secret: str,
        source: str,
        slug: str,
        reason: str,
        secret_names: tuple[str, ...],
        empty: tuple[str, ...] = (),
    ) -> None:
        self.secret, self.source, self.slug, self.reason = secret, source, slug, reason
        self.secret_names, self.empty = secret_names, empty
        super().__init__(
            f"secret {secret} ({source}) does not fit {a_block_of(slug)}: {reason}; keep it as a generic Secret"
        )


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


class UnknownBlock(BadInputError):
    """Names given to check match no saved block of a checkable type.

    `names` are the names as given (`NAME` or `TYPE_SLUG/NAME`), `block_types` the checkable types' slugs.
    """

    def __init__(self, names: tuple[str, ...], block_types: tuple[str, ...]) -> None:
        self.names, self.block_types = names, block_types
        super().__init__(f"no saved block of the types {', '.join(block_types)} is named {', '.join(map(repr, names))}")

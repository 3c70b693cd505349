"""Decide, for each 1.x secret, which block it becomes and what saving it will do.

Planning is pure: it takes the secrets read from 1.x and what already exists in
Prefect, and returns a `MigrationPlan`. Nothing is written here, and a plan never
holds a value in any of its printable forms.
"""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional
from uuid import UUID

from prefect_secretblocks._compat import ValidationError, error_details
from prefect_secretblocks.exceptions import BadInputError
from prefect_secretblocks.migration.targets import (
    BlockTarget,
    UnsupportedValue,
    block_name_for,
    canonical_json,
    target_for,
    to_json_value,
)
from prefect_secretblocks.migration.v1_config import V1Secret

if TYPE_CHECKING:
    from prefect.blocks.core import Block

_VALID_BLOCK_NAME = re.compile(r"[a-z0-9-]+")


class OnConflict(str, Enum):
    """What to do when a block exists under a planned name with another value."""

    SKIP = "skip"  # leave it as it is (the default)
    OVERWRITE = "overwrite"  # replace it, keeping its previous data in a backup block
    FAIL = "fail"  # write nothing at all


class Action(str, Enum):
    """What applying the plan does for one secret."""

    CREATE = "create"
    UPDATE = "update"  # exists with another value, --on-conflict overwrite
    UNCHANGED = "unchanged"  # exists with the same value: re-runs are idempotent
    SKIP = "skip"  # exists with another value, --on-conflict skip (the default)
    CONFLICT = "conflict"  # exists with another value, --on-conflict fail: nothing is written
    UNSUPPORTED = "unsupported"  # JSON cannot hold the value


@dataclass(frozen=True)
class ExistingBlock:
    """A block already saved in Prefect under a planned name, with its value as canonical JSON."""

    id: UUID
    value_json: Optional[str]  # None when the saved block could not be read as its type


@dataclass(frozen=True)
class MigrationOptions:
    """The choices `prefect-secretblocks migrate` exposes as flags."""

    on_conflict: OnConflict = OnConflict.SKIP
    block_types: Mapping[str, str] = field(default_factory=dict)  # --map NAME=TYPE_SLUG
    block_names: Mapping[str, str] = field(default_factory=dict)  # --name NAME=BLOCK_NAME
    only: Collection[str] = ()
    exclude: Collection[str] = ()
    prefix: str = ""

    def target(self, secret_name: str, value: Any = None) -> BlockTarget:
        """The block type a secret becomes: `--map` wins, then its name, then the value's shape."""
        return target_for(secret_name, value, self.block_types.get(secret_name))

    def block_name(self, secret_name: str) -> str:
        """The block name a secret gets: `--name` wins, else the slug of `--prefix` + its name."""
        return self.block_names.get(secret_name) or block_name_for(secret_name, self.prefix)

    def check(self) -> None:
        """
        Check the flags that do not depend on which secrets exist.

        Raises:
            BadInputError: A `--map` names an unknown block type, or a `--name` is not a valid block name.
        """
        for secret_name, slug in self.block_types.items():
            target_for(secret_name, override=slug)
        for secret_name, block_name in self.block_names.items():
            if not _VALID_BLOCK_NAME.fullmatch(block_name):
                raise BadInputError(
                    f"--name {secret_name}={block_name}: block names may only contain lowercase letters, numbers and dashes"
                )


@dataclass(frozen=True)
class PlannedBlock:
    """One secret's line in the plan. `block` holds the value and is never printed."""

    secret: str
    source: str
    block_type: str
    block_name: str
    action: Action
    note: str = ""
    block: Optional[Block] = field(default=None, repr=False, compare=False)
    value_json: Optional[str] = field(default=None, repr=False, compare=False)
    existing_id: Optional[UUID] = field(default=None, repr=False)

    def to_dict(self) -> dict[str, str]:
        """The public, value-free form used by `--format json`."""
        return {
            "secret": self.secret,
            "source": self.source,
            "block_type": self.block_type,
            "block_name": self.block_name,
            "action": self.action.value,
            "note": self.note,
        }


@dataclass(frozen=True)
class MigrationPlan:
    """The whole plan, in secret-name order."""

    entries: tuple[PlannedBlock, ...]

    @property
    def writes(self) -> tuple[PlannedBlock, ...]:
        """The entries that save a block."""
        return tuple(entry for entry in self.entries if entry.action in (Action.CREATE, Action.UPDATE))

    @property
    def conflicts(self) -> tuple[PlannedBlock, ...]:
        """The entries that stop the whole migration (`--on-conflict fail`)."""
        return tuple(entry for entry in self.entries if entry.action is Action.CONFLICT)

    def summary(self) -> dict[str, int]:
        """How many secrets get each action."""
        return count_each(Action, (entry.action for entry in self.entries))

    def to_dict(self) -> dict[str, Any]:
        """`{"plan": [...], "summary": {action: count}}`, the `--format json` document."""
        return {"plan": [entry.to_dict() for entry in self.entries], "summary": self.summary()}


def count_each(kinds: type[Enum], values: Iterable[Enum]) -> dict[str, int]:
    """`{kind: how many}` over all kinds of an enum, zeros included, in the enum's order."""
    counts = {kind.value: 0 for kind in kinds}
    for value in values:
        counts[value.value] += 1
    return counts


def plan_migration(
    secrets: Sequence[V1Secret],
    options: MigrationOptions = MigrationOptions(),
    existing: Mapping[tuple[str, str], ExistingBlock] = {},
) -> MigrationPlan:
    """
    Plan the migration of `secrets` into blocks.

    Args:
        secrets: What `read_v1_secrets` returned.
        options: Filters, overrides and the conflict policy.
        existing: Blocks already in Prefect, by `(block type slug, block name)`
            (`apply.read_existing_blocks` fetches them).

    Raises:
        BadInputError: A flag names an unknown secret or type, a block name is empty or
            invalid, two secrets would share a block name, or a value does not fit the
            typed block its name maps to. Nothing has been written.
    """
    by_name = {secret.name: secret for secret in secrets}
    _check_flags_name_secrets(options, by_name)
    selected = [
        secret
        for secret in secrets
        if (not options.only or secret.name in options.only) and secret.name not in options.exclude
    ]
    entries = tuple(_plan_one(secret, options, existing) for secret in selected)
    _check_block_names(entries)
    return MigrationPlan(entries=entries)


def _check_flags_name_secrets(options: MigrationOptions, by_name: Mapping[str, V1Secret]) -> None:
    for flag, names in (
        ("--only", options.only),
        ("--exclude", options.exclude),
        ("--map", options.block_types),
        ("--name", options.block_names),
    ):
        unknown = sorted(set(names) - set(by_name))
        if unknown:
            raise BadInputError(f"{flag} {unknown[0]}: no 1.x secret has this name (names are case-sensitive)")
    options.check()


def _plan_one(
    secret: V1Secret, options: MigrationOptions, existing: Mapping[tuple[str, str], ExistingBlock]
) -> PlannedBlock:
    source = ", ".join(secret.sources)
    block_name = options.block_name(secret.name)
    try:
        value, changed = to_json_value(secret.value)
    except UnsupportedValue as exc:
        target = options.target(secret.name)
        return PlannedBlock(
            secret.name, source, target.slug, block_name, Action.UNSUPPORTED, f"not migrated: the value {exc}"
        )

    target = options.target(secret.name, value)
    try:
        block = target.build(value)
    except (ValueError, ValidationError) as exc:
        raise BadInputError(
            f"secret {secret.name} ({source}) does not fit a {target.slug} block: {_reason(exc)}; "
            f"keep it as a generic Secret with --map {secret.name}=secret"
        ) from None
    value_json = canonical_json(value)
    note = "a tuple in 1.x, saved as a JSON list" if changed else ""

    found = existing.get((target.slug, block_name))
    if found is None:
        action = Action.CREATE
    elif found.value_json == value_json:
        action = Action.UNCHANGED
    else:
        action = _ACTION_ON_CONFLICT[OnConflict(options.on_conflict)]
        note = "; ".join(filter(None, [note, "a block with this name exists with a different value"]))
    return PlannedBlock(
        secret.name,
        source,
        target.slug,
        block_name,
        action,
        note,
        block=block,
        value_json=value_json,
        existing_id=found.id if found else None,
    )


_ACTION_ON_CONFLICT = {
    OnConflict.SKIP: Action.SKIP,
    OnConflict.OVERWRITE: Action.UPDATE,
    OnConflict.FAIL: Action.CONFLICT,
}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        # Without the inputs: the message must never carry the rejected value.
        first = error_details(exc)[0]
        field_name = ".".join(str(part) for part in first["loc"])
        return f"{field_name} {first['msg'].removeprefix('Value error, ')}"
    return str(exc)


def _check_block_names(entries: Sequence[PlannedBlock]) -> None:
    users: dict[str, list[PlannedBlock]] = defaultdict(list)
    for entry in entries:
        if not entry.block_name:
            # A name like "\n" cannot go into a one-line hint as it is.
            option = shlex.quote(f"{entry.secret}=BLOCK_NAME") if entry.secret.isprintable() else "SECRET=BLOCK_NAME"
            raise BadInputError(
                f"secret {entry.secret!r} ({entry.source}) gives an empty block name; choose one with --name {option}"
            )
        if entry.action is not Action.UNSUPPORTED:
            users[entry.block_name].append(entry)
    for block_name, sharing in users.items():
        if len(sharing) > 1:
            described = " and ".join(f"{entry.secret!r} ({entry.source})" for entry in sharing)
            raise BadInputError(
                f"block name {block_name!r} would be used by {described}; rename one with --name SECRET=BLOCK_NAME"
            )

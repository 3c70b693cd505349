"""Decide, for each 1.x secret, which block it becomes and what saving it will do.

Planning is pure: it takes the secrets read from 1.x and what already exists in
Prefect, and returns a `MigrationPlan`. Nothing is written here, and a plan never
holds a value in any of its printable forms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional
from uuid import UUID

from prefect_secretblocks._compat import ValidationError, error_details
from prefect_secretblocks.blocks.slack import SlackWebhookURL
from prefect_secretblocks.exceptions import (
    EmptyBlockName,
    InvalidBlockName,
    SharedBlockName,
    UnknownSecret,
    ValueDoesNotFit,
    a_block_of,
)
from prefect_secretblocks.migration.targets import (
    CORE_SLACK_WEBHOOK_TARGET,
    GENERIC_TARGET,
    TARGETS_BY_SLUG,
    BlockTarget,
    UnsupportedValue,
    block_name_for,
    canonical_json,
    target_for,
    to_json_value,
    unavailable_target_for,
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
    UNSUPPORTED = "unsupported"  # the block cannot hold the value (JSON cannot; the note says why)


@dataclass(frozen=True)
class ExistingBlock:
    """A block already saved in Prefect under a planned name, with its value as canonical JSON."""

    id: UUID
    value_json: Optional[str]  # None when the saved block could not be read as its type


@dataclass(frozen=True)
class MigrationOptions:
    """
    The choices of a migration (the CLI's flags: `block_types` is `--map`, `block_names` is `--name`).

    `skip_empty` (`--skip-empty`) leaves out the secrets whose 1.x value is empty, placeholders
    such as `EMAIL_PASSWORD = ""`; without it they are planned, each with a note that says so.

    `also_core_slack_webhook` (`--also-core-slack-webhook`) plans, beside each `SlackWebhookURL`,
    Prefect's core `SlackWebhook` block with the same name and URL: the block an Automation on a
    server without this package (Prefect Cloud) can notify through.

    `check_credentials` (`--check-credentials`) asks each service, before anything is written,
    whether it accepts each planned credential, and notes the ones it does not
    (`checks/planned.py`).
    """

    on_conflict: OnConflict = OnConflict.SKIP
    block_types: Mapping[str, str] = field(default_factory=dict)  # --map NAME=TYPE_SLUG
    block_names: Mapping[str, str] = field(default_factory=dict)  # --name NAME=BLOCK_NAME
    only: Collection[str] = ()
    exclude: Collection[str] = ()
    prefix: str = ""
    also_core_slack_webhook: bool = False
    skip_empty: bool = False  # --skip-empty: leave out secrets whose 1.x value is empty (`is_empty_value`)
    check_credentials: bool = False  # --check-credentials: note the planned credentials services refuse

    def target(self, secret_name: str, value: Any = None) -> BlockTarget:
        """The block type a secret becomes: `block_types` (`--map`) wins, then its name, then the value's shape."""
        return target_for(secret_name, value, self.block_types.get(secret_name))

    def block_name(self, secret_name: str) -> str:
        """
        The block name a secret gets: `block_names` (`--name`) wins; else the slug of `prefix` + its name.

        Secrets 1.x read together (`EMAIL_USERNAME`, `EMAIL_PASSWORD`) share their block's name.
        """
        target = self.target(secret_name)
        if secret_name in target.grouped_names:
            return self.shared_block_name(target)
        return self.own_block_name(secret_name)

    def own_block_name(self, secret_name: str) -> str:
        """The name of a block holding this secret alone."""
        return self.block_names.get(secret_name) or block_name_for(secret_name, self.prefix)

    def shared_block_name(self, target: BlockTarget) -> str:
        """The name of the one block holding `target.grouped_names`: a `block_names` entry for any of them, else the default."""
        chosen = (self.block_names.get(name) for name in target.grouped_names)
        default = target.shared_block_name or target.slug
        return next(filter(None, chosen), None) or block_name_for(default, self.prefix)

    def check(self) -> None:
        """
        Check the options that do not depend on which secrets exist.

        Raises:
            UnknownBlockType: `block_types` names an unknown block type.
            IntegrationNotInstalled: `block_types` names a block type whose package is not installed.
            InvalidBlockName: `block_names` holds a name Prefect does not allow.
        """
        for secret_name, slug in self.block_types.items():
            target_for(secret_name, override=slug)
        for secret_name, block_name in self.block_names.items():
            if not _VALID_BLOCK_NAME.fullmatch(block_name):
                raise InvalidBlockName(secret=secret_name, block_name=block_name)


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
    """The whole plan, in secret-name order; a core `SlackWebhook` entry follows the `SlackWebhookURL` it copies."""

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
        """How many entries (blocks) get each action."""
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
        BadInputError: An option names an unknown secret or type (`UnknownSecret`,
            `UnknownBlockType`, `IntegrationNotInstalled`), a block name is empty, invalid or
            shared (`EmptyBlockName`, `InvalidBlockName`, `SharedBlockName`), or a value does
            not fit the typed block its name maps to (`ValueDoesNotFit`). Nothing has been written.
    """
    _check_options_name_secrets(options, {secret.name for secret in secrets})
    selected = [
        secret
        for secret in secrets
        if (not options.only or secret.name in options.only)
        and secret.name not in options.exclude
        and not (options.skip_empty and is_empty_value(secret.value))
    ]
    entries = tuple(_plan_one(unit, options, existing) for unit in _planning_units(selected, options))
    _check_block_names(entries)
    if options.also_core_slack_webhook:
        entries = tuple(_with_core_slack_webhooks(entries, options, existing))
    return MigrationPlan(entries=entries)


def _check_options_name_secrets(options: MigrationOptions, names: Collection[str]) -> None:
    for option, chosen in (
        ("only", options.only),
        ("exclude", options.exclude),
        ("block_types", options.block_types),
        ("block_names", options.block_names),
    ):
        unknown = sorted(set(chosen) - set(names))
        if unknown:
            raise UnknownSecret(name=unknown[0], option=option)
    options.check()


@dataclass(frozen=True)
class _Unit:
    """What one plan entry migrates: one 1.x secret, or several 1.x read together as one."""

    secret: V1Secret  # for several: the names joined with " + ", the value {name: value}
    names: tuple[str, ...]  # the 1.x secret names it holds
    block_name: str
    target: Optional[BlockTarget] = None  # None: `options.target` decides, with the value
    note: str = ""


def _planning_units(selected: Sequence[V1Secret], options: MigrationOptions) -> list[_Unit]:
    """One unit per secret, except that secrets 1.x read together share one (EMAIL_USERNAME + EMAIL_PASSWORD,
    AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY with AWS_SESSION_TOKEN and the region when found)."""
    by_name = {secret.name: secret for secret in selected}
    units: list[_Unit] = []
    taken: set[str] = set()
    for secret in selected:
        if secret.name in taken:
            continue
        target = options.target(secret.name)
        together = [name for name in target.grouped_names if name in by_name and options.target(name) is target]
        if secret.name not in target.grouped_names:
            units.append(_Unit(secret=secret, names=(secret.name,), block_name=options.own_block_name(secret.name)))
        elif set(target.v1_names) <= set(together):  # the required ones, and the optional ones found
            units.append(_shared_unit([by_name[name] for name in together], target, options))
            taken.update(together)
        else:
            units.append(_lone_unit(secret, target, options))
    return units


def _shared_unit(members: Sequence[V1Secret], target: BlockTarget, options: MigrationOptions) -> _Unit:
    sources = tuple(dict.fromkeys(source for member in members for source in member.sources))
    combined = V1Secret(
        name=" + ".join(member.name for member in members),
        value={member.name: member.value for member in members},
        sources=sources,
    )
    names = tuple(member.name for member in members)
    return _Unit(secret=combined, names=names, block_name=options.shared_block_name(target), target=target)


def _lone_unit(secret: V1Secret, target: BlockTarget, options: MigrationOptions) -> _Unit:
    together = " and ".join(target.v1_names)
    note = f"{target.slug} holds {together} together, and they are not all migrated here: kept as a core Secret"
    return _Unit(
        secret=secret,
        names=(secret.name,),
        block_name=options.own_block_name(secret.name),
        target=GENERIC_TARGET,
        note=note,
    )


def _plan_one(
    unit: _Unit, options: MigrationOptions, existing: Mapping[tuple[str, str], ExistingBlock]
) -> PlannedBlock:
    secret = unit.secret
    source = ", ".join(secret.sources)
    try:
        value, changed = to_json_value(secret.value)
    except UnsupportedValue as exc:
        return PlannedBlock(
            secret=secret.name,
            source=source,
            block_type=(unit.target or options.target(secret.name)).slug,
            block_name=unit.block_name,
            action=Action.UNSUPPORTED,
            note=_join_notes(unit.note, f"not migrated: the value {exc}"),
        )
    target = unit.target or options.target(secret.name, value)
    block, value = _build(target, value, unit, source)
    value_json = canonical_json(value)
    note = _join_notes(
        unit.note,
        _empty_note(unit),
        _fallback_note(unit, options, target, value),
        "a tuple in 1.x, saved as a JSON list" if changed else "",
    )
    found = existing.get((target.slug, unit.block_name))
    action = _action(found, value_json, options)
    if action in _DIFFERENT:
        note = _join_notes(note, "a block with this name exists with a different value")
    return PlannedBlock(
        secret=secret.name,
        source=source,
        block_type=target.slug,
        block_name=unit.block_name,
        action=action,
        note=note,
        block=block,
        value_json=value_json,
        existing_id=found.id if found else None,
    )


_SLACK_WEBHOOK_URL_SLUG = SlackWebhookURL.get_block_type_slug()
_CORE_SLACK_WEBHOOK_NOTE = (
    "Prefect's core SlackWebhook with the same URL, for Automations on servers without this package"
)
_NO_CORE_SLACK_WEBHOOK_NOTE = "not saved: Prefect's core SlackWebhook posts only to Slack incoming-webhook URLs (https://hooks.slack.com/services/...)"


def _with_core_slack_webhooks(
    entries: Sequence[PlannedBlock], options: MigrationOptions, existing: Mapping[tuple[str, str], ExistingBlock]
) -> Iterable[PlannedBlock]:
    """The entries, each `SlackWebhookURL` followed by the core `SlackWebhook` saved beside it."""
    for entry in entries:
        yield entry
        if entry.block_type == _SLACK_WEBHOOK_URL_SLUG and entry.block is not None:
            yield _plan_core_slack_webhook(entry, options, existing)


def _plan_core_slack_webhook(
    beside: PlannedBlock, options: MigrationOptions, existing: Mapping[tuple[str, str], ExistingBlock]
) -> PlannedBlock:
    """Prefect's core `SlackWebhook` under the name of the `SlackWebhookURL` it copies (block names are per type)."""
    assert beside.block is not None and beside.value_json is not None  # a planned SlackWebhookURL
    target = CORE_SLACK_WEBHOOK_TARGET
    url = TARGETS_BY_SLUG[beside.block_type].v1_value(beside.block)
    if not target.has_shape(url):
        return PlannedBlock(
            secret=beside.secret,
            source=beside.source,
            block_type=target.slug,
            block_name=beside.block_name,
            action=Action.UNSUPPORTED,
            note=_NO_CORE_SLACK_WEBHOOK_NOTE,
        )
    found = existing.get((target.slug, beside.block_name))
    action = _action(found, beside.value_json, options)
    differs = "a block with this name exists with a different value" if action in _DIFFERENT else ""
    return PlannedBlock(
        secret=beside.secret,
        source=beside.source,
        block_type=target.slug,
        block_name=beside.block_name,
        action=action,
        note=_join_notes(_CORE_SLACK_WEBHOOK_NOTE, differs),
        block=target.build(url),
        value_json=beside.value_json,
        existing_id=found.id if found else None,
    )


def _build(target: BlockTarget, value: Any, unit: _Unit, source: str) -> tuple[Block, Any]:
    """The block holding `value`, and the value as the block type's `v1_value` gives it back (`combine`d)."""
    try:
        combined = target.combine(value) if target.combine is not None else value
        return target.build(combined), combined
    except (ValueError, ValidationError) as exc:
        raise ValueDoesNotFit(
            secret=unit.secret.name,
            source=source,
            slug=target.slug,
            reason=_reason(exc),
            secret_names=unit.names,
            empty=_empty_names(unit),
        ) from None


def is_empty_value(value: Any) -> bool:
    """Whether a 1.x value is a placeholder: an empty or blank string, an empty table or list."""
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (dict, list, tuple)) and not value


def _empty_names(unit: _Unit) -> tuple[str, ...]:
    """The 1.x names in `unit` whose values are empty."""
    if len(unit.names) == 1:
        return unit.names if is_empty_value(unit.secret.value) else ()
    return tuple(name for name in unit.names if is_empty_value(unit.secret.value[name]))


def _empty_note(unit: _Unit) -> str:
    empty = _empty_names(unit)
    if not empty:
        return ""
    if len(unit.names) == 1:
        return "empty in 1.x (a placeholder?)"
    return f"{' and '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty in 1.x (a placeholder?)"


def _fallback_note(unit: _Unit, options: MigrationOptions, target: BlockTarget, value: Any) -> str:
    """Why a secret with a typed block of its own became a core `Secret`: its package is missing."""
    if target is not GENERIC_TARGET or unit.secret.name in options.block_types:
        return ""
    wanted = unavailable_target_for(unit.secret.name, value)
    if wanted is None or wanted.integration is None:
        return ""
    integration = wanted.integration
    return f"{integration.package} is not installed, so not {a_block_of(wanted.slug)}: {integration.install_hint()}"


def _action(found: Optional[ExistingBlock], value_json: str, options: MigrationOptions) -> Action:
    if found is None:
        return Action.CREATE
    if found.value_json == value_json:
        return Action.UNCHANGED
    return _ACTION_ON_CONFLICT[OnConflict(options.on_conflict)]


def _join_notes(*notes: str) -> str:
    return "; ".join(filter(None, notes))


#: The actions of a block that exists with another value.
_DIFFERENT = (Action.SKIP, Action.UPDATE, Action.CONFLICT)
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
            raise EmptyBlockName(secret=entry.secret, source=entry.source)
        if entry.action is not Action.UNSUPPORTED:
            users[entry.block_name].append(entry)
    for block_name, sharing in users.items():
        if len(sharing) > 1:
            raise SharedBlockName(
                block_name=block_name, secrets=tuple((entry.secret, entry.source) for entry in sharing)
            )

"""A value-free fingerprint of what a migration wrote into a block, for rollback to compare.

The journal records, for each block a run saved, an HMAC-SHA256 of the block's type slug and
data (canonical JSON, secrets included). Rollback computes the same over the block as it is
now: equal means the block holds what the run wrote, whoever wrote it last (a later run
undone by its own rollback puts the value back).

The HMAC key is never in a journal: it is a random 32-byte key in
`$PREFECT_HOME/secretblocks-journals/.digest-key`, next to the default journals and the
Prefect profile. A plain or salted hash would let whoever holds a journal (committed, mailed)
try guesses of a weak password offline; without the key a digest tells nothing. The journal
names the key by a short id, so a rollback on a machine without it knows it cannot compare.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from prefect_secretblocks.exceptions import BadJournal

_KEY_BYTES = 32
_KEY_ID_LABEL = b"prefect-secretblocks journal digest key id\n"


@dataclass(frozen=True)
class DigestKey:
    """The key of the journal digests; `secret` is never shown (repr) nor written to a journal."""

    secret: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        """A short, value-free name of the key, recorded in each journal it digested."""
        return hashlib.sha256(_KEY_ID_LABEL + self.secret).hexdigest()[:16]

    def digest(self, block_type: str, data: Mapping[str, Any]) -> str:
        """HMAC-SHA256 of the block's type slug and data, as canonical JSON (sorted keys, compact)."""
        # Spelled out here, not shared: journals already written depend on these exact bytes.
        message = json.dumps({"block_type": block_type, "data": data}, sort_keys=True, separators=(",", ":"))
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def load_digest_key(path: Path) -> Optional[DigestKey]:
    """
    The digest key, or None when there is none (a machine that never migrated).

    Raises:
        BadJournal: The file cannot be read or does not hold a key.
    """
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadJournal(
            path=str(path), line=0, reason=f"cannot be read ({getattr(exc, 'strerror', '') or exc})"
        ) from None
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        secret = b""
    if len(secret) != _KEY_BYTES:
        raise BadJournal(path=str(path), line=0, reason=f"does not hold a {_KEY_BYTES}-byte key in hex")
    return DigestKey(secret)


def load_or_create_digest_key(path: Path) -> DigestKey:
    """
    The digest key, created (mode 0600) on first use. Concurrent first uses agree on one key:
    each writes a complete temporary file and links it into place, and only the first link wins.

    Raises:
        BadJournal: The key cannot be read or created.
    """
    key = load_digest_key(path)
    if key is not None:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(_KEY_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    except OSError as exc:
        raise BadJournal(path=str(path), line=0, reason=f"cannot be created ({exc.strerror or exc})") from None
    key = load_digest_key(path)
    assert key is not None  # just linked into place, by this process or another
    return key

"""Keep secret values out of text: masking helpers and a log filter, like Airflow's secrets masker.

Every block of this package registers its secret values when it is created (which includes
`load`/`aload`). From then on, a log record on Prefect's loggers, including the flow and task
run loggers whose records are sent to the API, shows `**********` wherever a registered value
appears: in the message, its arguments, and the formatted exception. That also covers user
code that logs `block.get()` by mistake.

Opt out with the environment variable `PREFECT_SECRETBLOCKS_REDACT_LOGS=false`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

MASK = "**********"
# Shorter values (a port, "true") would mask ordinary words; they are not credentials.
MIN_MASKED_LENGTH = 4
OPT_OUT_VARIABLE = "PREFECT_SECRETBLOCKS_REDACT_LOGS"
# The run loggers (their records go to the API), Prefect's root logger, and the root logger.
REDACTED_LOGGERS = ("prefect.flow_runs", "prefect.task_runs", "prefect", "")

_registered: set[str] = set()
_lock = threading.Lock()


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """Return `text` with every occurrence of each secret value replaced by `**********`."""
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_MASKED_LENGTH and secret in text:
            text = text.replace(secret, MASK)
    return text


def redaction_enabled() -> bool:
    """Whether loaded secrets are masked in logs (the opt-out variable is not false/0/no)."""
    return os.environ.get(OPT_OUT_VARIABLE, "true").strip().lower() not in ("false", "0", "no", "off")


def register_secrets(values: Iterable[Any]) -> None:
    """Mask these values in Prefect's logs from now on (strings only; others are ignored)."""
    if not redaction_enabled():
        return
    new = {value for value in values if isinstance(value, str) and len(value) >= MIN_MASKED_LENGTH}
    if not new:
        return
    with _lock:
        _registered.update(new)
    _install_filter()


class SecretRedactingFilter(logging.Filter):
    """Rewrites a log record so that no registered secret survives in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = tuple(_registered)
        if not secrets:
            return True
        message = record.getMessage()
        masked = mask_secrets(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Format the exception now, masked; formatters reuse `exc_text` instead of re-formatting.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info, secrets)
        return True


_FILTER = SecretRedactingFilter()


def _install_filter() -> None:
    """Attach the filter to Prefect's loggers and their handlers (idempotent; catches handlers added since)."""
    with _lock:
        for name in REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            for filterer in (logger, *logger.handlers):
                if _FILTER not in filterer.filters:
                    filterer.addFilter(_FILTER)

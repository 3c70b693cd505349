"""Keep every secret a run touches out of what Prefect records, as Airflow's secrets masker does.

Once this module's hooks are installed (`install_masking`, which Prefect triggers by importing the
package's `prefect.collections` entry point), every secret value of every block the process
creates or loads is registered: this package's blocks, Prefect's core `Secret` (each string leaf
of a JSON value too), and every `SecretStr`, `SecretBytes` and `SecretDict` field of any other
block, nested blocks included; and the secret fields of every block document the process reads
with its secrets (a deployment's `{{ prefect.blocks.secret.NAME }}` reference). From then on:

- a log record on Prefect's loggers and on the root logger (the run loggers, whose records go to
  the API, `log_prints`, the console) shows `**********` wherever a registered value appears: in
  the message, its arguments, the formatted exception and the stack;
- the message of a flow or task run state that Prefect builds from an exception (Failed, Crashed),
  which the UI shows on the run page, is masked the same way.

`mask_secret(value)` registers a value the code obtained elsewhere. Matching runs one Aho-Corasick
automaton over each text, so its cost does not grow with the number of values registered.
Opt out with the environment variable `PREFECT_SECRETBLOCKS_REDACT_LOGS=false`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import ahocorasick

MASK = "**********"
# Shorter values (a port, "true") would mask ordinary words; they are not credentials.
MIN_MASKED_LENGTH = 4
OPT_OUT_VARIABLE = "PREFECT_SECRETBLOCKS_REDACT_LOGS"
# The loggers whose handlers send records to the API (the run loggers, `prefect.extra` for the loggers
# a user adds with PREFECT_LOGGING_EXTRA_LOGGERS, a worker's), Prefect's root logger, the root logger.
REDACTED_LOGGERS = ("prefect.flow_runs", "prefect.task_runs", "prefect.extra", "prefect.workers", "prefect", "")


def redaction_enabled() -> bool:
    """Whether secrets are masked (the opt-out variable is not false/0/no/off)."""
    return os.environ.get(OPT_OUT_VARIABLE, "true").strip().lower() not in ("false", "0", "no", "off")


class SecretMasker:
    """
    The set of values to mask and one automaton that finds them all in a single pass over a text.

    Values are added rarely (when a block is loaded) and texts are masked often (every log record),
    so the automaton is rebuilt on the first mask after an add, and a text is scanned once whatever
    the number of values. `generation` changes with each add, so a log record masked once is not
    scanned again by the next filter on its way, unless values were added in between.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._automaton: Optional[ahocorasick.Automaton] = None
        self._lock = threading.Lock()
        self.generation = 0

    def add(self, values: Iterable[str]) -> bool:
        """Mask these values from now on; whether any was new. Prefect's own mask (`********`) is not a value."""
        new = {value for value in values if len(value) >= MIN_MASKED_LENGTH and value.strip("*")} - self._values
        if not new:
            return False
        with self._lock:
            self._values |= new
            self._automaton = None
            self.generation += 1
        return True

    def __len__(self) -> int:
        return len(self._values)

    def mask(self, text: str) -> str:
        """`text` with every registered value in it replaced by `**********`, longest match first."""
        if not self._values or not text:
            return text
        automaton = self._automaton or self._build()
        pieces: list[str] = []
        position = 0
        for end, length in automaton.iter_long(text):
            start = end - length + 1
            pieces.extend((text[position:start], MASK))
            position = end + 1
        if not pieces:
            return text
        pieces.append(text[position:])
        return "".join(pieces)

    def _build(self) -> ahocorasick.Automaton:
        import ahocorasick

        with self._lock:
            if self._automaton is None:
                automaton = ahocorasick.Automaton()
                for value in self._values:
                    automaton.add_word(value, len(value))
                automaton.make_automaton()
                self._automaton = automaton
            return self._automaton


#: The values every hook of this process masks.
MASKER = SecretMasker()


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """Return `text` with every occurrence of each of `secrets` replaced by `**********` (one-off use)."""
    masker = SecretMasker()
    masker.add(secrets)
    return masker.mask(text)


def register_secrets(values: Iterable[Any]) -> None:
    """Mask these values in what Prefect records from now on (strings and JSON leaves; others ignored)."""
    if not redaction_enabled():
        return
    if MASKER.add(leaf for value in values for leaf in secret_leaves(value)):
        install_masking()


def mask_secret(value: Any) -> None:
    """
    Mask a secret the code obtained elsewhere (an environment variable, another vault), from now on,
    wherever this package masks the secrets of loaded blocks: Prefect's logs and run state messages.

    A string is masked as a whole; a dict or list (a parsed JSON document) leaf by leaf; a value
    shorter than 4 characters is not masked, as it would mask ordinary words.

    Examples:
        ```python
        import os
        from prefect import flow, get_run_logger
        from prefect_secretblocks import mask_secret

        @flow
        def uses_a_key_from_the_environment():
            key = os.environ["PARTNER_API_KEY"]
            mask_secret(key)
            get_run_logger().info("calling with %s", key)  # logs: calling with **********
        ```
    """
    register_secrets([value])


def _leaves(value: Any) -> Iterator[Any]:
    """Everything in `value` that is not a dict, list or tuple, at any depth."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def secret_leaves(value: Any) -> Iterator[str]:
    """The strings of a secret value: itself, or every string leaf of a JSON-like value."""
    for leaf in _leaves(value):
        if isinstance(leaf, bytes):
            leaf = leaf.decode("utf-8", errors="ignore")
        if isinstance(leaf, str):
            yield leaf
            if leaf[:1] in ("{", "["):  # a JSON document kept as text (a core Secret on Prefect 2)
                yield from _json_text_leaves(leaf)


def _json_text_leaves(text: str) -> Iterator[str]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return
    if isinstance(parsed, (dict, list)):
        yield from secret_leaves(parsed)


def block_secret_values(block: Any) -> Iterator[Any]:
    """
    The revealed values of a block's secret-typed fields (`SecretStr`, `SecretBytes`, `SecretDict`,
    `Secret[T]`), also inside dicts and lists. A nested block registers its own values: Prefect
    builds it through `Block.__init__` too.
    """
    for leaf in _leaves(list(vars(block).values())):
        if callable(getattr(leaf, "get_secret_value", None)):
            yield leaf.get_secret_value()


def document_secret_values(data: Any, secret_fields: Iterable[str]) -> Iterator[Any]:
    """The values at a block schema's `secret_fields` paths (`a.b`, `a.*`) in a block document's data."""
    for path in secret_fields:
        yield from _values_at(data, path.split("."))


def _values_at(data: Any, keys: list[str]) -> Iterator[Any]:
    if not keys:
        yield data
    elif keys[0] == "*":
        yield data  # everything below: secret_leaves walks it
    elif isinstance(data, dict) and keys[0] in data:
        yield from _values_at(data[keys[0]], keys[1:])


def register_block(block: Any) -> None:
    """Called for every block the process creates or loads once masking is installed."""
    register_secrets(block_secret_values(block))


def register_block_document(document: Any) -> None:
    """Called for every block document the process reads with its secrets."""
    schema = getattr(document, "block_schema", None)
    fields = getattr(schema, "fields", None) or {}
    register_secrets(document_secret_values(getattr(document, "data", None), fields.get("secret_fields", ())))


class SecretRedactingFilter(logging.Filter):
    """Rewrites a log record so that no registered secret survives in it; each record is scanned once."""

    def filter(self, record: logging.LogRecord) -> bool:
        generation = MASKER.generation
        if not len(MASKER) or getattr(record, "_secretblocks_masked", None) == generation:
            return True
        message = record.getMessage()
        masked = MASKER.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Format the exception now, masked; formatters reuse `exc_text` instead of re-formatting.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = MASKER.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = MASKER.mask(record.stack_info)
        record._secretblocks_masked = generation
        return True


_FILTER = SecretRedactingFilter()
_install_lock = threading.Lock()
_hooks_installed = False


def install_masking() -> None:
    """
    Mask what this process records from now on: Prefect's hooks once, the log filter on Prefect's
    loggers and their handlers each time (idempotent; it catches handlers added since).
    """
    global _hooks_installed
    if not redaction_enabled():
        return
    with _install_lock:
        if not _hooks_installed:
            from prefect_secretblocks._compat.run_hooks import install_run_hooks

            install_run_hooks(on_block=register_block, on_document=register_block_document, mask=MASKER.mask)
            _hooks_installed = True
        for name in REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            for filterer in (logger, *logger.handlers):
                if _FILTER not in filterer.filters:
                    filterer.addFilter(_FILTER)

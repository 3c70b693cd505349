"""Typed Prefect secret blocks and a one-off migration from Prefect 1.x secrets.

`prefect block register -m prefect_secretblocks` registers every block at the top level of
this module, so only this package's own blocks are exposed here. They are imported on first
use (as `prefect` itself does), which keeps `import prefect_secretblocks` cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect_secretblocks.blocks.github import GitHubToken
    from prefect_secretblocks.blocks.slack import SlackWebhookURL, slack_notifier
    from prefect_secretblocks.blocks.twitter import TwitterCredentials
    from prefect_secretblocks.redaction import mask_secret

__version__ = "0.1.0"

_EXPORTS = {
    "GitHubToken": "prefect_secretblocks.blocks.github",
    "SlackWebhookURL": "prefect_secretblocks.blocks.slack",
    "TwitterCredentials": "prefect_secretblocks.blocks.twitter",
    "slack_notifier": "prefect_secretblocks.blocks.slack",
    "mask_secret": "prefect_secretblocks.redaction",
}
__all__ = ["GitHubToken", "SlackWebhookURL", "TwitterCredentials", "mask_secret", "slack_notifier"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # `inspect.getmembers`, which `prefect block register -m` uses, lists what `dir()` names.
    return sorted({*globals(), *__all__})

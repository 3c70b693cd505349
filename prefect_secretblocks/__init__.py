"""Typed Prefect secret blocks and a one-off migration from Prefect 1.x secrets.

`prefect block register -m prefect_secretblocks` registers every block defined at the
top level of this module, so only this package's own blocks are imported here.
"""

from prefect_secretblocks.blocks import GitHubToken, SlackWebhookURL, TwitterCredentials, slack_notifier

__version__ = "0.1.0"

__all__ = ["GitHubToken", "SlackWebhookURL", "TwitterCredentials", "slack_notifier"]

"""The secret blocks, one module per family.

Prefect imports this module through the package's `prefect.collections` entry point the first time
a process looks a block class up by slug (`Block.load("slug/name")`, a deployment's storage, a
worker, the server), and that import turns masking on for the process: from then on every secret
of every block it creates or loads is kept out of what Prefect records (`redaction.py`).
"""

from prefect_secretblocks.blocks.github import GitHubToken
from prefect_secretblocks.blocks.slack import SlackWebhookURL, slack_notifier
from prefect_secretblocks.blocks.twitter import TwitterCredentials
from prefect_secretblocks.redaction import install_masking

install_masking()

__all__ = ["GitHubToken", "SlackWebhookURL", "TwitterCredentials", "slack_notifier"]

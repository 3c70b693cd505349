"""The secret blocks, one module per family."""

from prefect_secretblocks.blocks.github import GitHubToken
from prefect_secretblocks.blocks.slack import SlackWebhookURL, slack_notifier
from prefect_secretblocks.blocks.twitter import TwitterCredentials

__all__ = ["GitHubToken", "SlackWebhookURL", "TwitterCredentials", "slack_notifier"]

"""Which credentials still work: each block's `check()`, AWS credentials through STS, every saved block at once.

`result.py` is the shared result (`CredentialCheck`); one module per service asks it (`github.py`,
`slack.py`, `twitter.py`, `aws.py`), each with its network library imported there; `events.py` emits
the Prefect event of a check; `saved.py` checks the saved blocks of every checkable type concurrently
(`prefect-secretblocks check`).
"""

from prefect_secretblocks.checks.aws import acheck_aws_credentials, check_aws_credentials
from prefect_secretblocks.checks.result import DEFAULT_EXPIRES_WITHIN, CheckStatus, CredentialCheck, Verdict
from prefect_secretblocks.checks.saved import CheckReport, SavedBlockCheck, check_saved_blocks

__all__ = [
    "DEFAULT_EXPIRES_WITHIN",
    "CheckReport",
    "CheckStatus",
    "CredentialCheck",
    "SavedBlockCheck",
    "Verdict",
    "acheck_aws_credentials",
    "check_aws_credentials",
    "check_saved_blocks",
]

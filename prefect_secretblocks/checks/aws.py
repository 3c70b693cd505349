"""AWS: are prefect-aws `AwsCredentials` still accepted, and whose are they.

STS `GetCallerIdentity` needs no permission: AWS answers any valid credentials with the account and
the ARN they act as, and refuses others with an error code: `InvalidClientTokenId` (an access key
that was deleted or never existed), `SignatureDoesNotMatch` (a wrong secret key), `ExpiredToken`
(a session token past its expiry), `AccessDenied`. Throttling and server errors say nothing about
the credentials: unknown. prefect-aws's `aws_client_parameters` (`endpoint_url`, `verify`...) apply,
so an STS-compatible endpoint is asked the same way.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from prefect_secretblocks.checks.result import CheckStatus, CredentialCheck

if TYPE_CHECKING:
    from prefect_aws import AwsCredentials

_SERVICE = "AWS STS"
#: Error codes that say nothing about the credentials.
_NOT_TELLING = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded", "InternalFailure"})


def check_aws_credentials(credentials: AwsCredentials) -> CredentialCheck:
    """Call STS `GetCallerIdentity` with the credentials (see the module's docstring)."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    try:
        identity = credentials.get_client("sts").get_caller_identity()
    except ClientError as exc:
        return _refused(exc)
    except (NoCredentialsError, PartialCredentialsError) as exc:
        return CredentialCheck(status=CheckStatus.INVALID, service=_SERVICE, reason=type(exc).__name__)
    except BotoCoreError as exc:  # the endpoint could not be reached, or no region for it
        return CredentialCheck(
            status=CheckStatus.UNKNOWN, service=_SERVICE, reason=f"unreachable ({type(exc).__name__})"
        )
    return CredentialCheck(
        status=CheckStatus.VALID, service=_SERVICE, identity=str(identity["Arn"]), account=str(identity["Account"])
    )


async def acheck_aws_credentials(credentials: AwsCredentials) -> CredentialCheck:
    """`check_aws_credentials` in a worker thread: boto3 blocks."""
    return await asyncio.to_thread(check_aws_credentials, credentials)


def _refused(exc: Exception) -> CredentialCheck:
    # The code only: AWS's message may name the access key id.
    response = getattr(exc, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", "")) or "error"
    http = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code in _NOT_TELLING or (isinstance(http, int) and http >= 500):
        return CredentialCheck(status=CheckStatus.UNKNOWN, service=_SERVICE, reason=code)
    return CredentialCheck(status=CheckStatus.INVALID, service=_SERVICE, reason=code)

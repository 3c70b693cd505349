"""prefect-aws AwsCredentials through STS GetCallerIdentity, against moto's server (authentication on)."""

from __future__ import annotations

from prefect_aws import AwsCredentials

from prefect_secretblocks.checks import CheckStatus
from prefect_secretblocks.checks.aws import acheck_aws_credentials, check_aws_credentials
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.service_stand_ins import StsEmulator


def aws(endpoint_url: str, key_id: str, secret: str) -> AwsCredentials:
    return AwsCredentials(
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        aws_client_parameters={"endpoint_url": endpoint_url},
    )


def test_a_live_key_is_valid_with_its_account_and_arn(sts: StsEmulator) -> None:
    result = check_aws_credentials(aws(sts.url, sts.access_key_id, sts.secret_access_key))
    assert (result.status, result.account, result.identity) == (CheckStatus.VALID, sts.account, sts.arn)
    assert_no_leak(repr(result), "the check result", [sts.access_key_id, sts.secret_access_key])


def test_a_deleted_key_is_invalid_with_the_sts_error_code(sts: StsEmulator) -> None:
    result = check_aws_credentials(aws(sts.url, canaries.AWS_ACCESS_KEY, canaries.AWS_SECRET))
    assert (result.status, result.reason) == (CheckStatus.INVALID, "InvalidClientTokenId")
    assert_no_leak(repr(result), "the check result")


def test_a_wrong_secret_key_is_invalid(sts: StsEmulator) -> None:
    result = check_aws_credentials(aws(sts.url, sts.access_key_id, canaries.AWS_SECRET))
    assert (result.status, result.reason) == (CheckStatus.INVALID, "SignatureDoesNotMatch")


async def test_an_unreachable_endpoint_is_unknown() -> None:
    result = await acheck_aws_credentials(aws("http://127.0.0.1:9", canaries.AWS_ACCESS_KEY, canaries.AWS_SECRET))
    assert result.status is CheckStatus.UNKNOWN and result.reason.startswith("unreachable")
    assert_no_leak(repr(result), "the check result")

"""Fake 1.x values for the targets in Prefect's integration packages (prefect-gcp, -gitlab, ...)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

GITLAB_TOKEN = "glpat-fakeIntegTok7Qz81Wv"
BITBUCKET_TOKEN = "fakeBbIntegTok92LmQx7"
AZURE_CONNECTION_STRING = (
    "DefaultEndpointsProtocol=https;AccountName=fakeaccount;AccountKey=fakeAzureIntegKey3k9=;"
    "EndpointSuffix=core.windows.net"
)
EMAIL_USERNAME = "fake-sender@example.invalid"
EMAIL_PASSWORD = "fakeEmailIntegPw-83jd"


@lru_cache(maxsize=1)
def gcp_service_account() -> dict[str, Any]:
    """A service-account key with a real (fresh, fake) RSA key: GcpCredentials parses it when created."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {
        "type": "service_account",
        "project_id": "fake-project",
        "private_key_id": "fake-key-id",
        "private_key": pem.decode(),
        "client_email": "fake@fake-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def one_secret_values() -> dict[str, Any]:
    """The 1.x secrets that each become one integration block, by name."""
    return {
        "GCP_CREDENTIALS": gcp_service_account(),
        "GITLAB_ACCESS_TOKEN": GITLAB_TOKEN,
        "BITBUCKET_ACCESS_TOKEN": BITBUCKET_TOKEN,
        "AZURE_STORAGE_CONNECTION_STRING": AZURE_CONNECTION_STRING,
        "AZ_CONNECTION_STRING": AZURE_CONNECTION_STRING + "x",
    }

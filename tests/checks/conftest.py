"""The services' stand-ins, shared by every check test: one TLS server and one STS emulator per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.service_stand_ins import StandIns, StsEmulator, service_stand_ins, sts_emulator


@pytest.fixture(scope="session")
def stand_ins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIns]:
    with service_stand_ins(tmp_path_factory.mktemp("stand-ins")) as served:
        yield served


@pytest.fixture(autouse=True)
def trust_the_stand_ins_and_try_once(stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx trusts the stand-ins' certificate as a user's process trusts a private CA: `SSL_CERT_FILE`."""
    monkeypatch.setenv("SSL_CERT_FILE", str(stand_ins.certificate))
    # boto3 retries a refused connection, with back-off, before it gives up: once is enough here.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture(scope="session")
def sts() -> Iterator[StsEmulator]:
    with sts_emulator() as emulator:
        yield emulator

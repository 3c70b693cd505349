"""TwitterCredentials: the 1.x dict, masking, and the optional tweepy client."""

from __future__ import annotations

import sys

import pytest
import tweepy

from prefect_secretblocks import TwitterCredentials
from prefect_secretblocks._compat import model_data, model_json
from prefect_secretblocks.exceptions import MissingExtraError
from tests import canaries
from tests.canaries import assert_no_leak

from .offline_suite import OfflineBlockStandardTestSuite


class TestStandardSuite(OfflineBlockStandardTestSuite):
    @pytest.fixture
    def block(self) -> type[TwitterCredentials]:
        return TwitterCredentials


def test_get_returns_the_1x_dict_shape() -> None:
    assert TwitterCredentials(**canaries.TWITTER, bearer_token=canaries.TWITTER_BEARER).get() == canaries.TWITTER


def test_repr_and_dumps_mask_every_field() -> None:
    block = TwitterCredentials(**canaries.TWITTER, bearer_token=canaries.TWITTER_BEARER)
    assert_no_leak(f"{block!r}{block!s}{model_data(block)}{model_json(block)}", "repr/dumps")


def test_get_client_configures_a_tweepy_client() -> None:
    client = TwitterCredentials(**canaries.TWITTER, bearer_token=canaries.TWITTER_BEARER).get_client()
    assert isinstance(client, tweepy.Client)
    assert client.consumer_key == canaries.TWITTER["api_key"]
    assert client.consumer_secret == canaries.TWITTER["api_secret"]
    assert client.access_token == canaries.TWITTER["access_token"]
    assert client.access_token_secret == canaries.TWITTER["access_token_secret"]
    assert client.bearer_token == canaries.TWITTER_BEARER


def test_get_client_without_tweepy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tweepy", None)
    with pytest.raises(MissingExtraError, match=r"prefect-secretblocks\[twitter\]"):
        TwitterCredentials(**canaries.TWITTER).get_client()

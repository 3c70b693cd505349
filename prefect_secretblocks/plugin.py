"""Prefect 3's plugin startup hook: masking from `import prefect` on, in every process.

Prefect imports collections (and so turns this package's masking on) only when a process looks a
block class up by slug. A process that loads blocks by class alone (`Secret.load("name")`) and
never imports this package would not mask them. With Prefect's plugin system on
(`PREFECT_PLUGINS_ENABLED=true`, e.g. in a work pool's environment), Prefect calls this hook when
it is imported, before any flow code runs. Prefect 2 has no plugin system: there, the setting
`PREFECT_EXTRA_ENTRYPOINTS=prefect_secretblocks.blocks` does the same.
"""

from __future__ import annotations

from typing import Any

from prefect.plugins import register_hook


@register_hook
def setup_environment(*, ctx: Any) -> None:
    """Turn masking on; nothing to add to the environment."""
    from prefect_secretblocks.redaction import install_masking

    install_masking()

"""The Prefect version matrix: the suite on each supported Prefect leg, each in its own venv
built from that leg's pinned constraints.

    nox                                   # every leg, the whole suite (make test-matrix)
    nox -s "tests(prefect='2.20.27')"     # one leg; arguments after `--` go to pytest
    nox -s "screenshots(prefect='2.20.27')"  # docs/blocks/img/ from that leg's UI (make screenshots)
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]

NEWEST = "3.9.1"
#: Prefect release -> the constraints its leg installs with.
LEGS = {
    NEWEST: "constraints.txt",  # the newest Prefect
    "3.9.0": "constraints-prefect3-oldest.txt",  # the oldest supported Prefect 3
    "2.20.27": "constraints-prefect2.txt",  # the newest Prefect 2
}
ENVIRONMENT = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


@nox.session
@nox.parametrize("prefect", list(LEGS))
def tests(session: nox.Session, prefect: str) -> None:
    """The suite on one Prefect leg (the fresh-venv install tests run on the newest leg only)."""
    session.install("--upgrade", "pip")
    # Prefect 2's BlockStandardTestSuite imports PIL (Prefect 3's does not).
    extra = ["pillow"] if prefect.startswith("2.") else []
    session.install("-c", LEGS[prefect], "-e", ".[test,docs,twitter]", *extra)
    session.run("python", "-c", f"import prefect; assert prefect.__version__ == {prefect!r}, prefect.__version__")
    selection = [] if prefect == NEWEST else ["-m", "not install"]
    session.run("python", "-m", "pytest", *selection, *session.posargs, env=ENVIRONMENT)


@nox.session
@nox.parametrize("prefect", [NEWEST, "2.20.27"])
def screenshots(session: nox.Session, prefect: str) -> None:
    """docs/blocks/img/: each block's catalog card and create form in the UIs of one Prefect leg."""
    session.install("--upgrade", "pip")
    session.install("-c", LEGS[prefect], "-e", ".[test]")
    session.run("python", "-m", "tests.e2e.screenshots", env=ENVIRONMENT)

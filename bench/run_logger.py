"""Times 20,000 records on a flow run's logger, masked with N values registered and unmasked, interleaved.

Runs one flow against the server of PREFECT_API_URL; inside it, `--values` secrets are registered
(one in every hundred records carries one), then blocks of records are logged alternately with
the masking filter on Prefect's loggers and handlers and with it taken off: the same logger, the
same process, the same records. Prints the medians as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time

from prefect import flow, get_run_logger

from prefect_secretblocks.redaction import _FILTER, REDACTED_LOGGERS, install_masking, register_secrets


def _filterers() -> list[logging.Filterer]:
    loggers = [logging.getLogger(name) for name in REDACTED_LOGGERS]
    return [*loggers, *(handler for logger in loggers for handler in logger.handlers)]


def _unmask() -> None:
    for filterer in _filterers():
        filterer.removeFilter(_FILTER)


def _timed_records(records: int, secrets: list[str]) -> float:
    logger = get_run_logger()
    start = time.perf_counter()
    for number in range(records):
        carried = secrets[number % len(secrets)] if number % 100 == 0 else "nothing secret here"
        logger.info("record %d of the nightly load: %s (rows 48213, 12.5 s)", number, carried)
    return time.perf_counter() - start


@flow(name="bench-run-logger")
def time_the_run_logger(values: int, records: int, rounds: int) -> dict[str, float]:
    secrets = [f"bench-secret-{number:05d}-Qx7Lm2" for number in range(values)]
    register_secrets(secrets)
    _timed_records(records // 10, secrets)  # warm up: the API log worker, the console, the automaton
    timings: dict[str, list[float]] = {"masked": [], "unmasked": []}
    for round_number in range(rounds):
        # Alternating which goes first, so drift on a busy machine hits both alike.
        for masked in (True, False) if round_number % 2 == 0 else (False, True):
            install_masking() if masked else _unmask()
            timings["masked" if masked else "unmasked"].append(_timed_records(records, secrets))
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, required=True)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(time_the_run_logger(args.values, args.records, args.rounds)))


if __name__ == "__main__":
    main()

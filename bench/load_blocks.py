"""Times `GitHubToken.load` against core `Secret.load`, sync and async, interleaved; prints JSON."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from prefect.blocks.system import Secret

from prefect_secretblocks import GitHubToken


def main(rounds: int) -> None:
    GitHubToken(token="ghp_" + "fakeBenchTok" * 3).save("bench-token", overwrite=True)
    Secret(value="fake-bench-secret").save("bench-secret", overwrite=True)
    timings: dict[str, list[float]] = {"token": [], "secret": [], "atoken": [], "asecret": []}

    def timed(name: str, call) -> None:
        start = time.perf_counter()
        call()
        timings[name].append(time.perf_counter() - start)

    for _ in range(rounds):  # interleaved, so drift on a noisy machine hits both alike
        timed("token", lambda: GitHubToken.load("bench-token"))
        timed("secret", lambda: Secret.load("bench-secret"))

    async def async_rounds() -> None:
        for _ in range(rounds):
            start = time.perf_counter()
            await GitHubToken.aload("bench-token")
            timings["atoken"].append(time.perf_counter() - start)
            start = time.perf_counter()
            await Secret.aload("bench-secret")
            timings["asecret"].append(time.perf_counter() - start)

    asyncio.run(async_rounds())
    print(json.dumps({name: statistics.median(values) for name, values in timings.items()}))


if __name__ == "__main__":
    main(int(sys.argv[1]))

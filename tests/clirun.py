"""Running `python -m linkaudit` as a user would, for the end-to-end CLI tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from linkaudit.demo.simweb import Reply, SimWeb

# The machine's proxies and extra trust must not reach the tests: a test that wants them sets them.
_NETWORK_VARIABLES = frozenset(
    {
        *("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"),
        *("no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"),
    }
)


def linkaudit_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment without proxy or CA variables, no colour, a fixed width, UTF-8 output."""
    base = {name: value for name, value in os.environ.items() if name not in _NETWORK_VARIABLES}
    return {**base, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8", **(env or {})}


def run_linkaudit(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """A real process, no colour, a fixed width, UTF-8 output; its exit code is for the test to judge.

    The environment is the test's, without proxy or CA variables, plus `env`.
    """
    return subprocess.run(
        [sys.executable, "-m", "linkaudit", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=linkaudit_environment(env),
        input=stdin,
        timeout=120,
    )


def run_linkaudit_bytes(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """As `run_linkaudit`, its output kept as the bytes it wrote (a patch in a file's own encoding)."""
    return subprocess.run(
        [sys.executable, "-m", "linkaudit", *args],
        check=False,
        capture_output=True,
        cwd=cwd,
        env=linkaudit_environment(),
        timeout=120,
    )


def resolve_args(web: SimWeb, *, archives: str = "none") -> list[str]:
    """`--resolve` for every host of the simulated web, every other name not found, loopback allowed.

    No archive is looked up unless `archives` says so: the simulated web has none (tests of the archive
    stage run a `SimArchive` and map its name), and an archive whose name is not found is said on stderr.
    """
    args: list[str] = []
    for name, address in web.resolve.items():
        args += ["--resolve", f"{name}:{address if address is not None else 'nxdomain'}"]
    # The simulated web is on loopback, which the private-network guard refuses unless allowed.
    return [*args, "--resolve", "*:nxdomain", "--allow-private-net", "127.0.0.0/8", "--archives", archives]


@contextlib.contextmanager
def news_web() -> Iterator[SimWeb]:
    """The small simulated web the CLI tests share: a live page, a permanent redirect to it, an image, and
    a host whose name does not exist."""
    with SimWeb() as simulated:
        news = simulated.host("news.example")
        news.route("/live", Reply.html("live"))
        news.route("/moved", Reply.redirect("/live", 301))
        news.route("/pic.png", Reply.image("png"))
        simulated.missing_host("gone.example")
        yield simulated

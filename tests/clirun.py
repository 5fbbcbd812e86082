"""Running `python -m linkaudit` as a user would, for the end-to-end CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The machine's proxies and extra trust must not reach the tests: a test that wants them sets them.
_NETWORK_VARIABLES = frozenset(
    {
        *("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"),
        *("no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"),
    }
)


def run_linkaudit(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """A real process, no colour, a fixed width, UTF-8 output; its exit code is for the test to judge.

    The environment is the test's, without proxy or CA variables, plus `env`.
    """
    base = {name: value for name, value in os.environ.items() if name not in _NETWORK_VARIABLES}
    environment = {**base, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "linkaudit", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        input=stdin,
        timeout=120,
    )

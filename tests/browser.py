"""A real headless chromium driven over the Chrome DevTools Protocol, for the HTML report's tests.

Debian's `chromium` package (`.ci/run` installs it). The browser may not reach anything but loopback:
every name resolves to "not found" inside it and any request that still tried would go to a closed
port on 127.0.0.1, and the background services that phone home are off. The DevTools endpoint is
found through the `DevToolsActivePort` file and reached with `websockets` on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

__all__ = ["Browser", "Page", "chromium_path", "open_browser"]

_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--window-size=1280,1000",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One tab: commands by CDP method name, events collected as they come."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        call = next(self.ids)
        self.socket.send(json.dumps({"id": call, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == call:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if it is a promise)."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def open(self, url: str, *, ready: str = "document.readyState === 'complete'") -> None:
        """Navigate and wait until `ready` is true in the page."""
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                if self.evaluate(f"location.href === {json.dumps(url)} && ({ready})"):
                    return
            time.sleep(0.05)
        raise TimeoutError(f"{url} did not get ready: {ready}")


class Browser:
    def __init__(self, port: int) -> None:
        self.port = port

    @contextlib.contextmanager
    def page(self) -> Iterator[Page]:
        """A new tab, closed on the way out."""
        # No proxy from the environment: the endpoint is on loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with opener.open(request, timeout=10) as answer:
            target = json.load(answer)
        try:
            with connect(target["webSocketDebuggerUrl"], max_size=None, proxy=None) as socket:
                page = Page(socket)
                page.send("Page.enable")
                page.send("Runtime.enable")
                yield page
        finally:
            with opener.open(f"http://127.0.0.1:{self.port}/json/close/{target['id']}", timeout=10):
                pass


@contextlib.contextmanager
def open_browser(profile: Path) -> Iterator[Browser]:
    """Start chromium with a fresh profile in `profile`; stop it (and only it) on the way out."""
    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    process = subprocess.Popen(
        [executable, *_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"},
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start (exit code {process.poll()})")
            time.sleep(0.05)
        yield Browser(int(port_file.read_text().split()[0]))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""Headless Chromium driven over the DevTools protocol with `websockets` (no selenium)."""

from __future__ import annotations

import itertools
import json
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path("/usr/bin/chromium")


class Browser:
    """One page of a headless Chromium: navigate, evaluate JavaScript, wait for a condition."""

    def __init__(self, profile: Path) -> None:
        self._process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = _devtools_port(profile / "DevToolsActivePort", self._process)
        targets = httpx.get(f"http://127.0.0.1:{port}/json", timeout=5).json()
        page = next(t for t in targets if t["type"] == "page")
        self._stack = ExitStack()
        self._ws: ClientConnection = self._stack.enter_context(
            connect(page["webSocketDebuggerUrl"], max_size=None)
        )
        self._ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command and its result (events in between are skipped)."""
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=15))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    def set_cookie(self, url: str, name: str, value: str) -> None:
        """A cookie for `url`, as a browser that signed in would hold it."""
        assert self.send("Network.setCookie", url=url, name=name, value=value, httpOnly=True)[
            "success"
        ]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15) -> Any:
        """Poll until `expression` is truthy (a page loaded, a form posted...)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None  # the page is between two documents
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"never true: {expression}")
            time.sleep(0.05)

    def open(self, url: str) -> None:
        """Load `url` and wait until its document is complete."""
        self.evaluate("window.__hubMark = 1")
        self.send("Page.navigate", url=url)
        self.wait_for("!window.__hubMark && document.readyState === 'complete'")

    def submit_and_wait(self, action_js: str) -> None:
        """Run `action_js` (a click, a form submit) and wait for the next page to load."""
        self.evaluate("window.__hubMark = 1")
        self.evaluate(action_js)
        self.wait_for("!window.__hubMark && document.readyState === 'complete'")

    def close(self) -> None:
        """Stop this browser (and only it)."""
        self._stack.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _devtools_port(path: Path, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text().splitlines()[0])
        if process.poll() is not None:
            msg = f"chromium exited with {process.returncode} before it listened"
            raise RuntimeError(msg)
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port")

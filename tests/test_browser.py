"""The brief in a real browser: Debian's headless Chromium, driven over the DevTools protocol.

Uses only ``websocket-client`` (already a dependency of the Jupyter stack) and the system
``chromium``; nothing is downloaded. The page must load with no console error, no uncaught
exception and no network request; a screenshot is written to the test's tmp dir, and the
PDF's first page is rendered to PNG with ``pdftoppm`` for a visual check.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from fixtures_results import scenario

from evaluation.brief import render as brief

pytestmark = pytest.mark.browser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{tool} is required in CI (installed by .ci/run)")
        pytest.skip(f"{tool} not installed")
    return path


class _Chromium:
    """A headless Chromium with a fresh profile and a DevTools websocket to one page."""

    def __init__(self, binary: str, profile: Path):
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                pytest.fail("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(event)
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.ws.recv()))

    def drain(self, seconds: float) -> None:
        import websocket

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ws.settimeout(max(0.05, end - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.mark.parametrize(("name", "lang"), [("synthetic", "id"), ("suppressed_cells", "en")])
def test_brief_loads_offline_without_errors(tmp_path, name, lang):
    binary = _need("chromium")
    paths = brief.write_brief(scenario(name), tmp_path / "out", lang=lang,
                              formats=("html",))
    page_url = paths["html"].resolve().as_uri()
    chrome = _Chromium(binary, tmp_path / "profile")
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            chrome.call(f"{domain}.enable")
        chrome.call("Emulation.setDeviceMetricsOverride", width=1000, height=1400,
                    deviceScaleFactor=1, mobile=False)
        chrome.call("Page.navigate", url=page_url)
        chrome.wait_for("Page.loadEventFired")
        chrome.drain(1.0)
        lang_attr = chrome.call("Runtime.evaluate",
                                expression="document.documentElement.lang")["result"]["value"]
        broken_images = chrome.call("Runtime.evaluate", expression=(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".length"))["result"]["value"]
        shot = chrome.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    finally:
        chrome.close()

    requests = [e["params"]["request"]["url"] for e in chrome.events
                if e.get("method") == "Network.requestWillBeSent"]
    outside = [u for u in requests if not (u == page_url or u.startswith("data:"))]
    assert not outside, f"requests left the page: {outside}"
    console_errors = [e["params"] for e in chrome.events
                      if e.get("method") == "Runtime.consoleAPICalled"
                      and e["params"].get("type") in ("error", "assert")]
    exceptions = [e["params"] for e in chrome.events if e.get("method") == "Runtime.exceptionThrown"]
    log_errors = [e["params"]["entry"] for e in chrome.events
                  if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
    assert not console_errors and not exceptions and not log_errors, (
        console_errors, exceptions, log_errors)
    assert lang_attr == lang
    assert broken_images == 0
    png = base64.b64decode(shot["data"])
    assert png.startswith(PNG_MAGIC) and len(png) > 20_000
    (tmp_path / f"brief.{lang}.png").write_bytes(png)


def test_pdf_first_page_renders_to_png(tmp_path):
    pdftoppm = _need("pdftoppm")
    paths = brief.write_brief(scenario("synthetic"), tmp_path, lang="id", formats=("pdf",))
    subprocess.run([pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(paths["pdf"]), str(tmp_path / "page1")], check=True, timeout=120)
    png = (tmp_path / "page1.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000


def test_the_probe_sees_requests_and_console_errors(tmp_path):
    """Negative control: the same probe does catch a network request and a console error."""
    binary = _need("chromium")
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html lang="id"><body><img alt="x" '
                    'src="http://example.invalid/logo.png"><script>console.error("boom")'
                    '</script></body></html>', encoding="utf-8")
    chrome = _Chromium(binary, tmp_path / "profile")
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            chrome.call(f"{domain}.enable")
        chrome.call("Page.navigate", url=page.as_uri())
        chrome.wait_for("Page.loadEventFired")
        chrome.drain(0.5)
    finally:
        chrome.close()
    urls = [e["params"]["request"]["url"] for e in chrome.events
            if e.get("method") == "Network.requestWillBeSent"]
    assert "http://example.invalid/logo.png" in urls
    assert any(e.get("method") == "Runtime.consoleAPICalled"
               and e["params"].get("type") == "error" for e in chrome.events)

"""Browser tests against a real server, started the way `make demo` starts it.

`sdgnet setup` runs into a temporary SDGNET_DATA_DIR (SQLite, never the test database
pytest-django uses), then `sdgnet serve` (gunicorn, default workers) on a free port.
Playwright drives Debian's Chromium (/usr/bin/chromium, installed by
scripts/install_system_packages.sh); it never downloads a browser. axe-core comes from
node_modules (npm ci at `make install`).

The server and browser are package-scoped: Playwright's sync API keeps an event loop
alive while the browser is open, which Django's async-safety check would take for an
async context in the database tests that run after this package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("SDGNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _sdgnet() -> str:
    path = Path(sys.executable).with_name("sdgnet")
    assert path.exists(), f"{path} not found: run `make install`"
    return str(path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# Pages whose charts `sdgnet setup` pre-renders (dashboards/prerender.py): the server's
# first requests for them, in both languages, must not render a chart.
PRERENDERED_PAGES = [
    "/places/0301/goals/3/",
    "/places/3201/goals/3/",
    "/places/3201/goals/16/",
    "/indicators/population-share-80plus/",
    "/network/",
    "/goals/3/",
    "/compare/?places=3201,3203",
]


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path
    # Chart files in the cache right after `sdgnet setup`, and after the first requests
    # for PRERENDERED_PAGES (made before any test runs).
    charts_after_setup: frozenset[str] = frozenset()
    charts_after_first_requests: frozenset[str] = frozenset()

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {**os.environ, "SDGNET_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # always a fresh SQLite file, never a shared database
    env.pop("SDGNET_DEBUG", None)  # as served to people
    # About 20 s on an idle 2-core machine; minutes when other jobs load it (once > 300 s).
    started = time.monotonic()
    setup = subprocess.run(
        [_sdgnet(), "setup"], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert setup.returncode == 0, (
        f"sdgnet setup failed after {time.monotonic() - started:.0f} s:\n"
        f"{setup.stdout}\n{setup.stderr}"
    )
    charts_after_setup = _chart_files(data_dir)
    port = _free_port()
    log = (data_dir / "serve.log").open("w")
    process = subprocess.Popen(
        [_sdgnet(), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, (data_dir / "serve.log").read_text()
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "server did not answer /healthz within 60 s"
        time.sleep(0.2)
    for path in PRERENDERED_PAGES:
        for prefix in ("", "/en"):
            with urllib.request.urlopen(url + prefix + path, timeout=120) as response:
                assert response.status == 200, path
    try:
        yield Server(url, data_dir, charts_after_setup, _chart_files(data_dir))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _chart_files(data_dir: Path) -> frozenset[str]:
    return frozenset(str(p.relative_to(data_dir)) for p in (data_dir / "charts").glob("v*/*.svg"))


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), (
        f"{CHROMIUM} not found: run scripts/install_system_packages.sh"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies, empty cache) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Console errors and uncaught exceptions of `page` (CSP violations show up here)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return errors


@pytest.fixture(scope="package")
def axe_source() -> str:
    assert AXE_JS.exists(), f"{AXE_JS} not found: run `make install` (npm ci)"
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA rules on the page as it is; returns the violations.

    The script is evaluated through the DevTools protocol, so the page's own
    Content-Security-Policy stays in force."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']!r}")
    return "\n".join(lines)


def screenshot_name(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")

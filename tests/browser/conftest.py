"""Browser tests: Debian's Chromium driven by the Playwright sync API (no pytest-playwright plugin).

Playwright's sync API keeps an asyncio loop running in the main thread, so Django's ORM, called
from the test body, would raise SynchronousOnlyOperation; the tests are synchronous, hence the flag.
"""
import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
CSP_MARKER = "Content Security Policy"
# Chromium's own console wording for a blocked resource may change between versions; the DOM event
# does not. Init scripts are injected by the DevTools protocol, so the page's CSP does not block them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
    "Content Security Policy violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber));
"""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (`make test-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class BrowserLog:
    """Everything the pages said on the console, and every uncaught script error."""

    def __init__(self):
        self.console: list[str] = []
        self.page_errors: list[str] = []

    def attach(self, context) -> None:
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._on_console)
        context.on("weberror", lambda err: self.page_errors.append(str(err.error)))

    def _on_console(self, msg) -> None:
        self.console.append(f"[{msg.type}] {msg.text} @ {msg.page.url if msg.page else '?'}")

    @property
    def csp_violations(self) -> list[str]:
        return [line for line in self.console if CSP_MARKER in line]


@pytest.fixture
def browser_log():
    return BrowserLog()


@pytest.fixture
def new_context(browser, browser_log):
    """Factory for isolated browser contexts (own cookies), each logged to `browser_log`."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", "zh-CN")
        kwargs.setdefault("timezone_id", "Asia/Shanghai")
        context = browser.new_context(**kwargs)
        context.set_default_timeout(15_000)
        browser_log.attach(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """shot(page, "name") saves /tmp/shots/name.png (full page) for a human to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

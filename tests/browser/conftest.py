"""Browser tests: Python Playwright driving Debian's Chromium (/usr/bin/chromium)
against the site served by pytest-django's live server, with axe-core.

Without Chromium the tests skip, unless REQUIRE_BROWSER=True (CI), when they
fail: `scripts/ensure_chromium.sh` (run by `make test`) installs it."""

import functools
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is safe (it is: the
# loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


ARIAL_LIKE = ("Liberation Sans", "Arial", "Arimo")


@functools.cache  # asked before every browser test: fontconfig's answer does not change within a run
def arial_font() -> str:
    """The font Chromium draws for Arial, the pages' fallback from the NHS.UK
    webfont (which is not served here), as fontconfig names it."""
    try:
        return subprocess.run(["fc-match", "Arial"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def browser_missing_reason(chromium: Path = CHROMIUM, require: str | None = None,
                           font: str | None = None) -> str | None:
    """Why the browser tests cannot run, or None. Raises when they must run.

    Without a font of Arial's metrics, Chromium draws DejaVu Sans, wider than
    any phone's Arial or Roboto: the width and print tests would measure pages
    no reader sees (they failed by 2 px on a machine with only DejaVu)."""
    font = arial_font() if font is None else font
    if not chromium.exists():
        message = f"{chromium} is not installed (scripts/ensure_chromium.sh installs it)"
    elif not any(name in font for name in ARIAL_LIKE):
        message = (f"no font of Arial's metrics: fontconfig gives {font or 'nothing'!r} for Arial "
                   f"(scripts/ensure_chromium.sh installs fonts-liberation)")
    else:
        return None
    if (require if require is not None else os.environ.get("REQUIRE_BROWSER", "")) == "True":
        raise RuntimeError(f"REQUIRE_BROWSER=True but {message}")
    return message


@contextmanager
def chromium():
    """Chromium driven by Playwright's sync API; on leaving, closes the database
    connections that Django opened meanwhile.

    While Playwright runs, this thread has a running event loop, so Django keeps
    its connections in a context variable (asgiref's Local), apart from the
    thread's own: an ORM call in a test body opens a second connection, which the
    test's own teardown (outside the loop) never sees. Left open, on PostgreSQL it
    keeps the test database from being dropped at the end of the session."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    own = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            for connection in connections.all(initialized_only=True):
                if connection is not own[connection.alias]:
                    connection.close()


@pytest.fixture
def browser():
    # Per test, not per session: Playwright's sync API switches greenlets, and
    # a session-long one left Django's per-context connection without the
    # serialized data that restores the reference tables between tests.
    reason = browser_missing_reason()
    if reason:
        pytest.skip(reason)
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core into pages that carry the site's policy.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})""")
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:3]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def pytest_collection_modifyitems(items):
    # Every test in this folder is a browser test, whichever file it is in: `-m "not browser"` leaves them all out.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)

"""Driving the app in a real browser (the browser tests and scripts/make_screenshots.py): the app served from
a thread on a free 127.0.0.1 port, Debian's chromium through Playwright (never a downloaded browser), and a
check that a page's figures loaded."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    """Debian's chromium, if installed."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_app(root: Path | None = None, workers: int = 2) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, in a thread; yields its base URL; stopped on exit."""
    import uvicorn

    from crossings.app.server import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(root, workers=workers), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    t_end = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > t_end or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def browser() -> Iterator[Any]:
    """A headless chromium (Playwright's sync API) that fetches nothing on its own."""
    from playwright.sync_api import sync_playwright

    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


FIGURES_JS = """() => [...document.querySelectorAll('img, svg')].filter(e => !e.parentElement.closest('svg'))
  .map(e => { const r = e.getBoundingClientRect();
    return {tag: e.tagName.toLowerCase(), width: r.width, height: r.height,
            loaded: e.tagName.toLowerCase() === 'img' ? (e.complete && e.naturalWidth > 0) : true,
            alt: e.getAttribute('alt') || e.getAttribute('aria-label') || ''}; })"""


def figures(page: Any) -> list[dict[str, Any]]:
    """Every top-level figure on the page (img or svg): its drawn size and whether an image loaded."""
    return list(page.evaluate(FIGURES_JS))

"""Run the web app with uvicorn on 127.0.0.1 and a free port, in a thread (browser tests, screenshots)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from sdgmap.store import Store
from sdgmap.web import create_app

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(store: Store, **state) -> Iterator[str]:
    """Serve ``store``; yields the base URL and stops the server afterwards."""
    app = create_app(store)
    app.state.classify_semantic = False
    port = free_port()
    app.state.base_url = f"http://127.0.0.1:{port}"  # links point here, as with ``sdgmap serve``
    for k, v in state.items():
        setattr(app.state, k, v)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)

"""Run the web app on 127.0.0.1 and a free port: with uvicorn in a thread (``serve``: browser
tests, screenshots) or as a real ``sdgmap serve`` process (``serve_process``: kills, loads,
proxies, hostile uploads)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
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


def serve_process(db_url: str, *args: str, host: str = "127.0.0.1", env: dict | None = None,
                  ready: str = "/login", text: bool = False,
                  stdout: int = subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """``sdgmap --db DB serve ARGS`` in its own process (cheap password hashing); returns the
    process and its base URL once ``ready`` answers 200. The caller stops it."""
    port = free_port()
    env = (env or os.environ) | {"SDGMAP_ARGON2_PROFILE": "test"}
    proc = subprocess.Popen([sys.executable, "-m", "sdgmap", "--db", db_url, "serve", "--host", host,
                             "--port", str(port), *args],
                            env=env, stdout=stdout, stderr=subprocess.PIPE, text=text)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read()
            raise RuntimeError(f"server exited: {(err if text else err.decode())[-2000:]}")
        try:
            if httpx.get(base + ready, timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 60 s")

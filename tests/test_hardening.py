"""Defences that do not depend on a reverse proxy: client addresses (forwarded headers only from
configured proxies), links built from the configured site address and retired once a newer
one is used, security headers on every response, invisible bidi characters removed from
names and titles, a client that disconnects mid-form, interrupted exports, and single-user
mode refused on a network address. Against real server and CLI processes where it matters."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from sdgmap.cli import cli
from sdgmap.cli.devdata import generate
from sdgmap.cli.serve import is_loopback
from sdgmap.errors import UserError
from sdgmap.frameworks.builtin import open_store
from sdgmap.platform import accounts, prizes
from sdgmap.platform import submissions as subs
from sdgmap.store import Store
from sdgmap.store.backup import export_all
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import User
from sdgmap.web import create_app
from webserver import serve_process

PW = "correct horse battery"
os.environ["SDGMAP_ARGON2_PROFILE"] = "test"  # inherited by the server processes
accounts.configure_hashing("test")
ENV = os.environ | {"SDGMAP_ARGON2_PROFILE": "test"}
for _name in ("SDGMAP_BASE_URL", "SDGMAP_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS"):
    ENV.pop(_name, None)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RLO, LRI, PDI, LRM, ZWSP = "\u202e", "\u2066", "\u2069", "\u200e", "\u200b"
HOUR = timedelta(hours=1)


def _serve(url: str, *args: str, host: str = "127.0.0.1") -> tuple[subprocess.Popen, str]:
    return serve_process(url, *args, host=host, env=ENV, text=True, stdout=subprocess.PIPE)


def _stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.terminate()
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def _client(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=30)
    return client, CSRF.search(client.get("/login").text).group(1)


def _admin_client(base: str) -> tuple[httpx.Client, str]:
    client, token = _client(base)
    r = client.post("/login", data={"csrf_token": token, "username": "admin", "password": PW})
    assert r.status_code == 303, r.text[:300]
    return client, CSRF.search(client.get("/account").text).group(1)


def _signup(base: str, name: str, headers: dict) -> httpx.Response:
    client, token = _client(base)  # a fresh visitor each time: no session yet
    try:
        return client.post("/signup", headers=headers, data={
            "csrf_token": token, "username": name, "password": PW, "password2": PW})
    finally:
        client.close()


def _accounts(url: str) -> Store:
    store = open_store(url)
    with store.transaction() as s:
        accounts.create_user(s, "admin", password=PW, role="admin", verified=True)
        accounts.create_user(s, "victim", password=PW, role="viewer", verified=True)
    return store


# --- finding 6: forwarded client addresses ----------------------------------------------

def test_forwarded_for_is_ignored_without_a_configured_proxy(tmp_path: Path):
    """A local client rotating X-Forwarded-For is limited by its real address: the 11th wrong
    password gets a 429, the 6th sign-up is refused; a Host header does not reach the links."""
    store = _accounts(str(tmp_path / "site.db"))
    proc, base = _serve(store.url)
    try:
        client, token = _client(base)
        codes = [client.post("/login", headers={"X-Forwarded-For": f"203.0.113.{i}"},
                             data={"csrf_token": token, "username": "victim", "password": f"wrong {i}"}).status_code
                 for i in range(12)]
        assert codes == [400] * 10 + [429] * 2, codes
        signups = [_signup(base, f"sock{i}", {"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(7)]
        assert signups == [303] * 5 + [429] * 2, signups
        with store.transaction() as s:
            ips = set(s.scalars(select(User.created_ip).where(User.username.like("sock%"))))
        assert ips == {"127.0.0.1"}

        admin, csrf = _admin_client(base)
        r = admin.post("/admin/users", headers={"Host": "evil.example"},
                       data={"csrf_token": csrf, "username": "newbie", "role": "contributor"})
        assert r.status_code == 200 and "evil.example" not in r.text
        assert re.search(re.escape(base) + r"/invite/[\w-]{40,}", r.text), r.text[-1500:]
    finally:
        _stop(proc)


def test_forwarded_for_is_honoured_from_a_configured_proxy(tmp_path: Path):
    store = _accounts(str(tmp_path / "site.db"))
    proc, base = _serve(store.url, "--forwarded-allow-ips", "127.0.0.1",
                        "--base-url", "https://sdg.example.org/")
    try:
        signups = [_signup(base, f"user{i}", {"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(7)]
        assert signups == [303] * 7  # one per address: seven addresses, none over its limit
        with store.transaction() as s:
            assert s.scalar(select(User.created_ip).where(User.username == "user6")) == "198.51.100.6"
        # The proxy says HTTPS: both cookies are Secure.
        r = httpx.get(base + "/login", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in r.headers["set-cookie"] and "sdgmap_csrf" in r.headers["set-cookie"]
        admin, csrf = _admin_client(base)
        with store.transaction() as s:
            victim_id = accounts.get_user(s, "victim").id
        r = admin.post(f"/admin/users/{victim_id}/reset-link", headers={"Host": "evil.example"},
                       data={"csrf_token": csrf})
        assert "evil.example" not in r.text
        assert re.search(r"https://sdg\.example\.org/reset/[\w-]{40,}", r.text)
    finally:
        _stop(proc)


# --- finding 7: one-time links ------------------------------------------------------------

def test_links_use_the_configured_site_address_not_the_host_header(sqlite_store, monkeypatch):
    with sqlite_store.transaction() as s:
        accounts.create_user(s, "admin", password=PW, role="admin", verified=True)
    monkeypatch.setenv("SDGMAP_BASE_URL", "https://stocktaking.example.org/sdg/")
    app = create_app(sqlite_store)
    client = TestClient(app, base_url="http://evil.example")
    token = CSRF.search(client.get("/login").text).group(1)
    client.post("/login", data={"csrf_token": token, "username": "admin", "password": PW})
    csrf = CSRF.search(client.get("/account").text).group(1)
    r = client.post("/admin/users", data={"csrf_token": csrf, "username": "newbie"},
                    headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in r.text
    assert re.search(r"https://stocktaking\.example\.org/sdg/invite/[\w-]{40,}", r.text)
    monkeypatch.setenv("SDGMAP_BASE_URL", "javascript:alert(1)")
    with pytest.raises(UserError, match="base URL"):
        create_app(sqlite_store)


def test_a_used_link_retires_every_earlier_one(store: Store):
    with store.transaction() as s:
        user = accounts.create_user(s, "target", role="contributor")
        invite = accounts.issue_link(s, user, "invite", "admin")
        first = accounts.issue_link(s, user, "reset", "admin")
        second = accounts.issue_link(s, user, "reset", "admin")
    with store.transaction() as s:  # a newer link of the same purpose replaces the older
        with pytest.raises(UserError, match="invalid, used or expired"):
            accounts.peek_link(s, first, "reset")
        accounts.use_link(s, second, "reset", PW)
    with store.transaction() as s:
        for token, purpose in ((first, "reset"), (second, "reset"), (invite, "invite")):
            with pytest.raises(UserError, match="invalid, used or expired"):
                accounts.use_link(s, token, purpose, PW + " again")
        assert accounts.authenticate(s, "target", PW).username == "target"
    # A failed use (password too short) spends nothing.
    with store.transaction() as s:
        third = accounts.issue_link(s, accounts.get_user(s, "target"), "reset", "admin")
    with pytest.raises(UserError, match="password"), store.transaction() as s:
        accounts.use_link(s, third, "reset", "short")
    with store.transaction() as s:
        accounts.use_link(s, third, "reset", PW + "!")


# --- finding 8: security headers ----------------------------------------------------------

def _headers_ok(r: httpx.Response, where: str) -> None:
    h = r.headers
    assert "script-src 'self'" in h.get("content-security-policy", ""), where
    assert "frame-ancestors 'none'" in h["content-security-policy"], where
    assert "'unsafe-eval'" not in h["content-security-policy"], where
    assert h.get("x-frame-options") == "DENY", where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "same-origin", where


def test_security_headers_on_every_kind_of_response(sqlite_store):
    app = create_app(sqlite_store)

    def boom():
        raise RuntimeError("a bug")
    app.add_api_route("/boom", boom)
    client = TestClient(app, raise_server_exceptions=False)
    for path, status in (("/", 200), ("/login", 200), ("/api/v1/frameworks", 200), ("/static/app.css", 200),
                         ("/static/vendor/echarts.min.js", 200), ("/no/such/page", 404),
                         ("/api/v1/activities/999999", 404), ("/boom", 500), ("/api/v1/openapi.json", 200)):
        r = client.get(path)
        assert r.status_code == status, (path, r.status_code)
        _headers_ok(r, path)
    assert "'unsafe-inline'" not in client.get("/").headers["content-security-policy"].split("script-src")[1] \
        .split(";")[0]
    # Swagger UI starts from one inline script: the policy allows exactly that script.
    docs = client.get("/api/v1/docs")
    _headers_ok(docs, "/api/v1/docs")
    script = re.search(r"<script>(.*?)</script>", docs.text, re.S).group(1)
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in docs.headers["content-security-policy"]


def test_csrf_cookie_is_secure_over_https(sqlite_store):
    app = create_app(sqlite_store)
    plain = TestClient(app).get("/login").headers["set-cookie"]
    secure = TestClient(app, base_url="https://testserver").get("/login").headers["set-cookie"]
    assert plain.startswith("sdgmap_csrf=") and "Secure" not in plain
    assert secure.startswith("sdgmap_csrf=") and "Secure" in secure and "HttpOnly" in secure


# --- finding 10: invisible characters, disconnects, exports --------------------------------

def test_bidi_controls_are_removed_from_titles_and_names(store: Store):
    tricky = f"Invoice{RLO}fdp.exe{LRM} {LRI}x{PDI}{ZWSP}y"
    with store.transaction() as s:
        admin = accounts.create_user(s, "admin", password=PW, role="admin", verified=True,
                                     display_name=f"Ad{RLO}min", email=f"a{ZWSP}@example.org")
        owner = accounts.create_user(s, "owner", password=PW, role="contributor", verified=True,
                                     display_name=tricky)
        sub = subs.create_draft(s, owner, {"title": tricky, "organisation": f"Org{RLO}", "description":
                                           f"Line one{RLO}\nLine two", "partners": [f"P{LRI}1"],
                                           "sdgs": {"4": f"why{RLO}"}})
        _, tok = accounts.issue_token(s, owner, f"bot{RLO}", ["read"], "owner")
        cycle = prizes.create_cycle(s, admin, f"Prize{RLO} 2026", utcnow() + HOUR, utcnow() + 2 * HOUR, categories=[f"Cat{RLO}"])
        accounts.update_user(s, owner, "admin", display_name=f"Re{RLO}named")
        assert (sub.title, sub.organisation, sub.partners) == ("Invoicefdp.exe xy", "Org", ["P1"])
        assert sub.description == "Line one\nLine two" and sub.sdgs == {"4": "why"}
        assert (admin.display_name, admin.email, owner.display_name) == ("Admin", "a@example.org", "Renamed")
        assert (tok.name, cycle.name, cycle.categories[0].name) == ("bot", "Prize 2026", "Cat")


def test_bidi_controls_are_removed_from_web_form_values():
    from sdgmap.text.clean import one_line, visible
    from sdgmap.web.security import clean_text

    assert clean_text(f"re{RLO}viewer\u2028name", 100) == "reviewer name"
    assert one_line("ab\u200dc  d\u200c") == "ab\u200dc d\u200c"  # joiners shape scripts: kept
    assert visible(f"a\r\n{LRM}b\x00\t") == "a\r\nb\t"


def _raw(port: int, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        time.sleep(0.3)  # the server is now waiting for the rest of the body


def test_a_client_disconnecting_mid_form_is_not_an_error(tmp_path: Path):
    store = _accounts(str(tmp_path / "site.db"))
    proc, base = _serve(store.url)
    port = int(base.rsplit(":", 1)[1])
    try:
        form = b"username=victim&password=some"
        _raw(port, b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   b"Content-Length: 4000\r\n\r\n" + form)
        part = b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nvictim\r\n--b\r\n'
        _raw(port, b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                   b"Content-Length: 4000\r\n\r\n" + part)
        _raw(port, b"POST /api/v1/suggestions/review HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 4000\r\n\r\n{\"ids\": [")
        time.sleep(1.0)
        assert httpx.get(base + "/login", timeout=10).status_code == 200  # still serving
    finally:
        _, err = _stop(proc)
    assert "Traceback" not in err and "unhandled error" not in err and "Exception" not in err, err[-3000:]


def _partials(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.partial"))


@pytest.fixture
def big_db(tmp_path: Path) -> str:
    db = tmp_path / "big.db"
    store = open_store(str(db))
    generate(store, 12000, seed=1)
    store.dispose()
    return str(db)


def _start_export(db: str, target: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sdgmap", "--db", db, "export", "--all", str(target)],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not _partials(target.parent) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # well into the rows
    assert proc.poll() is None, f"the export finished before it could be interrupted: {proc.communicate()}"
    return proc


def test_a_killed_export_leaves_nothing_the_next_run_does_not_remove(big_db: str, tmp_path: Path):
    out = tmp_path / "backups"
    out.mkdir()
    target = out / "site.json.gz"
    proc = _start_export(big_db, target)
    proc.send_signal(signal.SIGTERM)  # systemd stop, timeout(1): cleaned up at once
    proc.communicate(timeout=30)
    assert proc.returncode != 0 and _partials(out) == [] and not target.exists()

    proc = _start_export(big_db, target)
    proc.send_signal(signal.SIGKILL)  # no clean-up possible: a hidden partial stays behind
    proc.communicate(timeout=30)
    left = _partials(out)
    assert len(left) == 1 and left[0].name.startswith(".site.json.gz.") and not target.exists()
    (out / "site.json.gz.partial").write_text("from an earlier version")  # the old fixed name

    result = CliRunner().invoke(cli, ["--db", big_db, "export", "--all", str(target)])
    assert result.exit_code == 0, result.output
    assert _partials(out) == []
    with gzip.open(target, "rt", encoding="utf-8") as f:
        data = json.load(f)
    assert len(data["tables"]["activities"]["rows"]) == 12000


def test_a_failed_export_removes_its_partial_file(sqlite_store, tmp_path: Path):
    target = tmp_path / "taken"
    target.mkdir()  # the final rename fails: a folder has the name
    with pytest.raises(OSError):
        export_all(sqlite_store, target)
    assert _partials(tmp_path) == []


# --- also: single-user mode on a network address ------------------------------------------

def test_loopback_addresses():
    assert all(map(is_loopback, ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "::", "192.168.1.5", "sdg.example.org", "")))


def test_single_user_mode_is_refused_on_a_network_address(sqlite_store):
    result = CliRunner().invoke(cli, ["--db", sqlite_store.url, "serve", "--host", "0.0.0.0", "--port", "9"])
    assert result.exit_code == 2
    assert "no accounts" in result.output and "--allow-anonymous-writes" in result.output

    proc, base = _serve(sqlite_store.url, "--allow-anonymous-writes", host="0.0.0.0")
    try:
        assert httpx.get(base + "/documents").status_code == 200
    finally:
        out, _ = _stop(proc)
    assert "anyone who can reach this server can upload" in " ".join(out.split())

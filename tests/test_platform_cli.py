"""``sdgmap users`` and ``sdgmap export --all`` / ``sdgmap import`` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from click.testing import CliRunner

from sdgmap.cli import cli
from sdgmap.frameworks.builtin import open_store
from sdgmap.platform import accounts
from sdgmap.store import audit

PW = "correct horse battery"
os.environ["SDGMAP_ARGON2_PROFILE"] = "test"
accounts.configure_hashing("test")


def run(db: str, *args: str, input: str | None = None, code: int = 0):
    result = CliRunner().invoke(cli, ["--db", db, *args], input=input)
    assert result.exit_code == code, result.output
    return result


def test_users_commands(store):
    db = store.url.removeprefix("sqlite:///")
    run(db, "users", "add", "boss", "--role", "admin", "--password-stdin", input=PW + "\n")
    invited = json.loads(run(db, "users", "add", "ana", "--email", "ana@example.org", "--json",
                             "--base-url", "https://sdg.example.org").output)
    assert invited["has_password"] is False
    assert re.fullmatch(r"https://sdg\.example\.org/invite/[\w-]{40,}", invited["invite_link"])
    run(db, "users", "set-role", "ana", "reviewer")
    run(db, "users", "verify", "ana", "--undo")
    listed = {u["username"]: u for u in json.loads(run(db, "users", "list", "--json").output)}
    assert listed["ana"]["role"] == "reviewer" and listed["ana"]["verified"] is False
    assert listed["boss"]["has_password"] is True and "password_hash" not in listed["boss"]

    token = json.loads(run(db, "users", "token", "ana", "--scope", "read", "--scope", "review",
                           "--json").output)
    assert token["token"].startswith("sdgm_") and token["scopes"] == ["read", "review"]
    with store.transaction() as s:
        assert accounts.token_user(s, token["token"])[0].username == "ana"
    tokens = json.loads(run(db, "users", "token", "ana", "--list", "--json").output)
    assert [t["id"] for t in tokens] == [token["id"]] and "token" not in tokens[0]
    run(db, "users", "token", "ana", "--revoke", str(token["id"]))
    with store.transaction() as s:
        assert accounts.token_user(s, token["token"]) is None
    again = run(db, "users", "token", "ana", "--revoke", str(token["id"])).output
    assert "already revoked" in again  # and no second audit event:
    with store.transaction() as s:
        assert [e["action"] for e in audit.history(s, "api_tokens", token["id"])] == ["issue", "revoke"]

    link = run(db, "users", "reset-link", "ana").output.strip()
    with store.transaction() as s:
        accounts.use_link(s, link.rsplit("/", 1)[1], "reset", PW)
        assert accounts.authenticate(s, "ana", PW).username == "ana"
    run(db, "users", "set-password", "ana", input=PW + "!\n")
    with store.transaction() as s:
        assert accounts.authenticate(s, "ana", PW + "!")

    for args, message in [(("users", "set-role", "nobody", "admin"), "no user 'nobody'"),
                          (("users", "add", "boss"), "username: 'boss' is taken"),
                          (("users", "add", "x y"), "username: 2-64 characters"),
                          (("users", "token", "ana", "--revoke", "999"), "ana has no token 999"),
                          (("users", "token", "ana", "--scope", "admin"),
                           "a token cannot have more rights than its owner (admin)")]:
        result = run(db, *args, code=2)
        assert message in result.output and "Traceback" not in result.output


def test_export_import_round_trip_cli(store, tmp_path: Path):
    db = store.url.removeprefix("sqlite:///")
    run(db, "users", "add", "boss", "--role", "admin", "--password-stdin", input=PW + "\n")
    backup = tmp_path / "all.json.gz"
    run(db, "export", "--all", str(backup))
    run(db, "export", str(backup), code=2)
    target = str(tmp_path / "restored.db")
    counts = json.loads(run(target, "import", str(backup), "--json").output)
    assert counts["users"] == 1 and counts["nodes"] > 600
    again = run(target, "import", str(backup), code=2)
    assert "already has content" in again.output
    run(target, "import", str(backup), "--replace")
    restored = open_store(target)
    with restored.transaction() as s:
        user = accounts.get_user(s, "boss")
        assert user.role == "admin" and user.password_hash is None  # secrets are not in backups
    restored.dispose()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert "not an sdgmap backup" in run(target, "import", str(bad), code=2).output

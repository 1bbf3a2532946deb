"""The command-line contract other tools rely on (JSON shapes), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sdgmap import __version__
from sdgmap.cli import cli


@pytest.fixture
def db(store) -> str:
    """The fixture store's URL (SQLite path or PostgreSQL URL) as passed to --db."""
    return store.url.removeprefix("sqlite:///")


def run_json(db: str, *args: str):
    result = CliRunner().invoke(cli, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_frameworks_show_contract(db):
    data = run_json(db, "frameworks", "show", "sdg", "--json")
    assert data["id"] == "sdg"
    node = next(n for n in data["nodes"] if n["code"] == "9.c")
    assert node["kind"] == "target" and node["parent"] == "9" and node["title"].startswith("Significantly increase")
    assert {"code", "kind", "title", "parent"} <= set(data["nodes"][0])


def test_links_contract(db):
    data = run_json(db, "links", "--node", "itu-sp-2020:D.2-2", "--json")
    assert {(d["to"]) for d in data} == {"sdg:4", "sdg:9", "sdg:11", "sdg:16", "sdg:17", "wsis:C5"}
    for d in data:
        assert {"from", "to", "relation", "kind", "source"} <= set(d)
        assert d["from"] == "itu-sp-2020:D.2-2" and d["kind"] == "stated"


def test_links_derived_have_paths(db):
    data = run_json(db, "links", "--node", "itu-sp-2020:D.2", "--derived", "--json")
    derived = [d for d in data if d["kind"] == "derived"]
    assert derived and all(len(d["path"]) == 3 for d in derived)
    assert {d["to"] for d in derived} >= {"sdg:9", "wsis:C5"}


def test_listings_take_json(db):
    fws = run_json(db, "frameworks", "list", "--json")
    assert {f["id"] for f in fws} == {"sdg", "wsis", "itu-sp-2020", "itu-sp-2024", "u4ssc"}
    hits = run_json(db, "frameworks", "search", "broadband", "--json")
    assert any(h["ref"] == "sdg:17.6.1" for h in hits)
    status = run_json(db, "db", "status", "--json")
    assert status["counts"]["nodes"] > 600 and status["revision"]


def test_export_formats(db):
    for fmt in ("csv", "json", "yaml"):
        result = CliRunner().invoke(cli, ["--db", db, "frameworks", "export", "wsis", "--format", fmt])
        assert result.exit_code == 0 and "C7.e-hea" in result.output


def test_unknown_things_are_one_line_errors(db):
    for args in (["frameworks", "show", "nope"], ["links", "--node", "sdg:99"], ["links", "--node", "9"]):
        result = CliRunner().invoke(cli, ["--db", db, *args])
        assert result.exit_code == 2
        assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_version_and_entry_point(tmp_path):
    out = subprocess.run([sys.executable, "-m", "sdgmap", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith(f"sdgmap {__version__}") and "classifier:" in out.stdout

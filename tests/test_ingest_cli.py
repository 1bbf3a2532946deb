"""``sdgmap ingest`` and ``sdgmap activities list``: JSON contract, summary, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sdgmap.cli import cli


@pytest.fixture
def db(store) -> str:
    return store.url.removeprefix("sqlite:///")


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_then_list(db, seed_paths):
    data = json.loads(run(db, "ingest", *map(str, seed_paths), "--entity", "ITU", "--json"))
    assert data["ingested"] == 5 and data["activities"]["event"] >= 26 and data["links"] > 500
    assert {"file", "status", "document_id", "year", "activities", "links", "mentions", "warnings"} <= set(
        data["files"][0])

    rows = json.loads(run(db, "activities", "list", "--type", "event", "--sdg", "9", "--year", "2023", "--json"))
    titles = [r["title"] for r in rows]
    assert "ITU Forums on metaverse" in titles and "SDG Digital" in titles
    assert "7th meeting of the United for Smart Sustainable Cities (U4SSC) Initiative" not in titles  # SDG 11 only
    for r in rows:
        assert {"id", "type", "title", "year", "dates", "location", "website", "sdgs", "primary_sdgs", "targets",
                "action_lines", "sources"} <= set(r)
        assert r["type"] == "event" and r["year"] == 2023 and 9 in r["sdgs"]
        assert all(isinstance(g, int) for g in r["sdgs"])
    wrc = next(r for r in rows if r["dates"]["text"] == "20/Nov – 15/Dec 2023")
    assert wrc["dates"]["start"] == "2023-11-20" and wrc["primary_sdgs"] == [9]
    assert wrc["location"] == "Dubai, UAE" and wrc["website"] == "https://www.itu.int/wrc-23/"

    table = run(db, "ingest", *map(str, seed_paths))
    assert "5 file(s) already in the register" in table
    assert "activities" in run(db, "activities", "list", "--type", "outcome")


def test_bad_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.5 broken")
    proc = subprocess.run([sys.executable, "-m", "sdgmap", "--db", str(tmp_path / "x.db"), "ingest", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "broken.pdf" in lines[0] and "corrupt" in lines[0]
    assert "Traceback" not in proc.stderr


def test_max_size_option(tmp_path, seed_paths):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "ingest", str(seed_paths[0]),
                                      "--max-size-mb", "0.01"])
    assert result.exit_code == 2
    assert "file too large" in result.output

"""Whole-database backups: ``export_all`` writes every table as JSON; ``import_all`` restores it.

Secrets stay out: login sessions, API tokens, one-time links and rate-limit counters are
not exported, and password hashes are blanked, so restored accounts sign in again through
an admin-issued reset link. The restore runs in one transaction: a bad file changes nothing.

An export is written to a hidden ``.FILE.PID-RANDOM.partial`` next to FILE and renamed when
complete. An error or interruption removes it; only a process that is killed outright
(SIGKILL, power cut) can leave one behind, and the next export to FILE removes partial files
whose process is gone.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Date, DateTime, Table, delete, func, select, text
from sqlalchemy.orm import Session

import sdgmap.store.platform_models  # noqa: F401  (register the platform tables in the metadata)
from sdgmap import __version__
from sdgmap.errors import UserError
from sdgmap.store import Store, audit
from sdgmap.store.models import Activity, Base, Document, Framework
from sdgmap.store.platform_models import Submission, User

FORMAT = "sdgmap-backup"
SECRET_TABLES = {"web_sessions", "api_tokens", "one_time_links", "rate_events"}
BLANKED = {("users", "password_hash")}
BATCH = 1000
_PARTIAL = re.compile(r"(\d+)-[0-9a-f]+\.partial")  # after ".FILE.": PID-RANDOM


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in SECRET_TABLES]


def _open(path: Path, mode: str, gz: bool | None = None) -> IO:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def _cell(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table) -> Iterator[list]:
    cols = list(table.columns)
    order = [c for c in table.primary_key.columns] or cols[:1]
    for row in session.execute(select(*cols).order_by(*order)).yield_per(BATCH):
        yield [None if (table.name, c.name) in BLANKED else _cell(v)
               for c, v in zip(cols, row, strict=True)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def stale_partials(path: Path) -> list[Path]:
    """Partial files of earlier exports to ``path`` whose process no longer runs."""
    prefix = f".{path.name}."
    found = []
    for p in path.parent.glob("*.partial"):
        m = _PARTIAL.fullmatch(p.name[len(prefix):]) if p.name.startswith(prefix) else None
        if m and int(m.group(1)) > 0 and not _alive(int(m.group(1))):
            found.append(p)
    legacy = path.with_name(path.name + ".partial")  # the fixed name used by earlier versions
    return found + ([legacy] if legacy.exists() else [])


def export_all(store: Store, path: str | Path) -> dict[str, int]:
    """Write the database to ``path`` (``.gz`` compresses); returns rows per table."""
    path = Path(path)
    counts: dict[str, int] = {}
    for old in stale_partials(path):
        old.unlink(missing_ok=True)
    # A name of its own (two exports to one file do not mix), removed on any error.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:
        counts = _write(store, tmp, gz=path.suffix == ".gz")
        tmp.replace(path)  # a crash mid-export never leaves a truncated file under the real name
    except BaseException:  # KeyboardInterrupt and SystemExit (SIGTERM in the CLI) too
        tmp.unlink(missing_ok=True)
        raise
    return counts


def _write(store: Store, tmp: Path, gz: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.transaction() as s, _open(tmp, "w", gz=gz) as f:
        if s.get_bind().dialect.name == "postgresql":
            # One snapshot for every table, so a vote or link written while the export runs
            # is either in the file with the rows it refers to, or not at all. (A SQLite
            # read transaction already sees one snapshot.)
            s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        head = {"format": FORMAT, "version": 1, "sdgmap": __version__,
                "schema": store.current_revision(), "created_at": datetime.now(UTC).isoformat(),
                "excluded": sorted(SECRET_TABLES) + ["users.password_hash"]}
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "tables": {')
        for i, table in enumerate(_tables()):
            f.write(("," if i else "") + f'\n{json.dumps(table.name)}: {{"columns": '
                    + json.dumps([c.name for c in table.columns]) + ', "rows": [')
            n = 0
            for row in _rows(s, table):
                f.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str))
                n += 1
            f.write("]}")
            counts[table.name] = n
        f.write("\n}}\n")
    return counts


def _parse(path: Path) -> dict:
    try:
        with _open(path, "r") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError, OSError, EOFError) as exc:
        raise UserError(f"{path}: not a readable sdgmap backup ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise UserError(f"{path}: not an sdgmap backup (format field missing)")
    return data


def _converter(col):
    if isinstance(col.type, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(col.type, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def _default(col):
    d = col.default
    if d is None or not getattr(d, "is_scalar", False) and not getattr(d, "is_callable", False):
        return None
    return d.arg if d.is_scalar else d.arg(None)


def _ordered(table: Table, rows: list[dict]) -> list[dict]:
    """Parents before children for a table that refers to itself (nodes.parent_id)."""
    self_fk = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not self_fk:
        return rows
    col = self_fk[0]
    done: set = set()
    out: list[dict] = []
    pending = rows
    while pending:
        nxt = [r for r in pending if r.get(col) is not None and r[col] not in done]
        ready = [r for r in pending if r.get(col) is None or r[col] in done]
        if not ready:
            raise UserError(f"backup: table {table.name} has a {col} cycle or a missing parent")
        out += ready
        done |= {r["id"] for r in ready}
        pending = nxt
    return out


def _has_content(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Activity))
                or session.scalar(select(func.count()).select_from(Document))
                or session.scalar(select(func.count()).select_from(User))
                or session.scalar(select(func.count()).select_from(Submission))
                or session.scalar(select(func.count()).select_from(Framework)
                                  .where(Framework.builtin.is_(False))))


def import_all(store: Store, path: str | Path, *, replace: bool = False,
               actor: str | None = None) -> dict[str, int]:
    """Restore a backup into this database, replacing its content, in one transaction; the
    restored audit trail gets one more event saying who restored what."""
    path = Path(path)
    data = _parse(path)
    tables = {t.name: t for t in _tables()}
    unknown = sorted(set(data["tables"]) - set(tables))
    if unknown:
        raise UserError(f"{path}: tables this version does not know: {', '.join(unknown)} "
                        f"(backup schema {data.get('schema')}, database {store.current_revision()})")
    counts: dict[str, int] = {}
    with store.transaction(write=True) as s:
        if _has_content(s) and not replace:
            raise UserError("the database already has content; import into a new database or pass --replace")
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))
        for name, table in tables.items():
            block = data["tables"].get(name)
            if block is None:
                continue
            cols = block.get("columns")
            if not isinstance(cols, list) or not isinstance(block.get("rows"), list):
                raise UserError(f"{path}: table {name}: columns and rows must be lists")
            bad = [c for c in cols if c not in table.columns]
            if bad:
                raise UserError(f"{path}: table {name}: unknown columns {', '.join(map(str, bad))}")
            conv = {c: _converter(table.columns[c]) for c in cols}
            missing = {c.name: _default(c) for c in table.columns if c.name not in cols}
            rows = []
            for i, raw in enumerate(block["rows"]):
                if not isinstance(raw, list) or len(raw) != len(cols):
                    raise UserError(f"{path}: table {name}, row {i + 1}: expected {len(cols)} values")
                try:
                    rows.append(missing | {c: conv[c](v) for c, v in zip(cols, raw, strict=True)})
                except (TypeError, ValueError) as exc:
                    raise UserError(f"{path}: table {name}, row {i + 1}: {exc}") from None
            rows = _ordered(table, rows)
            for start in range(0, len(rows), BATCH):
                s.execute(table.insert(), rows[start:start + BATCH])
            counts[name] = len(rows)
        if store.dialect == "postgresql":
            _reset_sequences(s, tables.values())
        audit.record_operation(s, actor, "database", "import_backup",
                               {"file": path.name, "replace": replace, "rows": dict(counts)})
    return counts


def _reset_sequences(session: Session, tables) -> None:
    # Explicit ids were inserted; move each serial sequence past them.
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement and str(pk[0].type) == "INTEGER":
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))

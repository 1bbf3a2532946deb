"""Bad files: one line naming the file and the reason, and the database unchanged."""

from __future__ import annotations

import io
import shutil

import pytest
from sqlalchemy import func, select

from sdgmap.errors import UserError
from sdgmap.ingest import ingest_bytes, ingest_paths
from sdgmap.ingest.errors import (
    BinaryFileError,
    CorruptFileError,
    EmptyFileError,
    EncodingError,
    EncryptedPDFError,
    FileTooLargeError,
    NoTextError,
    UnsupportedFormatError,
)
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Mention


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


BAD_FILES = [
    ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf body\n%%EOF", CorruptFileError),
    ("fake.pdf", b"Event Name: not really a PDF", CorruptFileError),
    ("locked.pdf", _encrypted_pdf(), EncryptedPDFError),
    ("scan.pdf", _blank_pdf(), NoTextError),
    ("empty.txt", b"", EmptyFileError),
    ("blank.md", b"  \n\n\t \n", EmptyFileError),
    ("image.txt", bytes(range(256)) * 20, BinaryFileError),
    ("latin1.txt", "Event Name: Réunion à Genève\nRelevant SDGs: SDG 9\n".encode("latin-1"), EncodingError),
    ("broken.docx", b"PK\x03\x04 this zip is truncated", CorruptFileError),
    ("table.xlsx", b"PK\x03\x04 spreadsheet", UnsupportedFormatError),
]


def _counts(store) -> tuple[int, ...]:
    with store.transaction() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (Document, Activity, ActivitySource, ActivityLink, Mention))


def test_bad_files_are_refused_with_one_line(store, tmp_path):
    # One store for all cases: creating a PostgreSQL database per case would dominate the run.
    before = _counts(store)
    for name, data, error in BAD_FILES:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(error) as exc:
            ingest_paths(store, [path])
        message = str(exc.value)
        assert isinstance(exc.value, UserError)
        assert "\n" not in message and message.startswith(f"{path}: "), message
        with pytest.raises(error):
            ingest_bytes(store, name, data)
        assert _counts(store) == before, name


def test_oversized_file_uses_the_configured_limit(store, tmp_path, seed_paths):
    before = _counts(store)
    big = tmp_path / "big.txt"
    shutil.copy(seed_paths[0], big)
    with pytest.raises(FileTooLargeError, match=r"big\.txt: file too large \(77\.1 KB, the limit is 9\.8 KB\)$"):
        ingest_paths(store, [big], max_bytes=10_000)
    with pytest.raises(FileTooLargeError):
        ingest_bytes(store, "big.txt", big.read_bytes(), max_bytes=10_000)
    assert _counts(store) == before


def test_one_bad_file_in_a_batch_writes_nothing(store, tmp_path, seed_paths):
    bad = tmp_path / "zz_corrupt.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    before = _counts(store)
    with pytest.raises(CorruptFileError, match="zz_corrupt.pdf"):
        ingest_paths(store, [*seed_paths, bad], entity="ITU")
    assert _counts(store) == before


def test_missing_file_and_folder(sqlite_store, tmp_path):
    store = sqlite_store  # refused before any database work: one backend is enough
    with pytest.raises(UserError, match="nope.txt"):
        ingest_paths(store, [tmp_path / "nope.txt"])
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    (empty / "notes.xlsx").write_bytes(b"x")
    with pytest.raises(UserError, match="folder without"):
        ingest_paths(store, [empty])


def test_folder_means_its_documents(sqlite_store, tmp_path, seed_paths):
    folder = tmp_path / "reports"
    (folder / "2023").mkdir(parents=True)
    shutil.copy(seed_paths[3], folder / "2023" / "itu.txt")
    shutil.copy(seed_paths[4], folder / "annual.txt")
    (folder / "ignore.xlsx").write_bytes(b"PK\x03\x04")
    (folder / ".hidden.txt").write_text("Event Name: hidden", encoding="utf-8")
    report = ingest_paths(sqlite_store, [folder])
    assert [f.filename for f in report.files] == ["itu.txt", "annual.txt"]


def test_utf16_with_bom_is_read(store):
    data = "Event Name: Week\nRelevant SDGs: SDG 4\nYear of submission: 2021\n".encode("utf-16")
    report = ingest_bytes(store, "utf16.txt", data)
    assert report.activities["event"] == 1


def test_upload_name_is_reduced_to_its_base_name(sqlite_store):
    data = b"Event Name: Week\nRelevant SDGs: SDG 4\nYear of submission: 2021\n"
    report = ingest_bytes(sqlite_store, "..\\..\\secret\\../../etc/report.txt", data)
    assert report.files[0].filename == "report.txt"
    with pytest.raises(EmptyFileError, match="^upload.txt: "):
        ingest_bytes(sqlite_store, "../", b"")


def test_bad_year_or_entity(sqlite_store):
    data = b"Event Name: Week\nRelevant SDGs: SDG 4\n"
    with pytest.raises(UserError, match="not a report year"):
        ingest_bytes(sqlite_store, "a.txt", data, year=20233)
    with pytest.raises(UserError, match="too long"):
        ingest_bytes(sqlite_store, "a.txt", data, entity="X" * 101)
    assert _counts(sqlite_store)[0] == 0


def test_nul_and_lone_surrogates_are_cleaned():
    """What a broken PDF text layer can contain; PostgreSQL and UTF-8 refuse both."""
    from sdgmap.ingest.readers import normalise

    assert normalise("a\x00b\r\nc\ud83d") == "ab\nc?"

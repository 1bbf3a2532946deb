"""Hostile and huge .docx files, built in a second or two: a small package whose
``document.xml`` holds megabytes of tiny paragraphs, a zip bomb, and one whose zip headers
lie about the inflated size. The XML is streamed into the zip from repeated bytes, so the
inflated size never sits in memory. Used by tests/test_upload_limits.py and
benchmarks/upload_dos.py."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator

import docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body>').encode()
TAIL = b"<w:sectPr/></w:body></w:document>"
TINY = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"


def _template() -> dict[str, bytes]:
    """The parts of python-docx's default document (styles with numbered lists, numbering)."""
    doc = docx.Document()
    doc.add_paragraph("Item", style="List Number")
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _repeat(unit: bytes, size: int, chunk: int = 4 * 1024 * 1024) -> Iterator[bytes]:
    block = unit * max(1, chunk // len(unit))
    for _ in range(size // len(block)):
        yield block
    yield unit * ((size % len(block)) // len(unit) + 1)


def package(body: Iterator[bytes], level: int = 1) -> bytes:
    """A .docx with the default parts and ``body`` (chunks) between the body's tags."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in _template().items():
            if name == "word/document.xml":
                with zf.open(name, "w") as part:
                    part.write(HEAD)
                    for chunk in body:
                        part.write(chunk)
                    part.write(TAIL)
            else:
                zf.writestr(name, data)
    return out.getvalue()


def paragraphs_docx(xml_bytes: int) -> bytes:
    """``document.xml`` of about ``xml_bytes`` bytes of one-letter paragraphs."""
    return package(_repeat(TINY, xml_bytes))


def numbered_docx(xml_bytes: int) -> bytes:
    """About ``xml_bytes`` of XML, every paragraph an item of Word's numbered list style (the
    number comes from the style, as when a user clicks the list button)."""
    item = b'<w:p><w:pPr><w:pStyle w:val="ListNumber"/></w:pPr><w:r><w:t>Item</w:t></w:r></w:p>'
    return package(_repeat(item, xml_bytes))


def bomb_docx(inflated: int) -> bytes:
    """A zip bomb: ``document.xml`` inflates to ``inflated`` bytes (spaces inside the body)."""
    return package(_repeat(b" " * 1024, inflated), level=9)


def lying_docx(package_bytes: bytes, declared: int = 1024 * 1024) -> bytes:
    """``package_bytes`` (e.g. a zip bomb) with zip headers that declare ``document.xml`` at
    ``declared`` bytes, whatever it inflates to."""
    data = bytearray(package_bytes)
    eocd = data.rfind(b"PK\x05\x06")
    count, _, cd = struct.unpack_from("<HII", data, eocd + 10)
    for _ in range(count):  # central directory entries: patch the document's inflated size
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, cd + 28)
        if data[cd + 46:cd + 46 + name_len] == b"word/document.xml":
            struct.pack_into("<I", data, cd + 24, declared)
            local = struct.unpack_from("<I", data, cd + 42)[0]
            struct.pack_into("<I", data, local + 22, declared)
        cd += 46 + name_len + extra_len + comment_len
    return bytes(data)

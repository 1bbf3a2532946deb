"""Why a file cannot be ingested: one line naming the file and the reason, nothing written."""

from __future__ import annotations

from sdgmap.errors import UserError


class IngestError(UserError):
    """A file that cannot be read; ``str()`` is ``"<file>: <reason>"``."""

    reason = "cannot be read"

    def __init__(self, filename: str, detail: str = "") -> None:
        self.filename = filename
        self.detail = detail
        text = self.reason + (f" ({detail})" if detail else "")
        super().__init__(f"{filename}: {text}")


class EmptyFileError(IngestError):
    reason = "empty file: there is no text to ingest"


class FileTooLargeError(IngestError):
    reason = "file too large"


class BinaryFileError(IngestError):
    reason = "binary data, not a text document"


class EncodingError(IngestError):
    reason = "not valid UTF-8 text; save it as UTF-8 and try again"


class CorruptFileError(IngestError):
    reason = "corrupt or unreadable file"


class EncryptedPDFError(IngestError):
    reason = "encrypted PDF: remove the password and try again"


class UnsupportedFormatError(IngestError):
    reason = "unsupported file type (use .txt, .md, .docx, .pdf or .html)"


class NoTextError(IngestError):
    reason = "no extractable text (a scanned PDF needs OCR first)"


class ParseTimeoutError(FileTooLargeError):
    """Reading ran past the time budget (a separate process, killed); ``detail`` is the budget."""

    def __init__(self, filename: str, detail: str = "") -> None:
        self.filename = filename
        self.detail = detail
        UserError.__init__(self, f"{filename}: took longer than {detail or 'the time allowed'} to read; "
                                 "nothing was stored (split the document into smaller files)")


class ParseMemoryError(FileTooLargeError):
    """Reading needed more memory than its budget; ``detail`` is the budget."""

    def __init__(self, filename: str, detail: str = "") -> None:
        self.filename = filename
        self.detail = detail
        UserError.__init__(self, f"{filename}: needs more than {detail or 'the memory allowed'} of memory to "
                                 "read; nothing was stored (split the document into smaller files)")

"""PDF: LibreOffice (headless, Debian ``libreoffice-writer-nogui``) converts the DOCX.

Why this route: the DOCX is the document people edit and submit, so the PDF is made from
exactly that file and looks like it (same styles, same reference DOCX). LibreOffice is
maintained, packaged by Debian and runs offline. Its cost is the install size, paid once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sdgmap.errors import UserError

CANDIDATES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    env = os.environ.get("SDGMAP_SOFFICE")
    if env:
        return env if shutil.which(env) else None
    for name in CANDIDATES:
        if found := shutil.which(name):
            return found
    return None


def docx_to_pdf(docx_path: Path, pdf_path: Path, timeout: int = 180) -> Path:
    soffice = find_soffice()
    if soffice is None:
        raise UserError("PDF output needs LibreOffice: apt-get install libreoffice-writer-nogui "
                        "(or set SDGMAP_SOFFICE to the soffice program); DOCX, HTML and Markdown "
                        "work without it")
    with tempfile.TemporaryDirectory(prefix="sdgmap-pdf-") as tmp:
        # A private profile: a user's running LibreOffice or a broken profile cannot block us.
        profile = Path(tmp, "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", tmp, str(docx_path)]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise UserError(f"LibreOffice took over {timeout} s converting {docx_path.name}") from exc
        produced = Path(tmp, docx_path.with_suffix(".pdf").name)
        if run.returncode != 0 or not produced.exists():
            raise UserError(f"LibreOffice could not convert {docx_path.name}: "
                            f"{(run.stderr or run.stdout).strip()[:300]}")
        shutil.move(str(produced), pdf_path)
    return Path(pdf_path)

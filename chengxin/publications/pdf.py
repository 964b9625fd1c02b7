"""The PDF of a drafted document: the .docx itself printed by LibreOffice (`soffice --headless --convert-to pdf`).

Why LibreOffice and not a second, pure-Python rendering. The summary and the case book are Word documents with
styles, tables, charts and photos; printing that very file gives the PDF the same pages a reader of the .docx sees,
and a second renderer (reportlab, as the national table's print sheet uses: `workbooks/printpdf.py`) would have to
lay out every part twice and drift from the Word file. The price: LibreOffice Writer must be installed on the
machine that runs the task worker (`apt-get install libreoffice-writer`, README "Production"). Where it is not,
`available()` is False, the document is offered as .docx only and the page says why; nothing fails.

Each conversion runs in a private LibreOffice profile in a temporary folder: two workers converting at once do
not meet in a shared profile (which LibreOffice locks), and nothing is left behind.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 300  # a case book of a few hundred photos prints in well under a minute


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed, or it could not print the document (the message says which)."""


def soffice() -> str | None:
    """The LibreOffice program: settings.CHENGXIN_SOFFICE if set (empty: never convert), else soffice on PATH."""
    configured = getattr(settings, "CHENGXIN_SOFFICE", None)
    if configured is not None:
        return configured or None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def docx_to_pdf(data: bytes, *, name: str = "document") -> bytes:
    """The PDF of the .docx `data`, printed by LibreOffice. Raises PdfUnavailable without LibreOffice or when it
    fails (its own words in the message)."""
    program = soffice()
    if program is None:
        raise PdfUnavailable("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="chengxin-pdf-") as folder:
        root = Path(folder)
        source = root / f"{name}.docx"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(root),
            str(source),
        ]
        try:
            # the program is the administrator's (settings or PATH); the arguments are our own temporary paths
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"LibreOffice did not print the document: {exc}") from exc
        target = root / f"{name}.pdf"
        if done.returncode != 0 or not target.exists():
            words = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-500:]
            raise PdfUnavailable(f"LibreOffice did not print the document (exit {done.returncode}): {words}")
        return target.read_bytes()

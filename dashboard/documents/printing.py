"""HTML to PDF and PNG with the system Chromium: one short-lived process per file, each with its own
throwaway profile, so two can run at once (and beside kaleido's browser)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from dashboard.documents.formats import ExportUnavailable, browser

TIMEOUT = 90
# what any headless Chromium run here needs: no sandbox (it runs as the server's user, often root in a
# container), no GPU, and none of its calls home (the machine's network is closed: refused connections)
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FLAGS = [
    *HEADLESS,
    "--no-pdf-header-footer",
    "--hide-scrollbars",
    "--disable-extensions",
    "--mute-audio",
    "--disable-dev-shm-usage",
    "--virtual-time-budget=10000",
]  # plotly.js has drawn the charts before the page is taken
MAX_HEIGHT = 40000  # CSS px: the tallest PNG window tried
END = (255, 0, 254)  # document.css .end


def _start(folder: Path, name: str, args: list[str]) -> subprocess.Popen:
    binary = browser()
    if not binary:
        raise ExportUnavailable("documents need Chromium (apt-get install chromium)")
    return subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={folder / ('profile-' + name)}", *args, (folder / "doc.html").as_uri()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _finish(proc: subprocess.Popen, out: Path) -> bytes:
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group this process started (its renderer children)
        proc.communicate()
        raise ExportUnavailable(f"Chromium took more than {TIMEOUT} s to print the document") from None
    if not out.exists() or not out.stat().st_size:
        raise ExportUnavailable(
            f"Chromium wrote no file (exit {proc.returncode}): {err.decode(errors='replace')[-500:]}"
        )
    return out.read_bytes()


def _trimmed(png: bytes) -> bytes | None:
    """The screenshot cut above the document's end mark (document.css .end); None when the mark is
    not in it: the window was shorter than the document."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    rows = np.flatnonzero((np.asarray(image) == END).all(axis=2).mean(axis=1) > 0.5)
    if not len(rows):
        return None
    out = io.BytesIO()
    image.crop((0, 0, image.width, max(1, int(rows[0]) - 2))).save(out, format="PNG")  # less a blended row
    return out.getvalue()


def documents(
    html: str, pdf: bool = True, png_width: int | None = None, png_height: int = 3000, scale: float = 1.5
) -> dict[str, bytes]:
    """{"pdf": the printed document, "png": one screenshot png_width CSS px wide}, built side by side.
    The PNG window starts png_height tall and doubles until the document's end is in it."""
    with tempfile.TemporaryDirectory(prefix="iop-doc-") as tmp:
        folder, out, running = Path(tmp), {}, []
        (folder / "doc.html").write_text(html, encoding="utf-8")
        try:
            if pdf:
                running.append(_start(folder, "pdf", [f"--print-to-pdf={folder / 'out.pdf'}"]))
            height = png_height
            while png_width and "png" not in out:
                shot = folder / f"out-{height}.png"
                running.append(
                    _start(
                        folder,
                        f"png-{height}",
                        [
                            f"--screenshot={shot}",
                            f"--force-device-scale-factor={scale}",
                            f"--window-size={png_width},{height}",
                        ],
                    )
                )
                png = _trimmed(_finish(running[-1], shot))
                if png is None and height >= MAX_HEIGHT:
                    raise ExportUnavailable(f"the document is taller than {MAX_HEIGHT} px: no PNG")
                if png is not None:
                    out["png"] = png
                height = min(2 * height, MAX_HEIGHT)
            if pdf:
                out["pdf"] = _finish(running[0], folder / "out.pdf")
        finally:
            for proc in running:  # after an error: no browser left writing into the folder
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        return out

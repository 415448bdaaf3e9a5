"""Finding export files and deciding whether each is usable, before anything is written."""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

EXPORT_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".json"}
DELIMITERS = [",", ";", "\t", "|"]


class FileProblem(Exception):
    """A file that cannot be used at all. The message is one line and names the file."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        super().__init__(f"{self.path.name}: {problem}")


@dataclass
class ExportFile:
    path: Path
    size: int
    sha256: str
    format: str  # "csv", "xlsx" or "fhir"
    encoding: str | None = (
        None  # csv only: as found ("utf-8", "latin-1", "utf-16" …); DuckDB reads `source` as UTF-8 or Latin-1
    )
    delimiter: str | None = None
    header: list[str] | None = None  # csv header, as written
    blank_lines: tuple[int, ...] = ()  # physical line numbers of blank lines (csv)
    document: dict | None = None  # fhir: the parsed JSON
    source: Path | None = None  # the file DuckDB reads: the export, or its UTF-8 copy (UTF-16/32)

    @property
    def describe(self) -> str:
        if self.format in ("xlsx", "fhir"):
            return self.format if self.format == "xlsx" else "fhir json"
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}[self.delimiter]
        return f"csv {self.encoding} {shown}-separated"

    @property
    def read_encoding(self) -> str:
        return "latin-1" if self.encoding == "latin-1" else "utf-8"

    def close(self) -> None:
        """Removes the private UTF-8 copy, if one was made."""
        if self.source is not None and self.source != self.path:
            self.source.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.source.parent.rmdir()


def discover(paths: list[str]) -> list[Path]:
    """Files named directly, and export files inside named folders (sorted, not recursive into hidden)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in EXPORT_SUFFIXES
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            found.append(p)
    return found


CHUNK = 8 << 20
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8"),
]
BLANK = re.compile(r"\n[ \t\r]*(?=\n)")


def open_export(path: Path) -> ExportFile:
    """Recognises the format from the first bytes and reads the file once, in chunks, for its
    fingerprint (and, for text, its encoding and blank lines): memory stays flat whatever the size."""
    if not path.exists():
        raise FileProblem(path, "file not found")
    if path.is_dir():
        raise FileProblem(path, "is a folder with no export files in it")
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError as e:
        raise FileProblem(path, f"cannot be read ({e.strerror})") from None
    if not head.strip():
        raise FileProblem(path, "the file is empty")
    if head[:4] == b"PK\x03\x04":
        return ExportFile(path, size, _sha256(path), "xlsx", source=path)
    if path.suffix.lower() == ".xlsx":
        raise FileProblem(path, "is named .xlsx but is not an Excel workbook")
    encoding = next((name for bom, name in BOMS if head.startswith(bom)), None)
    if encoding in (None, "utf-8") and (
        path.suffix.lower() == ".json" or head.lstrip(codecs.BOM_UTF8).lstrip()[:1] == b"{"
    ):
        return _fhir(path, size)
    if encoding is None and b"\x00" in head:
        raise FileProblem(path, "looks like a binary file, not a CSV or XLSX export")
    return _text_export(path, size, encoding)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _text_export(path: Path, size: int, bom: str | None) -> ExportFile:
    """A CSV in UTF-8 (with or without BOM), UTF-16/32 with a BOM (copied to a private UTF-8 file
    for DuckDB), else Latin-1."""
    for encoding in [bom] if bom else ["utf-8", "latin-1"]:
        try:
            return _scan_text(path, size, encoding)
        except UnicodeDecodeError:
            if bom:
                raise FileProblem(
                    path, f"starts with a {bom.upper()} byte-order mark but is not valid {bom.upper()} text"
                ) from None
    raise AssertionError("Latin-1 decodes every byte")


def _scan_text(path: Path, size: int, encoding: str) -> ExportFile:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8-sig" if encoding == "utf-8" else encoding)()
    copy = _private_copy(path) if encoding.startswith("utf-") and encoding != "utf-8" else None
    header_line, blanks, before, carry = None, [], 0, ""  # before: line breaks ahead of `carry`
    try:
        with (
            path.open("rb") as f,
            copy.open("w", encoding="utf-8", newline="") if copy else contextlib.nullcontext() as out,
        ):
            while True:
                chunk = f.read(CHUNK)
                digest.update(chunk)
                new = decoder.decode(chunk, final=not chunk)
                if out is not None:
                    out.write(new)
                text = carry + new
                if header_line is None and ("\n" in text or not chunk):
                    header_line = text.split("\n", 1)[0].rstrip("\r")
                # up to the last line break; a blank line found there may continue in the next chunk
                limit = text.rfind("\n") if chunk else len(text)
                if limit > 0:
                    pos = 0
                    for m in BLANK.finditer(text, 0, limit + 1):  # one count per blank line, not per row
                        before += text.count("\n", pos, m.start() + 1)
                        pos = m.start() + 1
                        blanks.append(before + 1)
                    before += text.count("\n", pos, limit)
                    carry = text[limit:]
                else:
                    carry = text
                if not chunk:
                    break
    except BaseException:
        if copy is not None:
            copy.unlink(missing_ok=True)
        raise
    if not header_line or not header_line.strip():
        raise FileProblem(path, "line 1 is blank; the header must be the first line")
    delimiter = max(DELIMITERS, key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    header = next(csv.reader(io.StringIO(header_line), delimiter=delimiter))
    return ExportFile(
        path,
        size,
        digest.hexdigest(),
        "csv",
        encoding,
        delimiter,
        [h.strip() for h in header],
        tuple(blanks),
        source=copy or path,
    )


def _private_copy(path: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="iop-utf8-"))  # 0700: the copy holds the export's data
    return folder / (path.stem + ".utf8.csv")


def _fhir(path: Path, size: int) -> ExportFile:
    import json

    from clinical.settings import load_settings

    limit = load_settings()["loader"]["fhir_max_mb"]
    if size > limit * 1e6:
        raise FileProblem(
            path,
            f"is {size / 1e6:,.0f} MB of JSON, above the loader's limit of {limit:,} MB for FHIR "
            "(settings [loader] fhir_max_mb); split the bundle",
        )
    try:
        data = path.read_bytes()
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FileProblem(
            path,
            f"is not valid JSON ({getattr(e, 'msg', 'not UTF-8')}"
            f"{f' at line {e.lineno}' if hasattr(e, 'lineno') else ''})",
        ) from None
    except RecursionError:
        raise FileProblem(path, "is JSON nested too deeply to be a FHIR export") from None
    if not isinstance(document, dict) or "resourceType" not in document:
        raise FileProblem(path, "is JSON but not a FHIR resource or Bundle (no resourceType)")
    return ExportFile(path, size, hashlib.sha256(data).hexdigest(), "fhir", document=document, source=path)

"""Finding export files and deciding whether each is usable, before anything is written."""
from __future__ import annotations

import csv
import hashlib
import io
import re
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
    data: bytes
    sha256: str
    format: str                 # "csv", "xlsx" or "fhir"
    encoding: str | None = None  # csv only: "utf-8" or "latin-1"
    delimiter: str | None = None
    header: list[str] | None = None  # csv header, as written
    blank_lines: tuple[int, ...] = ()  # physical line numbers of blank lines (csv)
    document: dict | None = None       # fhir: the parsed JSON

    @property
    def describe(self) -> str:
        if self.format in ("xlsx", "fhir"):
            return self.format if self.format == "xlsx" else "fhir json"
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}[self.delimiter]
        return f"csv {self.encoding} {shown}-separated"


def discover(paths: list[str]) -> list[Path]:
    """Files named directly, and export files inside named folders (sorted, not recursive into hidden)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in EXPORT_SUFFIXES
                                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            found.append(p)
    return found


def open_export(path: Path) -> ExportFile:
    if not path.exists():
        raise FileProblem(path, "file not found")
    if path.is_dir():
        raise FileProblem(path, "is a folder with no export files in it")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FileProblem(path, f"cannot be read ({e.strerror})") from None
    if not data.strip():
        raise FileProblem(path, "the file is empty")
    sha = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04":
        return ExportFile(path, data, sha, "xlsx")
    if path.suffix.lower() == ".xlsx":
        raise FileProblem(path, "is named .xlsx but is not an Excel workbook")
    if path.suffix.lower() == ".json" or data.lstrip()[:1] == b"{":
        return _fhir(path, data, sha)
    if b"\x00" in data[:65536]:
        raise FileProblem(path, "looks like a binary file, not a CSV or XLSX export")
    return _sniff_csv(path, data, sha)


def _sniff_csv(path: Path, data: bytes, sha: str) -> ExportFile:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        body.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"  # every byte is a Latin-1 character, so this never fails
    end = body.find(b"\n")
    header_line = body[: end if end >= 0 else len(body)].decode(encoding).rstrip("\r")
    if not header_line.strip():
        raise FileProblem(path, "line 1 is blank; the header must be the first line")
    delimiter = max(DELIMITERS, key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    header = next(csv.reader(io.StringIO(header_line), delimiter=delimiter))
    return ExportFile(path, data, sha, "csv", encoding, delimiter, [h.strip() for h in header],
                      _blank_lines(body))


def _blank_lines(body: bytes) -> tuple[int, ...]:
    """Line numbers of blank lines: DuckDB skips them, and row numbers must still match the file."""
    blanks = [m.start() for m in re.finditer(rb"\n[ \t\r]*(?=\n)", body)]
    if not blanks:
        return ()
    numbers, line, pos = [], 1, 0
    for start in blanks:  # one step per blank line, not per row
        line += body.count(b"\n", pos, start + 1)
        pos = start + 1
        numbers.append(line)
    return tuple(numbers)


def _fhir(path: Path, data: bytes, sha: str) -> ExportFile:
    import json
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FileProblem(path, f"is not valid JSON ({getattr(e, 'msg', 'not UTF-8')}"
                                f"{f' at line {e.lineno}' if hasattr(e, 'lineno') else ''})") from None
    if not isinstance(document, dict) or "resourceType" not in document:
        raise FileProblem(path, "is JSON but not a FHIR resource or Bundle (no resourceType)")
    return ExportFile(path, data, sha, "fhir", document=document)

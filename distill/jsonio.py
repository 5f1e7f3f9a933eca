"""Atomic file writes, file digests and the one JSONL reader and appender, shared by every stage that writes or
reads files.

A JSONL file whose name ends in .gz is gzip-compressed, written a gzip member per append: a reader (also
`gzip`, `datasets`' JSON loader) sees one stream, and an interrupted append leaves at most one torn member
at the end, which readers treat as a plain file's torn last line.
"""

import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from distill.errors import DistillError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def file_sha256(path: Path) -> str:
    """The file's sha256, read in chunks: a model package is gigabytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            digest.update(chunk)
    return digest.hexdigest()


def dumps_jsonl(records: Iterable[dict]) -> str:
    # sort_keys and fixed separators make the bytes depend only on the data (determinism tests).
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    atomic_write_text(path, dumps_jsonl(records))


GZIP_MAGIC = b"\x1f\x8b\x08"  # a gzip member's first bytes: its magic number and deflate


def is_gzip(path: Path) -> bool:
    return Path(path).name.endswith(".gz")


def append_jsonl(path: Path, records: list[dict]) -> None:
    """Append records and make them durable (fsync): they survive a crash right after."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    if not text:
        return
    with open(path, "ab") as f:
        f.write(gzip.compress(text, mtime=0) if is_gzip(path) else text)
        f.flush()
        os.fsync(f.fileno())


def _complete_and_torn(path: Path) -> tuple[bytes, bytes]:
    """A JSONL file's text up to its last complete line (plain) or gzip member (.gz), and the raw bytes after."""
    raw = Path(path).read_bytes()
    if not is_gzip(path):
        end = raw.rfind(b"\n") + 1
        return raw[:end], raw[end:]
    parts, at = [], 0
    while at < len(raw):
        member = zlib.decompressobj(wbits=31)  # 31: a gzip member, header and trailer
        try:
            text = member.decompress(raw[at:])
        except zlib.error:
            break
        if not member.eof:
            break
        parts.append(text)
        at = len(raw) - len(member.unused_data)
    if _complete_member_after(raw, at):  # a writer interrupted mid-member leaves nothing whole after it
        raise DistillError(f"{path}: the gzip member at byte {at} is damaged and complete ones follow it, so this "
                           "is not an interrupted write: inspect the file (nothing was changed)")
    return b"".join(parts), raw[at:]


def _complete_member_after(raw: bytes, at: int) -> bool:
    """Whether a whole gzip member starts anywhere after byte `at`."""
    start = raw.find(GZIP_MAGIC, at + 1)
    while start != -1:
        member = zlib.decompressobj(wbits=31)
        try:
            member.decompress(raw[start:])
            if member.eof:
                return True
        except zlib.error:
            pass
        start = raw.find(GZIP_MAGIC, start + 1)
    return False


def read_jsonl(path: Path, torn_end_ok: bool = False) -> list[dict]:
    """Every record of a JSONL file (.gz: compressed); a malformed line is an error that names the file and line.

    With `torn_end_ok`, a torn end (a writer interrupted mid-line or mid-member, or still writing) is left
    out instead of failing. Nothing here ever changes the file.
    """
    text, torn = _complete_and_torn(path)
    if torn and not torn_end_ok:
        if is_gzip(path):
            raise DistillError(f"{path} ends in {len(torn)} bytes that are not a complete gzip member")
        text += torn  # parsed, so that the error names the torn line
    return parse_jsonl(text.decode("utf-8"), str(path))


def parse_jsonl(text: str, where: str) -> list[dict]:
    """The records of JSONL text (blank lines skipped); an error names `where` and the line."""
    records = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise DistillError(f"{where}:{lineno} is not valid JSON ({e.msg})") from None
        if not isinstance(record, dict):
            raise DistillError(f"{where}:{lineno} is not a JSON object")
        records.append(record)
    return records


def torn_end(path: Path) -> int:
    """How many bytes of a JSONL file follow its last complete line or gzip member: what a writer did not finish."""
    return len(_complete_and_torn(path)[1])

"""Atomic file writes and the one JSONL reader, shared by every stage that writes or reads files."""

import json
import os
import tempfile
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


def dumps_jsonl(records: Iterable[dict]) -> str:
    # sort_keys and fixed separators make the bytes depend only on the data (determinism tests).
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    atomic_write_text(path, dumps_jsonl(records))


def read_jsonl(path: Path, torn_end_ok: bool = False) -> list[dict]:
    """Every record of a JSONL file; a malformed line is an error that names the file and line.

    With `torn_end_ok`, a last line without its newline (a writer interrupted mid-line, or still
    writing) is left out instead of failing. Nothing here ever changes the file.
    """
    raw = Path(path).read_bytes()
    if torn_end_ok:
        raw = raw[: raw.rfind(b"\n") + 1]
    return parse_jsonl(raw.decode("utf-8"), str(path))


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
    """How many bytes of a JSONL file follow its last newline: a line a writer did not finish."""
    raw = Path(path).read_bytes()
    return len(raw) - (raw.rfind(b"\n") + 1)

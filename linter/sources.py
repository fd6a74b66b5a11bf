"""Finding and reading the files to lint, and saying clearly what is wrong with those that cannot be.

Paths may be files, folders (searched for drafts and templates), globs, or `-` for stdin. Every problem
with one path becomes an `InputError` naming it; the other paths are still read.
"""

from __future__ import annotations

import glob
import os
import unicodedata
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

from linter.results import InputError

LINTABLE_SUFFIXES = (".txt", ".md", ".eml", ".j2", ".jinja", ".jinja2", ".tmpl")
EXCLUDED_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", "build", "dist", ".mypy_cache", ".pytest_cache", "site-packages"}
MAX_BYTES = 1_000_000


def expand(paths: tuple[str, ...], exclude: tuple[str, ...] = ()) -> Iterator[str | InputError]:
    """Every file to lint, in a stable order; errors for paths that give nothing."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if not path.exists() and any(c in raw for c in "*?["):
            matches = sorted(glob.glob(raw, recursive=True))
            files = [m for m in matches if Path(m).is_file()]
            if not files:
                yield InputError(raw, "no files match this pattern")
            yield from (m for m in files if not _excluded(Path(m), exclude))
            continue
        if path.is_dir():
            found = list(_walk(path, exclude))
            if not found:
                yield InputError(raw, f"folder holds no lintable files ({', '.join(LINTABLE_SUFFIXES)})")
            yield from found
        elif path.exists() or path.is_symlink():
            yield raw
        else:
            yield InputError(raw, "no such file or folder")


def _excluded(path: Path, exclude: tuple[str, ...]) -> bool:
    text = path.as_posix()
    return any(fnmatch(text, pattern) or fnmatch(path.name, pattern) for pattern in exclude)


def _walk(folder: Path, exclude: tuple[str, ...]) -> Iterator[str]:
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(folder, followlinks=True, onerror=None):
        try:
            stat = os.stat(root)
        except OSError:
            dirs[:] = []
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in seen:  # a symlink loop
            dirs[:] = []
            continue
        seen.add(key)
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not d.startswith(".") and not _excluded(Path(root) / d, exclude))
        for name in sorted(files):
            candidate = Path(root) / name
            if name.lower().endswith(LINTABLE_SUFFIXES) and not _excluded(candidate, exclude):
                yield str(candidate)


def _too_big(name: str, size: int) -> InputError:
    return InputError(name, f"file is {size:,} bytes; netlint reads messages up to {MAX_BYTES:,} bytes")


def decode(data: bytes, name: str) -> str | InputError:
    if len(data) > MAX_BYTES:
        return _too_big(name, len(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return InputError(name, "not valid UTF-16 text despite its byte-order mark")
    else:
        if b"\x00" in data[:8192]:
            return InputError(name, "binary file (contains NUL bytes), not a text draft")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return InputError(name, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8")
    if not text.strip() or not any(unicodedata.category(c)[0] in "LNPS" for c in text):
        # nothing to read: whitespace, or only invisible format and control characters (zero-width spaces)
        return InputError(name, "file is empty or whitespace only: nothing to lint")
    return text


def read(path: str, stdin_bytes: bytes | None = None) -> str | InputError:
    if path == "-":
        return decode(stdin_bytes or b"", "-")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                # Only the first MAX_BYTES + 1 bytes were read: name the file's real size, not that.
                return _too_big(path, max(os.fstat(handle.fileno()).st_size, len(data)))
    except FileNotFoundError:
        return InputError(path, "no such file (it may have been removed while netlint ran)")
    except IsADirectoryError:
        return InputError(path, "is a folder")
    except PermissionError:
        return InputError(path, "permission denied")
    except OSError as exc:
        return InputError(path, f"cannot read file ({exc.strerror or exc.__class__.__name__})")
    return decode(data, path)

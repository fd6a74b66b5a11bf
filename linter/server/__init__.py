"""Where the warm lint server listens, and how its requests and replies are framed.

Both sides import this on their fast path, so it uses nothing but `os` and `zlib` (already loaded or
builtin): no `socket`, no `json`, whose imports alone would cost a fifth of the 50 ms budget.

- The socket lives in a private folder: `$XDG_RUNTIME_DIR/netlint`, else `$TMPDIR/netlint-UID` (or
  `/tmp/netlint-UID`), made 0700 and refused unless it is a real folder owned by this user and closed to
  others.
- Its name carries the netlint version and a stamp of this installation's code (its folder and the
  size and time of each module), so a client never talks to a server running other code: after an upgrade
  or an edit the old server is simply not found, and it stops at its idle timeout.
- A message is a list of (name, value) byte pairs, each a 4-byte big-endian length then the bytes; lists
  of strings (argv, environment) are NUL-terminated items, as no argument or variable can hold a NUL.
"""

from __future__ import annotations

import os
import zlib

from linter import __version__

MAGIC = b"netlint-server-1"


def runtime_dir() -> str:
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isabs(base):
        return os.path.join(base, "netlint")
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"netlint-{os.getuid()}")


def is_private(folder: str) -> bool:
    """A folder we may trust with the socket: ours, not a symlink, and closed to group and others."""
    try:
        status = os.lstat(folder)
    except OSError:
        return False
    return (status.st_mode & 0o170000) == 0o040000 and status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


def make_private_dir() -> str:
    folder = runtime_dir()
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        pass
    return folder


def code_stamp() -> str:
    """A short checksum of where this netlint's code is and of each module's size and modification time."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = [package]
    for folder in (package, os.path.join(package, "server")):
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                status = entry.stat()
                parts.append(f"{entry.name}:{status.st_size}:{status.st_mtime_ns}")
    return f"{zlib.crc32(chr(0).join(parts).encode('utf-8', 'surrogateescape')):08x}"


def socket_path() -> str:
    return os.path.join(runtime_dir(), f"server-{__version__}-{code_stamp()}.sock")


def pack(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(len(part).to_bytes(4, "big") + part for pair in pairs for part in pair)


def unpack(data: bytes) -> list[tuple[bytes, bytes]]:
    """The pairs of a whole message; ValueError when it is cut short (a server that died mid-reply)."""
    parts, at = [], 0
    while at < len(data):
        if at + 4 > len(data):
            raise ValueError("truncated message")
        size = int.from_bytes(data[at:at + 4], "big")
        at += 4
        if at + size > len(data):
            raise ValueError("truncated message")
        parts.append(data[at:at + size])
        at += size
    if len(parts) % 2:
        raise ValueError("truncated message")
    return list(zip(parts[::2], parts[1::2]))


def join_items(items) -> bytes:
    return b"".join(os.fsencode(item) + b"\0" for item in items)


def split_items(data: bytes) -> list[str]:
    return [os.fsdecode(item) for item in data.split(b"\0")[:-1]]

"""Shared helpers: run the real `netlint` command the way a user does."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# netlint keeps a start-up cache (linter/cache.py); tests keep theirs in a folder of their own.
os.environ.setdefault("NETLINT_CACHE_DIR", tempfile.mkdtemp(prefix="netlint-test-cache-"))
atexit.register(shutil.rmtree, os.environ["NETLINT_CACHE_DIR"], True)
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def netlint(*args: str, input: str | bytes | None = None, cwd: Path | None = None, env: dict | None = None) -> Result:
    """Run `python -m linter ARGS` in a subprocess: the real command line, real exit code."""
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    data = input.encode() if isinstance(input, str) else input
    proc = subprocess.run(
        [sys.executable, "-m", "linter", *args],
        input=data,
        capture_output=True,
        cwd=cwd or ROOT,
        env=environment,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="session")
def linter():
    """An in-process linter with the committed model, for tests of the analysis itself."""
    from linter.config import Config
    from linter.engine import Linter
    from linter.model import load_default

    return Linter(Config(), model=load_default())


@pytest.fixture(scope="session")
def rules_only():
    from linter.config import Config
    from linter.engine import Linter

    return Linter(Config(), model=None)


def lsp_exchange(messages: list, cwd: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """Send raw LSP messages (dicts, or bytes sent as they are) to `netlint lsp` over stdio, then read
    every reply: (the finished process, {request id: reply})."""

    def frame(payload) -> bytes:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    command = [sys.executable, "-m", "linter", "lsp"]
    proc = subprocess.run(command, input=b"".join(frame(m) for m in messages), capture_output=True, timeout=60, cwd=cwd)
    replies, data = {}, proc.stdout
    while data:
        header, _, rest = data.partition(b"\r\n\r\n")
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        message = json.loads(rest[:length])
        data = rest[length:]
        if "id" in message and "method" not in message:
            replies[message["id"]] = message
    return proc, replies

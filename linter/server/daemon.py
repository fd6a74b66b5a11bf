"""The warm server process: one model, pipeline and rule set kept loaded, one lint per request.

A request is run through the same click command an in-process run uses, with the caller's working
folder, environment, stdin bytes, stream encodings, terminal answers (colour, width) and program name,
so its output is byte-for-byte what `netlint` would print there. Requests are served one at a time (a
lint changes the process's folder, environment and standard streams while it runs).

What stays warm, and how it stays right:
- the model (`model.load_default`) is reused while its file's size, time and inode are unchanged;
- a `Linter` per configuration is reused while every file in its rule folders is unchanged;
- configuration files are read afresh for every request (`linter.config` caches are cleared).
Every run's `Session` builds them through this process's `Warm` (`session.keep_between_sessions`).

It stops after `idle_timeout` seconds without a lint request, on a `stop` request, or on SIGTERM, and removes
its socket when it goes. A lock file beside the socket keeps a second server for the same code from
starting.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import struct
import sys
import time
from types import SimpleNamespace

from linter.server import MAGIC, is_private, make_private_dir, pack, socket_path, split_items, unpack

DEFAULT_IDLE_TIMEOUT = 900.0  # seconds: 15 minutes
MAX_LINTERS = 8  # configurations kept warm at once
REQUEST_READ_TIMEOUT = 10.0  # a client that sends nothing for this long is dropped
WARM_UP_TEXT = "Hi Sam, I loved your talk on query planning. Could I ask one question about it by email?\n"


class _Stop(BaseException):
    """SIGTERM: leave the serving loop (a BaseException, so a running command cannot swallow it)."""


class Captured(io.RawIOBase):
    """One of the caller's output streams: records each write, in order with the other stream's, and
    answers `isatty()` as the caller's stream did."""

    def __init__(self, name: bytes, record: list[tuple[bytes, bytes]], tty: bool) -> None:
        super().__init__()
        self.name_in_reply, self.record, self.tty = name, record, tty

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def write(self, data) -> int:
        if data:
            self.record.append((self.name_in_reply, bytes(data)))
        return len(data)


class Warm:
    """The model and linters kept between requests, with the stamps that say when they are stale."""

    def __init__(self) -> None:
        import linter.engine
        import linter.model

        self.model_module = linter.model
        self.build_linter = linter.engine.Linter
        self.load_model = linter.model.load_default
        self.model_stamp: object = None
        self.model = None
        self.linters: dict[tuple, object] = {}
        self.counts = {"models_loaded": 0, "model_reuses": 0, "linters_built": 0, "linter_reuses": 0, "lints": 0}

    def install(self) -> None:
        from linter import session

        session.keep_between_sessions(self)

    def default_model(self):
        path = self.model_module.models_dir() / self.model_module.MODEL_FILE
        stamp = _stamp(str(path))
        if self.model_stamp is None or stamp != self.model_stamp:
            self.model = self.load_model()  # errors are raised to the command, as in-process, never kept
            self.model_stamp = stamp
            self.counts["models_loaded"] += 1
        else:
            self.counts["model_reuses"] += 1
        return self.model

    def linter(self, config, model=None):
        from linter.data import rules_dir

        key = (config, id(model), tuple(_folder_stamp(str(folder)) for folder in (rules_dir(), *config.rule_folders)))
        found = self.linters.pop(key, None)
        if found is None:
            found = self.build_linter(config, model=model)
            self.counts["linters_built"] += 1
        else:
            self.counts["linter_reuses"] += 1
        self.linters[key] = found  # most recently used last
        while len(self.linters) > MAX_LINTERS:
            self.linters.pop(next(iter(self.linters)))
        return found

    def warm_up(self) -> None:
        """Load everything the first lint needs, so no caller waits for it."""
        import linter.cli  # noqa: F401  (click and the commands, imported once here)
        from linter.config import Config

        self.linter(Config(), self.default_model()).lint_text(WARM_UP_TEXT, "warm-up.txt")


def _stamp(path: str) -> tuple | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ino)


def _folder_stamp(folder: str) -> tuple:
    stamps = []
    for root, folders, files in os.walk(folder):
        folders.sort()
        stamps.extend((root, name, _stamp(os.path.join(root, name))) for name in sorted(files))
    return (folder, _stamp(folder), tuple(stamps))


def _forget_configuration_files() -> None:
    import linter.config

    for value in vars(linter.config).values():
        if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == "linter.config":
            value.cache_clear()


def _text_stream(buffer, encoding: bytes) -> io.TextIOWrapper:
    name, _, errors = encoding.decode().rpartition(":")
    return io.TextIOWrapper(buffer, encoding=name or "utf-8", errors=errors or "strict", write_through=True)


def run_lint(request: dict[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    """The reply to one lint request: stdout and stderr writes in order, then the exit code; or
    `fallback` when the command failed in a way only an in-process run reproduces (an uncaught error)."""
    import click.utils

    from linter.cli import EXIT_ERROR, main_group

    record: list[tuple[bytes, bytes]] = []
    tty = request[b"tty"].decode()
    main_package = request[b"main_package"].decode()
    environment = dict(item.split("=", 1) for item in split_items(request[b"env"]) if "=" in item)
    terminal = request[b"terminal_size"].split()
    for variable, value in zip(("COLUMNS", "LINES"), terminal):
        # shutil.get_terminal_size (click's help and usage width) asks the environment, then stdout.
        if not environment.get(variable, "").strip().isdigit() or int(environment[variable]) <= 0:
            environment[variable] = value.decode()
    saved = (os.getcwd(), dict(os.environ), sys.stdin, sys.stdout, sys.stderr)
    try:
        os.chdir(os.fsdecode(request[b"cwd"]))
        os.environ.clear()
        os.environ.update(environment)
        sys.stdin = io.TextIOWrapper(io.BytesIO(request[b"stdin"]), encoding="utf-8")
        sys.stdout = _text_stream(Captured(b"out", record, tty[0] == "1"), request[b"stdout_encoding"])
        sys.stderr = _text_stream(Captured(b"err", record, tty[1] == "1"), request[b"stderr_encoding"])
        _forget_configuration_files()
        program = click.utils._detect_program_name(
            os.fsdecode(request[b"argv0"]),
            _main=SimpleNamespace(__package__=None if main_package == "-" else main_package[1:]))
        try:
            main_group.main(args=split_items(request[b"argv"]), prog_name=program, standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else EXIT_ERROR  # as linter.cli.main
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception as exc:  # noqa: BLE001  the client reruns it in-process, which prints it faithfully
        return [(b"fallback", f"{exc.__class__.__name__}: {exc}".encode("utf-8", "replace"))]
    finally:
        os.chdir(saved[0])
        os.environ.clear()
        os.environ.update(saved[1])
        sys.stdin, sys.stdout, sys.stderr = saved[2:]
    return [*record, (b"exit", str(code).encode())]


class Server:
    def __init__(self, idle_timeout: float, log) -> None:
        self.idle_timeout = idle_timeout
        self.log = log
        self.started = time.time()
        self.path = socket_path()
        self.warm = Warm()

    def say(self, text: str) -> None:
        if self.log is not None:
            print(f"netlint server: {text}", file=self.log, flush=True)

    def status(self) -> bytes:
        from linter import __version__

        counts = " ".join(f"{key}={value}" for key, value in self.warm.counts.items())
        return (f"pid={os.getpid()} version={__version__} socket={self.path} idle_timeout={self.idle_timeout:g} "
                f"uptime={time.time() - self.started:.0f} {counts}").encode()

    def serve(self) -> int:
        if not hasattr(socket, "AF_UNIX"):
            self.say("this system has no Unix domain sockets; not serving")
            return 2
        folder = make_private_dir()
        if not is_private(folder):
            self.say(f"{folder} is not a private folder of this user (0700); not serving")
            return 2
        import fcntl

        lock = open(self.path[: -len(".sock")] + ".lock", "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.say("another server for this netlint is already running")
            lock.close()
            return 0
        previous = signal.signal(signal.SIGTERM, _raise_stop)
        listener, bound = None, None
        try:
            self.warm.warm_up()
            self.warm.install()
            if os.path.lexists(self.path):
                os.unlink(self.path)  # a stale socket: the lock says no server owns it
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.path)
            os.chmod(self.path, 0o600)
            listener.listen(16)
            bound = os.stat(self.path).st_ino
            self.say(f"listening on {self.path} (pid {os.getpid()}, idle timeout {self.idle_timeout:g} s)")
            self.loop(listener)
        except (_Stop, KeyboardInterrupt):
            self.say("stopped by a signal")
        finally:
            signal.signal(signal.SIGTERM, previous)
            if listener is not None:
                listener.close()
                if bound is not None and (_stamp(self.path) or (0, 0, None))[2] == bound:
                    os.unlink(self.path)
            lock.close()
        return 0

    def loop(self, listener) -> None:
        deadline = time.monotonic() + self.idle_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.say(f"idle for {self.idle_timeout:g} s; stopping")
                return
            listener.settimeout(remaining)
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                kind = self.answer(connection)
            if kind == b"stop":
                self.say("stopped on request")
                return
            if kind == b"lint":  # only lints count as use: a status poll does not keep the server alive
                deadline = time.monotonic() + self.idle_timeout

    def answer(self, connection) -> bytes | None:
        """Serve one connection; returns the request's kind."""
        if not _same_user(connection):
            return None
        connection.settimeout(REQUEST_READ_TIMEOUT)
        chunks = []
        try:
            while chunk := connection.recv(1 << 16):
                chunks.append(chunk)
            request = dict(unpack(b"".join(chunks)))
        except (OSError, ValueError):
            return None
        if request.get(b"magic") != MAGIC:
            return None
        kind = request.get(b"kind")
        begun = time.perf_counter()
        if kind == b"lint":
            try:
                reply = run_lint(request)
            except KeyError:
                reply = [(b"fallback", b"malformed request")]
            self.warm.counts["lints"] += 1
            argv = " ".join(split_items(request.get(b"argv", b"")))
            self.say(f"lint {argv!r} -> {reply[-1][0].decode()} {reply[-1][1][:80].decode('utf-8', 'replace')} "
                     f"in {(time.perf_counter() - begun) * 1000:.1f} ms")
        elif kind == b"status":
            reply = [(b"status", self.status())]
        elif kind == b"stop":
            reply = [(b"stopped", self.status())]
        else:
            return None
        try:
            connection.sendall(pack(reply))
        except OSError:
            pass  # the client went away (interrupted); nothing to tell it
        return kind


def _raise_stop(signum, frame) -> None:
    raise _Stop()


def _same_user(connection) -> bool:
    """On Linux the kernel tells who connected; the folder's 0700 is the guard elsewhere."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    return uid == os.getuid()


def control(kind: str) -> str | None:
    """Send `status` or `stop` to this installation's server; its status line, or None if none answers."""
    from linter.server.client import connect, exchange

    connection = connect(timeout=10.0)
    if connection is None:
        return None
    reply = exchange(connection, pack([(b"magic", MAGIC), (b"kind", kind.encode())]))
    return reply[-1][1].decode() if reply else None


def serve(idle_timeout: float, log=sys.stderr) -> int:
    return Server(idle_timeout, log).serve()


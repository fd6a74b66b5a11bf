"""The client side of the warm server: hand a stdin lint to a listening server, or say to lint here.

`forward` runs in the console entry point before click, spaCy or the engine are imported, so it uses
only the builtin `_socket` module. It forwards a `check` run that reads stdin (`netlint - ...`) when stdin
is not a terminal; anything else, or any trouble (no server, a stale socket file, a server that dies or
stalls mid-request), returns None and the caller lints in-process with the same stdin bytes, so the
output is the same either way.

`NETLINT_SERVER`: unset, use a server that is already listening; `1`, also start one in the background
when none is (this lint runs in-process meanwhile); `0`, never use one.
"""

from __future__ import annotations

import io
import os
import sys

from linter.server import MAGIC, is_private, join_items, make_private_dir, pack, runtime_dir, socket_path, unpack

# The check command's options that take a value (tests/test_server.py holds this to the click command).
VALUE_OPTIONS = frozenset({
    "--format", "--stdin-filename", "--select", "--extend-select", "--ignore", "--fail-on", "--max-genericness",
    "--max-self-serving", "--max-missing-research", "--min-overall", "--mode", "--config", "--context",
    "--jobs", "-j",
})
# Every subcommand but `check`: these never read a draft from stdin.
OTHER_COMMANDS = frozenset({"rules", "explain", "rewrite", "train", "lsp", "server"})
REPLY_TIMEOUT = 60.0  # seconds; a server that stalls longer is given up and the lint runs here


def reads_stdin(args: list[str]) -> bool:
    """Whether these arguments are a lint (`check`, named or implied) with `-` among its paths."""
    if not args or args[0] in OTHER_COMMANDS or args[0] in ("--help", "-h", "--version"):
        return False
    if args[0] == "check":
        args = args[1:]
    options_done = False
    takes_value = False
    stdin = False
    for arg in args:
        if takes_value:
            takes_value = False
        elif options_done or arg == "-" or not arg.startswith("-"):
            stdin = stdin or arg == "-"
        elif arg == "--":
            options_done = True
        elif arg in ("--help", "-h"):
            return False
        elif arg.startswith("--"):
            takes_value = arg in VALUE_OPTIONS
        else:  # a cluster of short options, as in -qj2 or -qj 2
            for at, letter in enumerate(arg[1:], start=1):
                if letter == "h":
                    return False
                if f"-{letter}" in VALUE_OPTIONS:
                    takes_value = at == len(arg) - 1
                    break
    return stdin


def _terminal_size() -> bytes:
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())
    except (AttributeError, ValueError, OSError):
        return b""
    return f"{size.columns} {size.lines}".encode()


def _stream_encoding(stream) -> bytes:
    return f"{stream.encoding}:{stream.errors}".encode()


def lint_request(argv: list[str], stdin: bytes) -> bytes:
    main = sys.modules.get("__main__")
    package = getattr(main, "__package__", None)
    return pack([
        (b"magic", MAGIC),
        (b"kind", b"lint"),
        (b"argv0", os.fsencode(argv[0])),
        (b"main_package", b"-" if package is None else b"=" + package.encode()),
        (b"cwd", os.fsencode(os.getcwd())),
        (b"argv", join_items(argv[1:])),
        (b"env", join_items(f"{key}={value}" for key, value in os.environ.items())),
        (b"tty", b"".join(b"1" if stream.isatty() else b"0" for stream in (sys.stdout, sys.stderr))),
        (b"stdout_encoding", _stream_encoding(sys.stdout)),
        (b"stderr_encoding", _stream_encoding(sys.stderr)),
        (b"terminal_size", _terminal_size()),
        (b"stdin", stdin),
    ])


def connect(timeout: float = REPLY_TIMEOUT):
    """A connection to this installation's server, or None when none is listening (or the socket is stale)."""
    import _socket

    if not hasattr(_socket, "AF_UNIX") or not is_private(runtime_dir()):
        return None
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.settimeout(timeout)
        connection.connect(socket_path())
    except OSError:
        connection.close()
        return None
    return connection


def exchange(connection, request: bytes) -> list[tuple[bytes, bytes]] | None:
    """Send one request and read the whole reply; None when the server does not answer it in full."""
    import _socket

    try:
        connection.sendall(request)
        connection.shutdown(_socket.SHUT_WR)
        chunks = []
        while chunk := connection.recv(1 << 16):
            chunks.append(chunk)
        reply = unpack(b"".join(chunks))
    except (OSError, ValueError):
        return None
    finally:
        connection.close()
    return reply or None


def forward(argv: list[str]) -> int | None:
    """Lint through a warm server and return the exit code, or None to lint in-process.

    When stdin was read, it is put back (as a fresh `sys.stdin` over the same bytes) before None is
    returned, so the in-process run reads what the server would have.
    """
    wanted = os.environ.get("NETLINT_SERVER", "")
    if wanted == "0" or not reads_stdin(argv[1:]) or None in (sys.stdin, sys.stdout, sys.stderr):
        return None
    try:
        if sys.stdin.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    connection = connect()
    if connection is None:
        if wanted == "1":
            start_in_background()
        return None
    try:
        stdin = sys.stdin.buffer.read()
    except (OSError, ValueError, AttributeError):
        connection.close()
        return None
    try:
        reply = exchange(connection, lint_request(argv, stdin))
    except KeyboardInterrupt:
        connection.close()
        sys.stderr.write("netlint: interrupted\n")  # what an interrupted in-process run prints
        return 130
    except (OSError, ValueError, AttributeError):  # streams without an encoding, say: lint here instead
        connection.close()
        reply = None
    if reply is None or reply[-1][0] != b"exit":
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding=sys.stdin.encoding, errors=sys.stdin.errors)
        return None
    return _print_reply(reply)


def _print_reply(reply: list[tuple[bytes, bytes]]) -> int:
    streams = {b"out": sys.stdout, b"err": sys.stderr}
    for name, data in reply[:-1]:
        stream = streams.get(name)
        if stream is None:
            continue
        try:
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
        except BrokenPipeError:
            # The reader went away (`| head -1`): stop quietly with 0, as an in-process run does.
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError):
                pass
            return 0
    return int(reply[-1][1])


def start_in_background(idle_timeout: float | None = None):
    """Start `netlint server run` detached, in the private folder (never a project's, whose own `linter/`
    could shadow ours); returns its `Popen`, or None when it cannot be started."""
    import subprocess

    folder = make_private_dir()
    if not is_private(folder):
        return None
    command = [sys.executable, "-m", "linter", "server", "run"]
    if idle_timeout is not None:
        command += ["--idle-timeout", str(idle_timeout)]
    try:
        with open(socket_path()[: -len(".sock")] + ".log", "wb") as log:
            process = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True, close_fds=True)
    except OSError:
        return None
    return process

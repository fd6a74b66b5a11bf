"""Awkward input, handed to netlint the three ways a user can: a file path, stdin, an editor buffer.

Each row of a table below is one input with the outcome README promises for it: exit code 0 (passed),
1 (failed) or 2 (input error), and a fragment of what the user reads: on stderr for an input error (one
line, `netlint: error: PATH: problem`), on stdout for a draft that was linted. Every row also checks that
no traceback is printed, that the other file on the command line is still reported, and that no file in
the folder changed (bytes, mode and mtime), since only `--fix` may write.

Inputs already in tests/test_cli.py (NUL-byte binary, Latin-1, empty, blank, a 1.5 MB file, UTF-16 with a
little-endian BOM on stdin) are not repeated here.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, lsp_exchange, netlint

SERVER_COMMAND = [sys.executable, "-m", "linter", "lsp"]  # what editors run
GOOD = (EXAMPLES / "specific-value-first.txt").read_text(encoding="utf-8")  # passes
GENERIC = (EXAMPLES / "pick-your-brain.txt").read_text(encoding="utf-8")  # fails, with findings


def where(text: str, phrase: str) -> str:
    """`LINE:COL` (1-based, characters) of `phrase` in `text`, counted here from the LF original."""
    before = text[: text.index(phrase)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


# ---- the table of texts: the same bytes go into a file and into stdin


@dataclass(frozen=True)
class Case:
    name: str
    content: Callable[[], bytes]
    code: int
    expect: str  # stderr fragment when code is 2, else stdout fragment; "x.txt" is the input's name


PLEASANT = "Hi Jorda\u0301n \U0001F44B\U0001F3FD,\n\n\U0001F389\U0001F389 I came across your profile \U0001F60A and loved your talk on causal forests.\n"
HEBREW = "\u05e9\u05dc\u05d5\u05dd \u05d3\u05e0\u05d4,\n\n\u05e0\u05d4\u05e0\u05d9\u05ea\u05d9 \u05de\u05d0\u05d5\u05d3 \u05de\u05d4\u05d4\u05e8\u05e6\u05d0\u05d4 \u05e9\u05dc\u05da \u05e2\u05dc \u05de\u05e2\u05e8\u05db\u05d5\u05ea \u05de\u05d1\u05d5\u05d6\u05e8\u05d5\u05ea. \u05d4\u05d0\u05dd \u05e0\u05d5\u05db\u05dc \u05dc\u05d3\u05d1\u05e8 \u05e2\u05e9\u05e8 \u05d3\u05e7\u05d5\u05ea \u05d1\u05e9\u05d1\u05d5\u05e2 \u05d4\u05d1\u05d0?\n\n\u05ea\u05d5\u05d3\u05d4,\n\u05d9\u05d5\u05e1\u05d9\n"
ARABIC = "\u0645\u0631\u062d\u0628\u0627 \u0623\u062d\u0645\u062f\u060c\n\n\u0623\u0639\u062c\u0628\u062a\u0646\u064a \u0645\u062d\u0627\u0636\u0631\u062a\u0643 \u0639\u0646 \u0627\u0644\u0623\u0646\u0638\u0645\u0629 \u0627\u0644\u0645\u0648\u0632\u0639\u0629 \u0643\u062b\u064a\u0631\u0627. \u0647\u0644 \u064a\u0645\u0643\u0646\u0646\u0627 \u0627\u0644\u062a\u062d\u062f\u062b \u0639\u0634\u0631 \u062f\u0642\u0627\u0626\u0642 \u0627\u0644\u0623\u0633\u0628\u0648\u0639 \u0627\u0644\u0645\u0642\u0628\u0644\u061f\n\n\u0634\u0643\u0631\u0627\u060c\n\u0633\u0627\u0631\u0629\n"
GERMAN = "Hallo Frau Becker,\n\nIhr Vortrag auf der PyCon \u00fcber verteilte Systeme hat mir sehr gefallen. K\u00f6nnten wir n\u00e4chste Woche zehn Minuten dar\u00fcber sprechen?\n\nViele Gr\u00fc\u00dfe,\nTom\n"
CHINESE = "\u674e\u534e\u4f60\u597d\uff0c\n\n\u6211\u5f88\u559c\u6b22\u4f60\u5728\u5317\u4eac\u7684\u6f14\u8bb2\uff0c\u7279\u522b\u662f\u5173\u4e8e\u5206\u5e03\u5f0f\u7cfb\u7edf\u7684\u90e8\u5206\u3002\u4e0b\u5468\u80fd\u5426\u548c\u4f60\u804a\u5341\u5206\u949f\uff1f\n\n\u8c22\u8c22\uff0c\n\u738b\u660e\n"
BIDI_CONTROLS = "Hi Ana \u202e,gnihtemos\u202c I came across your profile.\n"
NOT_ENGLISH = "NL801 [info] This text does not read as English"
LONG_SENTENCE = "We measured the latency of the new cache layer in three regions and wrote down every result. "
LONG_LINE = (LONG_SENTENCE * (500_000 // len(LONG_SENTENCE) + 1))[:500_000]

CASES = [
    Case("binary: PNG header", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 2, "x.txt: binary file"),
    Case("UTF-16 without a BOM", lambda: GOOD.encode("utf-16-le"), 2, "x.txt: binary file"),
    Case("UTF-16 big-endian with a BOM", lambda: b"\xfe\xff" + GOOD.encode("utf-16-be"), 0, "x.txt: PASS"),
    Case("UTF-8 with a BOM", lambda: b"\xef\xbb\xbf" + GOOD.encode(), 0, "x.txt: PASS"),
    Case("mixed: UTF-8 then Latin-1", lambda: "Caf\u00e9 first, ".encode() + "then na\u00efve".encode("latin-1"), 2,
         "x.txt: not UTF-8 text (invalid byte 0xef at offset 20)"),
    Case("lone surrogate, UTF-8 encoded", lambda: b"Hi Ana, \xed\xa0\x80 I came across your profile.", 2,
         "x.txt: not UTF-8 text (invalid byte 0xed at offset 8)"),
    Case("lone surrogate in UTF-16 with a BOM", lambda: "\ufeffHi Ana, ".encode("utf-16-le") + b"\x00\xd8" + "ok".encode("utf-16-le"),
         2, "x.txt: not valid UTF-16 text despite its byte-order mark"),
    Case("only a byte-order mark", lambda: b"\xef\xbb\xbf", 2, "x.txt: file is empty or whitespace only"),
    Case("whitespace only: CRLF, tabs, no-break spaces", lambda: "\r\n\t\u00a0 \r\n\u3000\r".encode(), 2,
         "x.txt: file is empty or whitespace only"),
    Case("only zero-width and control characters", lambda: "\u200b\u200d\u2060\n\u200b\x07\n".encode(), 2,
         "x.txt: file is empty or whitespace only"),
    Case("10 MB", lambda: b"word " * 2_000_000, 2, "x.txt: file is 10,000,000 bytes; netlint reads messages up to 1,000,000 bytes"),
    Case("500,000-character single line", lambda: LONG_LINE.encode(), 1, "NL504 [warning] The body is"),
    Case("CRLF line endings", lambda: GENERIC.replace("\n", "\r\n").encode(), 1, f"x.txt:{where(GENERIC, 'pick your brain')}: NL308"),
    Case("CR line endings", lambda: GENERIC.replace("\n", "\r").encode(), 1, f"x.txt:{where(GENERIC, 'pick your brain')}: NL308"),
    Case("emoji and combining marks", lambda: PLEASANT.encode(), 1, f"x.txt:{where(PLEASANT, 'I came across')}: NL101"),
    Case("bidirectional override controls", lambda: BIDI_CONTROLS.encode(), 1, f"x.txt:{where(BIDI_CONTROLS, 'I came across')}: NL101"),
    Case("right-to-left: Hebrew", lambda: HEBREW.encode(), 0, NOT_ENGLISH),
    Case("right-to-left: Arabic", lambda: ARABIC.encode(), 0, NOT_ENGLISH),
    Case("non-English: German", lambda: GERMAN.encode(), 0, NOT_ENGLISH),
    Case("non-English: Chinese", lambda: CHINESE.encode(), 0, NOT_ENGLISH),
]
def rows(cases):
    return [pytest.param(c, id=c.name) for c in cases]


def snapshot(folder: Path) -> dict:
    """Every entry under `folder` (links not followed): kind, mode, mtime and, for regular files, bytes."""
    seen = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            readable = stat.S_ISREG(info.st_mode) and os.access(path, os.R_OK) and info.st_mode & 0o444
            seen[str(path.relative_to(folder))] = (info.st_mode, info.st_mtime_ns, path.read_bytes() if readable else None)
    return seen


def assert_outcome(result, code: int, expect: str, name: str = "x.txt") -> None:
    assert result.code == code, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("netlint: error:")]
    if code == 2:
        assert len(errors) == 1 and errors[0].startswith(f"netlint: error: {name}: "), result.err
        assert expect in errors[0], errors[0]
        assert result.err.strip() == errors[0], "the error is the only thing on stderr"
    else:
        assert not errors, result.err
        assert expect in result.out, result.out[-2000:]
    assert "good.txt: PASS" in result.out, "the other file is still linted and reported"


@pytest.mark.parametrize("case", rows(CASES))
def test_awkward_file(tmp_path: Path, case: Case):
    (tmp_path / "x.txt").write_bytes(case.content())
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    before = snapshot(tmp_path)
    result = netlint("x.txt", "good.txt", cwd=tmp_path)
    assert_outcome(result, case.code, case.expect)
    assert snapshot(tmp_path) == before, "linting wrote to the user's files"


@pytest.mark.parametrize("case", rows(CASES))
def test_awkward_stdin(tmp_path: Path, case: Case):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    before = snapshot(tmp_path)
    result = netlint("-", "good.txt", "--stdin-filename", "x.txt", input=case.content(), cwd=tmp_path)
    assert_outcome(result, case.code, case.expect)
    assert snapshot(tmp_path) == before


# ---- the table of folders and files that are hard to read


def symlink_loop(folder: Path) -> None:
    (folder / "drafts" / "sub").mkdir(parents=True)
    (folder / "drafts" / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "drafts" / "sub" / "back").symlink_to(folder / "drafts", target_is_directory=True)
    (folder / "drafts" / "sub" / "self").symlink_to(folder / "drafts" / "sub", target_is_directory=True)


def link_to_itself(folder: Path) -> None:
    (folder / "x.txt").symlink_to(folder / "x.txt")


def dangling_link(folder: Path) -> None:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "drafts" / "x.txt").symlink_to(folder / "gone.txt")


def unreadable(folder: Path) -> None:
    secret = folder / "x.txt"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    try:
        secret.read_bytes()
    except PermissionError:
        return
    secret.chmod(0o600)  # so tmp_path can be cleaned
    pytest.skip("this user can read a chmod 000 file (root): the case cannot be set up")


@dataclass(frozen=True)
class Layout:
    name: str
    build: Callable[[Path], None]
    paths: tuple[str, ...]
    code: int
    expect: str  # as in Case; for code 2 the error names `error_path`
    error_path: str = "x.txt"


LAYOUTS = [
    Layout("folder with symlink loops", symlink_loop, ("drafts", "good.txt"), 0, "drafts/a.txt: PASS"),
    Layout("symlink to itself", link_to_itself, ("x.txt", "good.txt"), 2, "cannot read file (Too many levels of symbolic links)"),
    Layout("dangling symlink in a folder", dangling_link, ("drafts", "good.txt"), 2, "no such file", "drafts/x.txt"),
    Layout("unreadable file (chmod 000)", unreadable, ("x.txt", "good.txt"), 2, "permission denied"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and modes are POSIX here")
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_awkward_folder(tmp_path: Path, layout: Layout):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    layout.build(tmp_path)
    before = snapshot(tmp_path)
    result = netlint(*layout.paths, cwd=tmp_path)
    after = snapshot(tmp_path)
    if layout.build is unreadable:
        (tmp_path / "x.txt").chmod(0o600)  # so tmp_path can be cleaned
    assert_outcome(result, layout.code, layout.expect, layout.error_path)
    assert result.out.count("good.txt: PASS") == 1, "each file is reported once"
    if layout.code != 2:
        assert result.out.count(layout.expect) == 1
    assert after == before


# ---- a file that vanishes between listing and reading


def open_fifo_for_writing(path: Path, deadline: float) -> int:
    """Opens once netlint has opened the other end for reading; that is the moment we wait for."""
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            if time.monotonic() > deadline:
                raise AssertionError("netlint never opened the named pipe") from None
            time.sleep(0.02)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_file_removed_while_netlint_runs_is_one_error_and_the_rest_is_linted(tmp_path: Path):
    # netlint lists the folder, then blocks reading a.txt (a named pipe) until we write to it; b.txt is
    # removed in between, so it is listed but gone when its turn comes. No timing is involved.
    folder = tmp_path / "drafts"
    folder.mkdir()
    os.mkfifo(folder / "a.txt")
    (folder / "b.txt").write_text(GENERIC, encoding="utf-8")
    (folder / "c.txt").write_text(GOOD, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "linter", "drafts", "--format", "json"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        fd = open_fifo_for_writing(folder / "a.txt", time.monotonic() + 60)
        (folder / "b.txt").unlink()
        os.write(fd, GOOD.encode())
        os.close(fd)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = err.decode()
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.strip() == "netlint: error: drafts/b.txt: no such file (it may have been removed while netlint ran)"
    assert [f["path"] for f in json.loads(out)["files"]] == ["drafts/a.txt", "drafts/c.txt"]


# ---- Ctrl-C during a large run


@pytest.fixture(scope="module")
def fixed_generic() -> str:
    return netlint("-", "--fix", "--stdin-filename", "d.txt", input=GENERIC).out


def release(fifo: Path, proc: subprocess.Popen, deadline: float) -> None:
    """Let a reader blocked on `fifo` go on (it reads nothing), unless it has already stopped."""
    while proc.poll() is None:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            return
        except OSError:  # ENXIO: no reader yet
            assert time.monotonic() < deadline, "netlint neither stopped nor opened the named pipe"
            time.sleep(0.02)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("flags", [["--fix"], ["--jobs", "2"]], ids=" ".join)
@pytest.mark.parametrize("moment", ["while-linting", "while-waiting-for-input"])
def test_ctrl_c_during_a_large_run_exits_130_quietly(tmp_path: Path, flags: list[str], moment: str,
                                                     fixed_generic: str):
    folder = tmp_path / "drafts"
    folder.mkdir()
    # More files than --jobs 2 reads ahead (5 batches of 32), so output starts before the last file is read.
    for i in range(200):
        (folder / f"d{i:03d}.txt").write_text(GENERIC if i % 2 else GOOD, encoding="utf-8")
    # Read last, and blocks until we open it: the run cannot finish before the interrupt arrives.
    os.mkfifo(folder / "zzz.txt")
    before = snapshot(tmp_path)
    # start_new_session + killpg: like a terminal's Ctrl-C, the signal reaches the whole group, workers too.
    # A run started in the background by a shell without job control (CI runners can be) inherits SIGINT
    # as ignored, and Python then never raises KeyboardInterrupt: give netlint the terminal's default.
    proc = subprocess.Popen([sys.executable, "-m", "linter", "drafts", "--format", "concise", *flags], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                            env={**os.environ, "NO_COLOR": "1"})
    watchdog = threading.Timer(120, os.killpg, (proc.pid, signal.SIGKILL))  # never hang the suite
    watchdog.start()
    output: list[bytes] = []
    started = threading.Event()

    def read_output():  # keep reading, so netlint never waits on a full stdout pipe
        for line in proc.stdout:
            output.append(line)
            started.set()
        started.set()

    threading.Thread(target=read_output, daemon=True).start()
    try:
        started.wait(60)  # linting is under way
        first = output[0] if output else b""
        if moment == "while-linting":
            os.killpg(proc.pid, signal.SIGINT)
            # Python acts on a signal between bytecodes; a main thread blocked opening the pipe (the signal
            # may have gone to another thread) gets there once the pipe is opened.
            release(folder / "zzz.txt", proc, time.monotonic() + 60)
        else:
            # netlint has opened the last file and waits to read it; with --jobs the workers finish what
            # they were handed and sit idle. A Ctrl-C now reaches them outside any lint call (a CI run
            # once caught a worker printing a traceback from there).
            fd = open_fifo_for_writing(folder / "zzz.txt", time.monotonic() + 60)
            time.sleep(1.5)
            os.killpg(proc.pid, signal.SIGINT)
            os.close(fd)
        proc.wait(timeout=120)
        err = proc.stderr.read()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = err.decode()
    assert first, err
    assert proc.returncode == 130, err
    assert err.strip() == "netlint: interrupted"
    after = snapshot(tmp_path)
    assert set(after) == set(before), "no temporary files are left behind"
    for name, (mode, _, data) in after.items():
        assert mode == before[name][0]
        if "--fix" in flags and data is not None:
            # each draft is as it was or completely fixed, never half-written
            assert data.decode() in (GOOD, GENERIC, fixed_generic), name
        else:
            assert data == before[name][2], name


# ---- stdout closed early (`netlint ... | head -1`)


def closed_pipe_run(args: list[str], input: bytes | None = None, cwd: Path = ROOT) -> tuple[int, str]:
    """Run with stdout a pipe whose reader is already gone: every write fails with EPIPE."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = subprocess.run([sys.executable, "-m", "linter", *args], stdout=writer, stderr=subprocess.PIPE,
                              input=input, cwd=cwd, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    finally:
        os.close(writer)
    return proc.returncode, proc.stderr.decode()


@pytest.mark.parametrize("args", [
    ["examples", "--format", "text"],
    ["examples", "--format", "json-lines"],
    ["examples", "--format", "sarif"],
    ["examples", "--diff"],
    ["examples", "--statistics", "--quiet"],
    ["-", "--stdin-filename", "x.txt", "--fix"],
    ["rules"],
    ["rules", "--help"],
    ["explain", "NL101"],
    ["rewrite", "examples/pick-your-brain.txt"],
    ["--help"],
    ["--version"],
], ids=" ".join)
def test_stdout_closed_early_is_quiet(args):
    code, err = closed_pipe_run(args, input=GENERIC.encode() if "-" in args else None)
    assert err == "", err
    assert code == 0, "stops as other Unix tools do"


# ---- --fix writes only what it must, through symlinks, keeping line endings


def test_fix_through_a_symlink_edits_the_target_and_keeps_the_link(tmp_path: Path):
    real = tmp_path / "real.txt"
    real.write_bytes(b"Hi Al,\r\rSorry to bother you, but may I ask one question about your talk?\r")
    (tmp_path / "link.txt").symlink_to(real)
    netlint("link.txt", "--fix", cwd=tmp_path)
    assert (tmp_path / "link.txt").is_symlink(), "the link is still a link"
    assert real.read_bytes() == b"Hi Al,\r\rMay I ask one question about your talk?\r", "CR line endings are kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_fix_leaves_files_with_input_errors_alone(tmp_path: Path):
    latin1 = tmp_path / "x.txt"
    latin1.write_bytes("Sorry to bother you, but caf\u00e9?".encode("latin-1"))
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    before = snapshot(tmp_path)
    result = netlint("x.txt", "good.txt", "--fix", cwd=tmp_path)
    assert_outcome(result, 2, "not UTF-8 text")
    assert snapshot(tmp_path) == before


# ---- the language server, sent the same awkward texts


try:
    import pytest_lsp
    from lsprotocol import types
    from pygls.uris import from_fs_path
    from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

    from test_lsp import lines_of, make_client, published
except ImportError:  # the `lsp` extra is not installed
    pytest_lsp = None

LSP_TEXTS = [
    ("emoji and combining marks", PLEASANT, "NL101"),
    ("bidirectional override controls", BIDI_CONTROLS, "NL101"),
    ("CRLF line endings", GENERIC.replace("\n", "\r\n"), "NL308"),
    ("CR line endings", GENERIC.replace("\n", "\r"), "NL308"),
    ("right-to-left: Hebrew", HEBREW, "NL801"),
    ("right-to-left: Arabic", ARABIC, "NL801"),
    ("non-English: German", GERMAN, "NL801"),
    ("CJK", CHINESE, None),  # only diagnostics and no crash are promised here
    ("500,000-character single line", LONG_LINE, "netlint-truncated"),
    ("empty", "", None),
    ("whitespace only", " \r\n\t\u00a0\n", None),
    # A lone surrogate has no UTF-8 form, but JSON can carry one as the escape "\ud800"; it arrives as is.
    ("lone surrogate (as a JSON escape)", "Hi Ana,\n\nI came across your profile \ud800 and would love to connect.\n", "NL101"),
]

if pytest_lsp is not None:
    asyncio_test = pytest.mark.asyncio(loop_scope="module")

    @pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client))
    async def editor(lsp_client: LanguageClient, tmp_path_factory):
        folder = tmp_path_factory.mktemp("hardening-lsp")
        await lsp_client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=from_fs_path(str(folder)))
        )
        lsp_client.folder = folder
        yield lsp_client
        await lsp_client.shutdown_session()

    def utf16_units(text: str) -> int:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate is one unit

    def inside(text: str, position) -> bool:
        lines = lines_of(text)
        return 0 <= position.line < len(lines) and 0 <= position.character <= utf16_units(lines[position.line])

    @asyncio_test
    @pytest.mark.parametrize("name, text, code", LSP_TEXTS, ids=[row[0] for row in LSP_TEXTS])
    async def test_awkward_editor_buffer(editor: LanguageClient, name: str, text: str, code: str | None):
        uri = from_fs_path(str(editor.folder / f"{name.replace(' ', '-').replace(',', '')}.txt"))
        editor.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text))
        )
        diagnostics = (await published(editor, uri, version=1)).diagnostics
        if code is not None:
            assert code in {str(d.code) for d in diagnostics}
        if not text.strip():
            assert not diagnostics, "nothing to check, nothing to say"
        for d in diagnostics:
            assert inside(text, d.range.start) and inside(text, d.range.end), (d.code, d.range)
            assert (d.range.start.line, d.range.start.character) <= (d.range.end.line, d.range.end.character)
        # the server still answers, about this document and with a fresh one
        hover = await editor.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
        )
        assert hover is None or hover.contents
        check = from_fs_path(str(editor.folder / f"after-{uri.rsplit('/', 1)[1]}"))
        editor.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=check, language_id="plaintext", version=1, text=GENERIC))
        )
        assert "NL308" in {str(d.code) for d in (await published(editor, check, version=1)).diagnostics}




@pytest.mark.skipif(pytest_lsp is None, reason="needs the lsp extra")
def test_language_server_survives_bytes_that_are_not_utf8(tmp_path: Path):
    """A broken client sends a didOpen whose body is not UTF-8; the next requests are still answered."""
    uri = (tmp_path / "d.txt").as_uri()
    not_utf8 = (b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "'
                + uri.encode() + b'", "languageId": "plaintext", "version": 1, "text": "caf\xe9 \xff\xfe"}}}')
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        not_utf8,
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}},
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    proc, replies = lsp_exchange(messages, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert "capabilities" in replies[1]["result"]
    assert 2 in replies and 3 in replies



def test_the_in_process_api_takes_a_lone_surrogate():
    # Files and stdin are decoded strictly and never carry one; an API caller or an editor can.
    from linter.config import Config
    from linter.engine import Linter

    report = Linter(Config(), model=None).lint_text("Hi Ana,\n\nI came across your profile \ud800 and would love to connect.\n")
    nl101 = next(f for f in report.findings if f.code == "NL101")
    assert report.text[nl101.start:nl101.end] == "I came across your profile"

"""The warm server, run for real: stdin lints through it print what an in-process run prints, it stops when
idle or asked, and a stale, dead or foreign socket never changes what a user sees."""

from __future__ import annotations

import os
import pty
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import pytest

from conftest import EXAMPLES, netlint

DRAFT = (EXAMPLES / "pick-your-brain.txt").read_text(encoding="utf-8")
IN_PROCESS = {"NETLINT_SERVER": "0"}


@pytest.fixture
def runtime():
    """A private runtime folder of its own (short: a socket path must fit in 107 bytes)."""
    folder = tempfile.mkdtemp(prefix="nl-", dir="/tmp")
    env = {"XDG_RUNTIME_DIR": folder}
    yield env
    netlint("server", "stop", env=env)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server(runtime):
    started = netlint("server", "start", "--idle-timeout", "120", env=runtime)
    assert started.code == 0 and "started" in started.out, started.err
    return runtime


def served(env) -> int:
    """How many lints the running server has answered (from `netlint server status`)."""
    status = netlint("server", "status", env=env)
    assert status.code == 0, status.out
    return int(status.out.split("lints=")[1].split()[0])


def socket_file(env) -> Path:
    from linter.server import socket_path

    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]
    try:
        return Path(socket_path())
    finally:
        if saved is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = saved


def same_as_in_process(*args, env, input=DRAFT, cwd=None):
    through = netlint(*args, input=input, env=env, cwd=cwd)
    here = netlint(*args, input=input, env={**env, **IN_PROCESS}, cwd=cwd)
    assert (through.out, through.err, through.code) == (here.out, here.err, here.code)
    return through


@pytest.mark.parametrize("args", [
    ("-", "--stdin-filename", "draft.txt"),
    ("-", "--stdin-filename", "draft.txt", "--format", "json"),
    ("check", "-", "--format", "sarif", "--select", "NL1"),
    ("-", "--stdin-filename", "outreach.j2", "-q", "--statistics"),
    ("-", "--fix", "--unsafe-fixes"),
    ("-", "--bogus-option"),
    ("-", "--select", "NL999"),
])
def test_a_stdin_lint_through_the_server_prints_what_an_in_process_run_prints(server, args):
    before = served(server)
    same_as_in_process(*args, env=server)
    assert served(server) == before + 1


def test_errors_and_exit_codes_are_the_same_through_the_server(server):
    empty = same_as_in_process("-", env=server, input="   \n")
    assert empty.code == 2 and "nothing to lint" in empty.err
    broken = same_as_in_process("-", "--stdin-filename", "bad.txt", env=server, input=b"caf\xe9 tomorrow?")
    assert broken.code == 2 and "not UTF-8" in broken.err


def test_configuration_is_found_from_the_callers_folder_and_read_afresh(server, tmp_path):
    config = tmp_path / ".netlint.toml"
    config.write_text('ignore = ["NL101"]\n')
    quiet = same_as_in_process("-", "--stdin-filename", "draft.txt", "--format", "concise", env=server, cwd=tmp_path)
    assert "NL101" not in quiet.out and "NL102" in quiet.out
    config.write_text("ignore = []\n")
    loud = same_as_in_process("-", "--stdin-filename", "draft.txt", "--format", "concise", env=server, cwd=tmp_path)
    assert "NL101" in loud.out
    config.write_text("ignore = [\n")
    broken = same_as_in_process("-", env=server, cwd=tmp_path)
    assert broken.code == 2 and ".netlint.toml" in broken.err


def test_an_edited_rule_folder_is_read_again(server, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (tmp_path / ".netlint.toml").write_text('rule-folders = ["rules"]\n')
    rule = rules / "coffee.yml"
    rule.write_text("""code: NL951
name: coffee-chat-ask
category: self_serving
severity: warning
strategy: Start Small
message: "'{match}' asks for time without saying what for"
why: A coffee chat costs the reader half an hour.
suggestion: Ask one question that fits in a reply.
phrases: ["grab a coffee"]
examples:
  flag: ["Could we grab a coffee next week?"]
  pass: ["Could you tell me which team owns billing?"]
""")
    draft = "Hi Ana, could we grab a coffee next week? I would love to hear about your work.\n"
    first = same_as_in_process("-", "--format", "concise", env=server, cwd=tmp_path, input=draft)
    assert "NL951" in first.out, first.out + first.err
    rule.write_text(rule.read_text().replace("grab a coffee", "hop on a call"))
    second = same_as_in_process("-", "--format", "concise", env=server, cwd=tmp_path, input=draft)
    assert "NL951" not in second.out


def test_colour_follows_the_callers_terminal(server):
    def on_a_terminal(env) -> bytes:
        leader, follower = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "linter", "-", "--stdin-filename", "draft.txt"],
                                stdin=subprocess.PIPE, stdout=follower, stderr=subprocess.DEVNULL,
                                env={k: v for k, v in {**os.environ, **env}.items() if k != "NO_COLOR"})
        os.close(follower)
        proc.communicate(DRAFT.encode(), timeout=120)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            out += chunk
        os.close(leader)
        return out

    before = served(server)
    coloured = on_a_terminal(server)
    assert b"\x1b[" in coloured
    assert coloured == on_a_terminal({**server, **IN_PROCESS})
    assert served(server) == before + 1


def test_the_server_keeps_the_model_and_linter_warm_between_lints(server, tmp_path):
    (tmp_path / ".netlint.toml").write_text('ignore = ["NL110"]\n')  # not the warm-up's configuration
    for _ in range(3):
        netlint("-", input=DRAFT, env=server, cwd=tmp_path)
    status = netlint("server", "status", env=server).out
    for count in ("models_loaded=1 ", "model_reuses=3 ", "linters_built=2 ", "linter_reuses=2 ", "lints=3"):
        assert count in status, status


def test_stop_stops_it_and_removes_its_socket(server):
    assert socket_file(server).exists()
    stopped = netlint("server", "stop", env=server)
    assert stopped.code == 0 and "stopped" in stopped.out
    assert netlint("server", "status", env=server).code == 1
    assert not socket_file(server).exists()
    same_as_in_process("-", env=server)  # nothing listens now: the lint runs in-process


def test_it_stops_by_itself_when_idle(runtime):
    assert netlint("server", "start", "--idle-timeout", "1", env=runtime).code == 0
    deadline = time.monotonic() + 30
    while netlint("server", "status", env=runtime).code == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert netlint("server", "status", env=runtime).out.strip() == "netlint server: not running"
    assert not socket_file(runtime).exists()


def test_a_stale_socket_file_changes_nothing_and_a_new_server_replaces_it(runtime):
    path = socket_file(runtime)
    path.parent.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nothing listens: a server that was killed
    same_as_in_process("-", "--stdin-filename", "draft.txt", env=runtime)
    assert netlint("server", "start", env=runtime).code == 0
    assert served(runtime) == 0
    same_as_in_process("-", "--stdin-filename", "draft.txt", env=runtime)
    assert served(runtime) == 1


def test_a_server_that_dies_mid_request_leaves_the_lint_to_run_in_process(runtime):
    path = socket_file(runtime)
    path.parent.mkdir(mode=0o700)
    dying = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dying.bind(str(path))
    dying.listen(1)
    received = []

    def accept_then_die():
        connection, _ = dying.accept()
        received.append(connection.recv(1 << 20))
        connection.sendall(b"\x00\x00\x00\x04out\x00")  # half a reply, then gone
        connection.close()

    thread = threading.Thread(target=accept_then_die)
    thread.start()
    through = netlint("-", "--stdin-filename", "draft.txt", input=DRAFT, env=runtime)
    thread.join(timeout=30)
    dying.close()
    here = netlint("-", "--stdin-filename", "draft.txt", input=DRAFT, env={**runtime, **IN_PROCESS})
    assert received and received[0].startswith(b"\x00\x00\x00\x05magic")
    assert (through.out, through.err, through.code) == (here.out, here.err, here.code)


def test_a_runtime_folder_open_to_others_is_not_used(runtime):
    folder = Path(runtime["XDG_RUNTIME_DIR"]) / "netlint"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    refused = netlint("server", "start", env=runtime)
    assert refused.code == 2 and "private" in refused.err
    same_as_in_process("-", env=runtime)


def test_netlint_server_1_starts_a_server_on_demand_and_unset_does_not(runtime):
    same_as_in_process("-", env=runtime)
    time.sleep(0.5)
    assert netlint("server", "status", env=runtime).code == 1
    same_as_in_process("-", env={**runtime, "NETLINT_SERVER": "1"})
    deadline = time.monotonic() + 60
    while netlint("server", "status", env=runtime).code != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert served(runtime) == 0
    same_as_in_process("-", env=runtime)
    assert served(runtime) == 1


def test_a_second_start_finds_the_first_server(server):
    again = netlint("server", "start", env=server)
    assert again.code == 0 and "already running" in again.out


@pytest.mark.parametrize("args, reads", [
    (["-"], True),
    (["check", "-", "--format", "json"], True),
    (["--stdin-filename", "-", "draft.txt"], False),  # `-` is the option's value here
    (["-qj", "2", "-"], True),
    (["-j2", "-"], True),
    (["--", "-"], True),
    (["draft.txt"], False),
    (["rewrite", "-"], False),
    (["-", "--help"], False),
    (["--version"], False),
    ([], False),
])
def test_only_lints_that_read_stdin_are_sent_to_the_server(args, reads):
    from linter.server.client import reads_stdin

    assert reads_stdin(args) is reads


def test_the_clients_view_of_the_command_line_matches_the_click_commands():
    from linter.cli import check_command, main_group
    from linter.server.client import OTHER_COMMANDS, VALUE_OPTIONS

    takes_value = {name for p in check_command.params if isinstance(p, click.Option) and not p.is_flag for name in p.opts}
    assert VALUE_OPTIONS == takes_value
    assert OTHER_COMMANDS == set(main_group.commands) - {"check"}

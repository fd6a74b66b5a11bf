"""What a user sees, in every output format, compared with snapshots a reviewer can read.

Each output is produced the way a user produces it: the command run from the repository root, or the
language server driven over stdio by an editor-like client.

After a deliberate change to the output, rewrite the snapshots and review their diff:
    NETLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import ROOT, netlint

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATING = os.environ.get("NETLINT_UPDATE_SNAPSHOTS") == "1"

# Each example as a user runs it from the repository root, and the exit code they get.
EXAMPLES = {
    "pick-your-brain": ("examples/pick-your-brain.txt", 1),
    "specific-value-first": ("examples/specific-value-first.txt", 0),
    "first-name-only": ("examples/templates/first-name-only.j2", 1),
}
ALL_EXAMPLES = [path for path, _ in EXAMPLES.values()]

# Every other output netlint prints: snapshot file -> (the command's arguments, its exit code).
COMMANDS = {
    "examples.concise": (["--format", "concise", *ALL_EXAMPLES], 1),
    "examples.jsonl": (["--format", "json-lines", *ALL_EXAMPLES], 1),
    "examples.github": (["--format", "github", *ALL_EXAMPLES], 1),
    "examples.sarif": (["--format", "sarif", *ALL_EXAMPLES], 1),
    # Text over several files ends with the run's summary line, then --statistics counts each rule; the
    # genericness rules only (NL1) keep it short.
    "examples-statistics.txt": (["--select", "NL1", "--statistics", "--no-color", *ALL_EXAMPLES], 1),
    "rules.txt": (["rules"], 0),
    "rules.json": (["rules", "--format", "json"], 0),
    "explain-NL401.txt": (["explain", "NL401"], 0),
    "explain-NL401.json": (["explain", "NL401", "--format", "json"], 0),
    "rewrite-pick-your-brain.json": (["rewrite", "examples/pick-your-brain.txt", "--format", "json"], 0),
}


def pretty(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def differences(expected: str, actual: str, snapshot: Path) -> str:
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"tests/snapshots/{snapshot.name}",
        tofile="netlint now",
    )
    return (
        f"output differs from tests/snapshots/{snapshot.name}; if that is intended, run\n"
        f"    NETLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py\n" + "".join(diff)
    )


def assert_matches_snapshot(actual: str, name: str) -> None:
    """The output, to the byte, is the snapshot's text."""
    snapshot = SNAPSHOTS / name
    if UPDATING:
        snapshot.write_bytes(actual.encode("utf-8"))
        return
    expected = snapshot.read_bytes().decode("utf-8")
    if actual != expected:
        pytest.fail(differences(expected, actual, snapshot), pytrace=False)


@pytest.mark.parametrize("name", EXAMPLES)
def test_text_report_matches_snapshot(name):
    path, exit_code = EXAMPLES[name]
    result = netlint(path, "--format", "text", "--no-color")
    assert result.code == exit_code, result.err
    assert_matches_snapshot(result.out, f"{name}.txt")


@pytest.mark.parametrize("name", EXAMPLES)
def test_json_report_matches_snapshot(name):
    path, exit_code = EXAMPLES[name]
    result = netlint(path, "--format", "json")
    assert result.code == exit_code, result.err
    # The whole report is compared: nothing in it varies between machines (the path is as given, relative
    # to the repository root where the command runs, and the report holds no timings).
    report = result.json()
    snapshot = SNAPSHOTS / f"{name}.json"
    if UPDATING:
        snapshot.write_text(pretty(report), encoding="utf-8")
        return
    expected = json.loads(snapshot.read_text(encoding="utf-8"))
    if report != expected:
        pytest.fail(differences(pretty(expected), pretty(report), snapshot), pytrace=False)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_output_matches_snapshot(name):
    args, exit_code = COMMANDS[name]
    result = netlint(*args)
    assert result.code == exit_code, result.err
    assert_matches_snapshot(result.out, name)


# ---- the language server: what an editor receives for examples/pick-your-brain.txt

EDITOR = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
    )
)
ROOT_URI = from_fs_path(str(ROOT))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "lsp"]))
async def editor(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=EDITOR, root_uri=ROOT_URI))
    yield
    await lsp_client.shutdown_session()


async def hover_at(editor: LanguageClient, uri: str, text: str, words: str) -> str:
    """The hover text with the pointer on the first letter of `words` (on line 5 of the draft)."""
    line = text.splitlines()[4]
    hover = await editor.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri),
                          position=types.Position(line=4, character=line.index(words)))
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value + "\n"


@pytest.mark.asyncio
async def test_editor_diagnostics_and_hovers_match_snapshots(editor: LanguageClient):
    path = ROOT / "examples" / "pick-your-brain.txt"
    text = path.read_text(encoding="utf-8")
    uri = from_fs_path(str(path))
    editor.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text))
    )
    await editor.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    # As sent over the wire; the document's URI names this checkout, so the snapshot holds ROOT instead.
    sent = default_converter().unstructure(list(editor.diagnostics[uri]), list[types.Diagnostic])
    assert_matches_snapshot(pretty(sent).replace(ROOT_URI, "file://ROOT"), "pick-your-brain.diagnostics.json")
    # Three findings start at "I came across": one hover, three sections.
    assert_matches_snapshot(await hover_at(editor, uri, text, "I came across"), "pick-your-brain.hover-came-across.md")
    # A finding with a quick fix says so.
    assert_matches_snapshot(await hover_at(editor, uri, text, "Sorry to bother"), "pick-your-brain.hover-sorry.md")

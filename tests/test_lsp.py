"""The language server, driven over stdio by pytest-lsp the way an editor drives it.

One server (VS Code's capabilities, UTF-16 positions) serves most tests in this module; a second one
negotiates UTF-8 positions; a raw-bytes test sends what a broken client might. Expected positions are
computed here from the text, independently of the server's own conversion code.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from conftest import lsp_exchange

asyncio_test = pytest.mark.asyncio(loop_scope="module")  # one event loop, shared with the module's server

SERVER = [sys.executable, "-m", "linter", "lsp"]  # the command editors run
ROOT = Path(__file__).resolve().parent.parent
DRAFT = (ROOT / "examples" / "pick-your-brain.txt").read_text(encoding="utf-8")
TIMEOUT = 30


# ---- a test client that keeps every publishDiagnostics it receives, with its version


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # every PublishDiagnosticsParams, in order
    client.registrations = []
    features = dict(DEFAULT_CLIENT_FEATURES)
    record = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.published.append(params)
        record(client, params)

    def register_capability(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)  # VS Code accepts file watchers; so does this client

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register_capability
    register_lsp_features(client, features)
    return client


async def published(client: LanguageClient, uri: str, *, version: int | None = None, since: int = 0) -> types.PublishDiagnosticsParams:
    """The first diagnostics for `uri` (for `version`, if given) received after the first `since`."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for params in client.published[since:]:
            if params.uri == uri and (version is None or params.version == version):
                return params
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {uri} v{version} within {TIMEOUT} s")


def by_code(diagnostics) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in diagnostics}


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def lines_of(text: str) -> list[str]:
    """Lines as the LSP counts them: broken at CRLF, CR or LF only."""
    out, current, i = [], "", 0
    while i < len(text):
        if text[i] == "\r":
            out.append(current)
            current = ""
            i += 2 if text[i + 1 : i + 2] == "\n" else 1
        elif text[i] == "\n":
            out.append(current)
            current = ""
            i += 1
        else:
            current += text[i]
            i += 1
    out.append(current)
    return out


def position_of(text: str, offset: int, measure=utf16) -> tuple[int, int]:
    line_texts = lines_of(text[:offset])
    return len(line_texts) - 1, measure(line_texts[-1])


def offset_of(text: str, line: int, character: int, measure=utf16) -> int:
    """Offset of an LSP position; characters are counted in the units of `measure`."""
    all_lines = lines_of(text)
    consumed = 0
    for i in range(line):
        consumed += len(all_lines[i])
        consumed += 2 if text[consumed : consumed + 2] == "\r\n" else 1
    units, index = 0, consumed
    while units < character:
        units += measure(text[index])
        index += 1
    return index


def apply_edits(text: str, edits) -> str:
    spans = sorted(
        ((offset_of(text, e.range.start.line, e.range.start.character),
          offset_of(text, e.range.end.line, e.range.end.character), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_for(action: types.CodeAction, uri: str):
    edit = action.edit
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return edit.changes[uri]


# ---- fixtures


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lsp-workspace")
    (folder / ".netlint.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    return folder


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: LanguageClient, workspace: Path):
    lsp_client.set_configuration({}, section="netlint")
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=from_fs_path(str(workspace)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(workspace)), name="drafts")],
        )
    )
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    yield
    await lsp_client.shutdown_session()


class Docs:
    """Opens documents with unique URIs in the module's workspace."""

    count = 0

    @classmethod
    def open(cls, client: LanguageClient, workspace: Path, text: str, suffix: str = ".txt", language: str = "plaintext") -> str:
        cls.count += 1
        uri = from_fs_path(str(workspace / f"draft{cls.count}{suffix}"))
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
        )
        return uri


def change(client: LanguageClient, uri: str, version: int, text: str, range_: types.Range | None = None) -> None:
    event = (types.TextDocumentContentChangeWholeDocument(text=text) if range_ is None
             else types.TextDocumentContentChangePartial(range=range_, text=text))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[event]
        )
    )


# ---- tests


@asyncio_test
async def test_open_publishes_diagnostics_with_code_range_severity(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    params = await published(client, uri, version=1)
    found = by_code(params.diagnostics)
    assert {"NL101", "NL102", "NL110", "NL308", "NL401"} <= set(found)

    phrase = "pick your brain"
    start = DRAFT.index(phrase)
    nl308 = found["NL308"]
    assert (nl308.range.start.line, nl308.range.start.character) == position_of(DRAFT, start)
    assert (nl308.range.end.line, nl308.range.end.character) == position_of(DRAFT, start + len(phrase))
    assert nl308.severity == types.DiagnosticSeverity.Warning
    assert nl308.source == "netlint"
    assert "(Define Clear Goals)" in nl308.message
    assert found["NL110"].severity == types.DiagnosticSeverity.Information
    # why and suggestion travel with the diagnostic
    assert "unbounded time" in nl308.data["why"]
    assert nl308.data["suggestion"].startswith("Replace 'pick your brain'")
    assert nl308.data["version"] == 1


@asyncio_test
async def test_hover_explains_the_finding(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    params = await published(client, uri, version=1)
    nl308 = by_code(params.diagnostics)["NL308"]
    inside = types.Position(line=nl308.range.start.line, character=nl308.range.start.character + 3)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=inside)
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    assert "NL308" in hover.contents.value
    assert "**Why:**" in hover.contents.value and "unbounded time" in hover.contents.value
    assert "**Suggestion:**" in hover.contents.value
    nothing = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=2))
    )
    assert nothing is None


@asyncio_test
async def test_edit_publishes_diagnostics_for_the_new_version(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    await published(client, uri, version=1)
    sentence = " I'm a recent graduate looking for opportunities in product management and I would love to pick your brain."
    start = DRAFT.index(sentence)
    line, character = position_of(DRAFT, start)
    end_line, end_character = position_of(DRAFT, start + len(sentence))
    change(client, uri, 2, "", types.Range(start=types.Position(line=line, character=character),
                                           end=types.Position(line=end_line, character=end_character)))
    params = await published(client, uri, version=2)
    assert "NL308" not in by_code(params.diagnostics)
    assert "NL102" in by_code(params.diagnostics)


@asyncio_test
async def test_rapid_edits_publish_only_the_latest_version(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    await published(client, uri, version=1)
    since = len(client.published)
    text = DRAFT
    for version in range(2, 12):  # ten keystrokes in a burst
        text = text.replace("Sam", "Sam" + "!")
        change(client, uri, version, text)
    params = await published(client, uri, version=11, since=since)
    assert "NL308" in by_code(params.diagnostics)
    await asyncio.sleep(0.3)
    versions = [p.version for p in client.published[since:] if p.uri == uri]
    # With no debounce a fast machine may publish some intermediate versions, each current when it was
    # analysed; never an older version after a newer one, and the last one is the newest text.
    assert versions[-1] == 11 and versions == sorted(set(versions)), versions


@asyncio_test
async def test_quick_fix_removes_the_finding(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    params = await published(client, uri, version=1)
    nl102 = by_code(params.diagnostics)["NL102"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=nl102.range,
            context=types.CodeActionContext(diagnostics=[nl102]),
        )
    )
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(quick) == 1 and "NL102" in quick[0].title
    assert quick[0].edit.document_changes[0].text_document.version == 1
    fixed = apply_edits(DRAFT, edits_for(quick[0], uri))
    assert "I hope this email finds you well" not in fixed
    assert "\n\nI came across your profile" in fixed  # the next sentence keeps its place and capital

    change(client, uri, 2, fixed)
    after = await published(client, uri, version=2)
    assert "NL102" not in by_code(after.diagnostics)
    assert "NL308" in by_code(after.diagnostics)


@asyncio_test
async def test_fix_all_source_action_matches_netlint_fix(client: LanguageClient, workspace: Path, linter):
    from linter import fixes

    uri = Docs.open(client, workspace, DRAFT)
    await published(client, uri, version=1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.netlint"]
    assert actions[0].title == "Fix all safe netlint findings"
    fixed = apply_edits(DRAFT, edits_for(actions[0], uri))
    expected, count = fixes.apply(DRAFT, linter.lint_text(DRAFT, "draft.txt").findings)
    assert count >= 2 and fixed == expected

    change(client, uri, 2, fixed)
    after = by_code((await published(client, uri, version=2)).diagnostics)
    assert not {"NL102", "NL401"} & set(after)


async def code_actions(client: LanguageClient, uri: str, only=None) -> list[types.CodeAction]:
    """The actions an editor's refactor menu (or lightbulb, with no `only`) shows at the top of the file."""
    top = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=top,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    ) or []


@asyncio_test
async def test_rewrite_action_restructures_a_failing_draft(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    assert {"NL101", "NL102"} <= set(by_code((await published(client, uri, version=1)).diagnostics))

    actions = await code_actions(client, uri, only=[types.CodeActionKind.Refactor])
    assert [a.kind for a in actions] == ["refactor.rewrite"]
    assert actions[0].title == "netlint: rewrite this message (hook, offer, one small ask, easy out)"
    assert actions[0].edit.document_changes[0].text_document.version == 1
    [edit] = edits_for(actions[0], uri)
    assert (edit.range.start.line, edit.range.start.character) == (0, 0)
    assert (edit.range.end.line, edit.range.end.character) == position_of(DRAFT, len(DRAFT))  # the whole message

    rewritten = apply_edits(DRAFT, [edit])
    assert rewritten.startswith("Hi Jordan,")
    assert "[the specific post, talk or project of theirs you read" in rewritten  # slots to fill
    assert "15-minute call next week about [one specific question]" in rewritten  # one small ask
    assert "no worries" in rewritten  # an easy out
    assert rewritten.rstrip().endswith("Sam")
    assert "finds you well" not in rewritten and "pick your brain" not in rewritten

    change(client, uri, 2, rewritten)
    after = by_code((await published(client, uri, version=2)).diagnostics)
    assert not {"NL101", "NL102"} & set(after)  # the generic openers are gone


@asyncio_test
async def test_no_rewrite_action_for_a_passing_draft_or_a_template(client: LanguageClient, workspace: Path):
    passing = (ROOT / "examples" / "specific-value-first.txt").read_text(encoding="utf-8")
    uri = Docs.open(client, workspace, passing)
    await published(client, uri, version=1)
    assert "refactor.rewrite" not in [a.kind for a in await code_actions(client, uri)]

    template = "Hi {{ first_name }},\n\nI came across your profile at {{ company }} and would love to connect.\n\nBest,\nSam\n"
    uri = Docs.open(client, workspace, template, language="jinja")
    assert "NL101" in by_code((await published(client, uri, version=1)).diagnostics)
    assert "refactor.rewrite" not in [a.kind for a in await code_actions(client, uri)]


@asyncio_test
async def test_configuration_change_relints_open_documents(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    await published(client, uri, version=1)
    try:
        # pull: the client announces a change and answers workspace/configuration
        since = len(client.published)
        client.set_configuration({"ignore": ["NL308", "genericness"]}, section="netlint")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        codes = set(by_code((await published(client, uri, version=1, since=since)).diagnostics))
        assert "NL308" not in codes and "NL102" not in codes and "NL401" in codes

        # push: the settings come with the notification
        since = len(client.published)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"netlint": {"select": ["NL102"]}}))
        codes = set(by_code((await published(client, uri, version=1, since=since)).diagnostics))
        assert codes == {"NL102"}

        # an unknown rule code is reported on the document, not crashed on
        since = len(client.published)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"netlint": {"select": ["NL999"]}}))
        diagnostics = (await published(client, uri, version=1, since=since)).diagnostics
        assert [d.code for d in diagnostics] == ["netlint-config"] and "NL999" in diagnostics[0].message
    finally:
        since = len(client.published)
        client.set_configuration({}, section="netlint")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"netlint": {}}))
        assert "NL308" in by_code((await published(client, uri, version=1, since=since)).diagnostics)


@asyncio_test
async def test_workspace_config_file_is_used_and_reloaded(client: LanguageClient, workspace: Path):
    folder = workspace / "team"
    folder.mkdir()
    config = folder / ".netlint.toml"
    config.write_text('ignore = ["NL308"]\n', encoding="utf-8")
    uri = from_fs_path(str(folder / "note.md"))
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=DRAFT))
    )
    codes = set(by_code((await published(client, uri, version=1)).diagnostics))
    assert "NL308" not in codes and "NL102" in codes

    # the server asked the client to watch configuration files; the client reports a change
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)
    config.write_text('ignore = ["NL102"]\n', encoding="utf-8")
    since = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=from_fs_path(str(config)), type=types.FileChangeType.Changed)])
    )
    codes = set(by_code((await published(client, uri, version=1, since=since)).diagnostics))
    assert "NL308" in codes and "NL102" not in codes

    config.write_text('ignore = ["NL102"\n', encoding="utf-8")  # broken TOML: said on the document
    since = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=from_fs_path(str(config)))))
    diagnostics = (await published(client, uri, version=1, since=since)).diagnostics
    assert [d.code for d in diagnostics] == ["netlint-config"] and "not valid TOML" in diagnostics[0].message

    config.write_text('exclude = ["*.md"]\n', encoding="utf-8")
    since = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=from_fs_path(str(config)))))
    assert not (await published(client, uri, version=1, since=since)).diagnostics


@asyncio_test
async def test_jinja_template_is_linted_as_a_template(client: LanguageClient, workspace: Path):
    template = "Hi {{ first_name }},\n\nI came across your profile at {{ company }} and would love to connect.\n\nBest,\nSam\n"
    uri = Docs.open(client, workspace, template, suffix=".txt", language="jinja")
    codes = set(by_code((await published(client, uri, version=1)).diagnostics))
    assert "NL702" in codes  # identity-only template: a template rule, so the template mode applied


@asyncio_test
async def test_positions_with_emoji_cjk_combining_marks_and_crlf_are_utf16(client: LanguageClient, workspace: Path):
    text = (
        "Subject: Quick question \U0001F600\r\n\r\n"
        "Hi Jorda\u0301n \U0001F44B\U0001F3FD \u4F60\u597D,\r\n\r\n"
        "\U0001F389\U0001F389 Sorry to bother you, but I came across your profile \U0001F60A and I would love to pick your brain.\r\n"
        "\r\nThanks in advance,\r\nSam\r\n"
    )
    uri = Docs.open(client, workspace, text)
    found = by_code((await published(client, uri, version=1)).diagnostics)
    for code, phrase in (("NL401", "Sorry to bother you, but"), ("NL101", "I came across your profile"),
                         ("NL308", "pick your brain"), ("NL110", "Thanks in advance")):
        start = text.index(phrase)
        got = found[code].range
        assert (got.start.line, got.start.character) == position_of(text, start), code
        assert (got.end.line, got.end.character) == position_of(text, start + len(phrase)), code
    # the emoji before the phrase count two UTF-16 units each
    assert found["NL401"].range.start.character == 5
    # an incremental edit after an emoji on a CRLF line lands where the client meant it
    nl308 = found["NL308"]
    change(client, uri, 2, "ask you one question about pricing", nl308.range)
    after = await published(client, uri, version=2)
    assert "NL308" not in by_code(after.diagnostics)
    assert "NL401" in by_code(after.diagnostics)


@asyncio_test
async def test_fifty_thousand_words_do_not_freeze_the_server(client: LanguageClient, workspace: Path):
    paragraph = ("I would love to pick your brain about product roadmaps and how your team decides what to build next. " * 5).strip()
    text = "Hi Jordan,\n\n" + "\n\n".join([paragraph] * 530) + "\n\nThanks,\nSam\n"
    assert len(text.split()) >= 50_000
    small = Docs.open(client, workspace, DRAFT)
    await published(client, small, version=1)
    since = len(client.published)
    opened = time.monotonic()
    uri = Docs.open(client, workspace, text)
    waits = []  # hover round trips while the big text is being analysed
    while not any(p.uri == uri for p in client.published[since:]):
        asked = time.monotonic()
        await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=small), position=types.Position(line=0, character=0))
        )
        waits.append(time.monotonic() - asked)
        assert time.monotonic() - opened < TIMEOUT
        await asyncio.sleep(0.01)
    # The protocol thread kept answering while the analysis ran: a blocked one would have held the first
    # hover until the analysis was published, so no reply may wait half a second.
    assert waits and max(waits) < 0.5, waits
    params = await published(client, uri, version=1)
    truncated = [d for d in params.diagnostics if d.code == "netlint-truncated"]
    assert len(truncated) == 1 and truncated[0].severity == types.DiagnosticSeverity.Information
    assert "checked only the first" in truncated[0].message
    assert any(d.code == "NL308" for d in params.diagnostics)


@asyncio_test
async def test_unknown_method_and_bad_request_do_not_break_the_server(client: LanguageClient, workspace: Path):
    from pygls.exceptions import JsonRpcMethodNotFound

    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("netlint/noSuchMethod", {})
    client.protocol.notify("netlint/noSuchNotification", {})
    uri = Docs.open(client, workspace, DRAFT)
    assert (await published(client, uri, version=1)).diagnostics
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri + "-not-open"), position=types.Position(line=0, character=0))
    )
    assert hover is None


@asyncio_test
async def test_close_clears_diagnostics(client: LanguageClient, workspace: Path):
    uri = Docs.open(client, workspace, DRAFT)
    await published(client, uri, version=1)
    since = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert not (await published(client, uri, since=since)).diagnostics


# ---- a second server: Neovim's capabilities, UTF-8 positions, settings as initialization options


@asyncio_test
async def test_utf8_positions_and_clean_shutdown(workspace: Path):
    client = await ClientServerConfig(server_command=SERVER, client_factory=make_client).start()
    try:
        capabilities = client_capabilities("neovim")
        capabilities.general.position_encodings = ["utf-8", "utf-16"]
        result = await client.initialize_session(
            types.InitializeParams(capabilities=capabilities, root_uri=from_fs_path(str(workspace)),
                                   initialization_options={"netlint": {"ignore": ["NL401"]}})
        )
        assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
        text = "Hi J\u00f6rg \u4F60\u597D \U0001F600,\r\n\r\nSorry to bother you, but caf\u00e9 \U0001F600 I would love to pick your brain.\r\n"
        uri = from_fs_path(str(workspace / "utf8.txt"))
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text))
        )
        found = by_code((await published(client, uri, version=1)).diagnostics)
        start = text.index("pick your brain")
        utf8 = lambda s: len(s.encode("utf-8"))  # noqa: E731
        assert "NL401" not in found  # the initialization options' settings apply
        got = found["NL308"].range
        assert (got.start.line, got.start.character) == position_of(text, start, utf8)
        assert (got.end.line, got.end.character) == position_of(text, start + len("pick your brain"), utf8)
        await client.shutdown_session()
        assert client._server.returncode == 0
    finally:
        await client.stop()


def test_raw_stdio_malformed_input_then_clean_exit(tmp_path: Path):
    """Bytes a broken client might send: bad JSON, bad params, unknown methods. Every request is answered."""

    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        b"{this is not json",
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": 5}},
        {"jsonrpc": "2.0", "id": 3, "method": "netlint/unknown", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": "nope"}},
        {"jsonrpc": "2.0", "method": "$/unknownNotification", "params": {}},
        {"jsonrpc": "2.0", "id": 4, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": "file:///nowhere.txt"},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []}}},
        {"jsonrpc": "2.0", "id": 5, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    proc, replies = lsp_exchange(messages, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "capabilities" in replies[1]["result"]
    assert replies[2]["error"]["code"] == -32602  # invalid params
    assert replies[3]["error"]["code"] == -32601  # method not found
    assert replies[4]["result"] is None
    assert replies[5]["result"] is None


# ---- the pieces that make those guarantees, in process


def test_worker_replaces_a_pending_job_with_the_newer_one():
    import threading

    from linter.lsp import Worker

    async def scenario():
        worker = Worker()
        release = threading.Event()
        ran = []
        busy = worker.submit("a", lambda: release.wait(5) and ran.append("a"))
        older = worker.submit("b", lambda: ran.append("b-old"))
        newer = worker.submit("b", lambda: ran.append("b-new"))  # replaces the one still waiting
        release.set()
        await busy
        await newer
        assert older.cancelled()
        assert ran == ["a", "b-new"]
        worker.stop()

    asyncio.run(scenario())


def test_position_map_uses_lsp_line_breaks_and_encodings():
    from linter.lsp import PositionMap

    text = "a\u2028b\x0cc\r\n\U0001F600x\rJo\u0301\u4F60y\nz"
    for encoding, measure in (("utf-16", utf16), ("utf-8", lambda s: len(s.encode("utf-8"))), ("utf-32", len)):
        positions = PositionMap(text, encoding)
        for offset in range(len(text) + 1):
            if text[offset - 1 : offset + 1] == "\r\n":
                continue  # between CR and LF: not a position
            got = positions.position(offset)
            assert (got.line, got.character) == position_of(text, offset, measure), (encoding, offset)
            assert positions.offset(got) == offset, (encoding, offset)
    # U+2028 and form feed do not end lines; a position past the end of a line is its end
    assert PositionMap(text).position(text.index("x")).line == 1
    assert PositionMap(text).offset(types.Position(line=0, character=99)) == text.index("\r")

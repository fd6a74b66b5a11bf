"""`netlint lsp`: the language server (LSP over stdio, pygls 2).

Diagnostics are pushed on didOpen, didChange and didSave; hover explains a finding (why and
suggestion); code actions offer one quick fix per fixable finding, `source.fixAll.netlint` for every
safe fix and, for a failing draft (not a template), `refactor.rewrite`: the whole message rewritten as
`netlint rewrite` does (hook, offer, one small ask, easy out, with [slots] to fill). Configuration comes
from the document's folder (`.netlint.toml` / `[tool.netlint]`, as on the command line) with the
client's `netlint` settings on top (`select`, `ignore`, `extendSelect`, `mode`, `debounceMs`,
`maxCharacters`).

How it stays responsive:

- spaCy, the rules and the classifier load once, on a worker thread, while the client initialises; one
  `Linter` is cached per distinct `Config`.
- All analysis runs on that one worker thread, never on the protocol thread. The worker holds at most
  one pending job per document: a newer version replaces an older one that has not started, a job whose
  version is no longer current is skipped when it reaches the front, and results for a version that was
  edited meanwhile are dropped. The latest version always wins. Because of that there is no fixed
  debounce by default (`debounceMs` 0): a burst of keystrokes costs at most one analysis in flight
  and one pending, and a pause shows diagnostics as soon as one analysis finishes.
- Analysis reads at most `maxCharacters` (default 20,000, some 3,500 words; 0 for no limit); a longer
  document gets an Information diagnostic saying where checking stopped.
- Requests that cannot be read get a JSON-RPC error reply; unknown methods get MethodNotFound (requests)
  or are ignored (notifications). Logs go to stderr and, from netlint's own logger, to window/logMessage.

Positions: the server keeps its own copy of each open document (full or incremental sync) with LSP line
breaks (CRLF, CR, LF and nothing else) and converts netlint's character offsets into the negotiated
position encoding: UTF-16 code units unless the client offers utf-8 or utf-32 in
`general.positionEncodings`.

One file per job: `positions` (offsets <-> LSP positions), `settings` (the client's settings),
`worker` (the analysis thread), `analysis` (one document version's diagnostics, through a
`linter.session.Session`), `server` (the protocol, documents, hover and code actions, and `main`) and
`log` (stderr and window/logMessage); `__main__` runs it as `python -m linter.lsp`.
"""

from linter.lsp.positions import PositionMap
from linter.lsp.server import NetlintServer, main
from linter.lsp.settings import Settings, parse_settings
from linter.lsp.worker import Worker

__all__ = ["NetlintServer", "PositionMap", "Settings", "Worker", "main", "parse_settings"]

"""A minimal Language Server Protocol client over stdio, standard library only, for latency benchmarks.

It speaks just enough JSON-RPC 2.0 to start a server, open and change documents, and time how long the
server takes to publish diagnostics (push, `textDocument/publishDiagnostics`) or answer a pull request
(`textDocument/diagnostic`) when the server offers only that. Requests the server sends to the client
(`workspace/configuration`, `client/registerCapability`, `window/workDoneProgress/create`, ...) get a
null answer so no server waits on us. Every wait has a timeout; `close()` always ends the process.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable


class LspError(RuntimeError):
    """The server did not start, answered with an error, or went quiet past a timeout."""


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


class LspClient:
    def __init__(self, command: list[str], cwd: str | None = None, env: dict | None = None) -> None:
        self.command = command
        self.stderr_file = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
            cwd=cwd,
            env=env,
        )
        self.inbox: queue.Queue[tuple[float, dict | None]] = queue.Queue()
        self.stash: list[tuple[float, dict]] = []
        self.next_id = 1
        self.write_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.server_capabilities: dict = {}

    # -- wire ------------------------------------------------------------------------------------------
    def _read(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        self.inbox.put((time.perf_counter(), None))
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = stream.read(length)
                arrived = time.perf_counter()
                try:
                    message = json.loads(body.decode("utf-8"))
                except ValueError:
                    continue
                self.inbox.put((arrived, message))
        except (OSError, ValueError):
            self.inbox.put((time.perf_counter(), None))

    def _send(self, payload: dict) -> float:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        data = f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body
        with self.write_lock:
            sent = time.perf_counter()
            try:
                self.process.stdin.write(data)
                self.process.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise LspError(f"server closed its input ({exc.__class__.__name__}); {self.stderr_tail()}") from None
        return sent

    def request(self, method: str, params: Any) -> tuple[int, float]:
        request_id = self.next_id
        self.next_id += 1
        sent = self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id, sent

    def notify(self, method: str, params: Any) -> float:
        return self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def _answer_server_request(self, message: dict) -> None:
        method = message.get("method", "")
        params = message.get("params") or {}
        result: Any = None
        if method == "workspace/configuration":
            result = [None for _ in params.get("items", [])]
        try:
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        except LspError:
            pass

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float) -> tuple[float, dict]:
        """The first message (already stashed or arriving) that satisfies predicate, with its arrival time."""
        for index, (arrived, message) in enumerate(self.stash):
            if predicate(message):
                del self.stash[index]
                return arrived, message
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise LspError(f"no answer within {timeout:.0f} s; {self.stderr_tail()}")
            try:
                arrived, message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise LspError(f"server exited (code {self.process.poll()}); {self.stderr_tail()}")
            if "method" in message and "id" in message:  # a request from the server
                self._answer_server_request(message)
                continue
            if predicate(message):
                return arrived, message
            self.stash.append((arrived, message))
            if len(self.stash) > 1000:
                del self.stash[:500]

    def call(self, method: str, params: Any, timeout: float) -> tuple[float, dict]:
        request_id, sent = self.request(method, params)
        arrived, message = self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)
        if "error" in message:
            raise LspError(f"{method} failed: {message['error']}")
        return arrived - sent, message.get("result")

    # -- life cycle ------------------------------------------------------------------------------------
    def initialize(self, root: Path, timeout: float) -> float:
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "netlint-bench", "version": "1"},
            "rootUri": file_uri(root),
            "workspaceFolders": [{"uri": file_uri(root), "name": root.name}],
            "capabilities": {
                "textDocument": {
                    "synchronization": {"dynamicRegistration": False, "didSave": True},
                    "publishDiagnostics": {"versionSupport": True, "relatedInformation": False},
                    "diagnostic": {"dynamicRegistration": False},
                },
                "workspace": {"configuration": True, "workspaceFolders": True},
                "window": {"workDoneProgress": False},
            },
        }
        elapsed, result = self.call("initialize", params, timeout)
        self.server_capabilities = (result or {}).get("capabilities", {}) or {}
        self.notify("initialized", {})
        return elapsed

    def close(self, timeout: float = 5.0) -> None:
        try:
            if self.process.poll() is None:
                try:
                    self.call("shutdown", None, timeout)
                except LspError:
                    pass
                try:
                    self.notify("exit", None)
                except LspError:
                    pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=timeout)
        finally:
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass

    def stderr_tail(self, chars: int = 400) -> str:
        try:
            self.stderr_file.flush()
            self.stderr_file.seek(0)
            text = self.stderr_file.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return "stderr unavailable"
        return f"stderr: {text[-chars:]}" if text else "no stderr"

    # -- documents -------------------------------------------------------------------------------------
    @property
    def pull_diagnostics(self) -> bool:
        return bool(self.server_capabilities.get("diagnosticProvider"))

    def _published(self, uri: str, version: int | None) -> Callable[[dict], bool]:
        def matches(message: dict) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message.get("params") or {}
            if params.get("uri") != uri:
                return False
            published = params.get("version")
            return version is None or published is None or published == version

        return matches

    def diagnostics_after(self, sent: float, uri: str, version: int, mode: str, timeout: float) -> tuple[float, int]:
        """Seconds from `sent` to diagnostics for (uri, version), and how many diagnostics there were."""
        if mode == "pull":
            request_id, _ = self.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
            arrived, message = self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)
            if "error" in message:
                raise LspError(f"textDocument/diagnostic failed: {message['error']}")
            items = (message.get("result") or {}).get("items", [])
            return arrived - sent, len(items)
        arrived, message = self.wait_for(self._published(uri, version), timeout)
        return arrived - sent, len((message.get("params") or {}).get("diagnostics", []))

    def open(self, uri: str, text: str, language: str = "plaintext") -> float:
        item = {"uri": uri, "languageId": language, "version": 1, "text": text}
        return self.notify("textDocument/didOpen", {"textDocument": item})

    def change(self, uri: str, version: int, text: str) -> float:
        # A full-content change event is valid whatever sync kind (full or incremental) the server chose.
        return self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def close_document(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def drain(self, seconds: float) -> None:
        """Swallow late messages (e.g. a second publish for the same version) for a moment."""
        deadline = time.perf_counter() + seconds
        while (remaining := deadline - time.perf_counter()) > 0:
            try:
                arrived, message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                break
            if message is None:
                self.inbox.put((arrived, None))
                break
            if "method" in message and "id" in message:
                self._answer_server_request(message)
        self.stash.clear()

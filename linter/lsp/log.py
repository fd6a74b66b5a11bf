"""The server's logging: netlint's log records on stderr and, as window/logMessage, in the client."""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

from linter.lsp.worker import call_soon

if TYPE_CHECKING:
    from linter.lsp.server import NetlintServer


class ClientLogHandler(logging.Handler):
    """Sends netlint's log records to the client as window/logMessage, from the protocol thread."""

    LEVELS = (
        (logging.ERROR, types.MessageType.Error),
        (logging.WARNING, types.MessageType.Warning),
        (logging.INFO, types.MessageType.Info),
    )

    def __init__(self, server: NetlintServer) -> None:
        super().__init__()
        self.server = server
        self._sending = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        server = self.server
        if server.loop is None or server.protocol.writer is None or getattr(self._sending, "active", False):
            return
        kind = next((t for level, t in self.LEVELS if record.levelno >= level), types.MessageType.Log)
        try:
            params = types.LogMessageParams(type=kind, message=self.format(record))
        except Exception:  # noqa: BLE001
            return
        if threading.get_ident() == server.loop_thread:
            self._send(params)
        else:
            call_soon(server.loop, self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._sending.active = True
        try:
            self.server.window_log_message(params)
        except Exception:  # noqa: BLE001 - never let logging take the server down
            pass
        finally:
            self._sending.active = False



def configure_logging(level: str, server: NetlintServer) -> None:
    """netlint's records at `level` on stderr and in the client; other libraries' warnings on stderr only."""
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[stderr], force=True)
    netlint_logger = logging.getLogger("netlint")
    netlint_logger.setLevel(level.upper())
    client_log = ClientLogHandler(server)
    client_log.setFormatter(logging.Formatter("%(message)s"))
    netlint_logger.addHandler(client_log)

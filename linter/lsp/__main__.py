"""`python -m linter.lsp`: the language server, as `netlint lsp` starts it."""

import sys

from linter.lsp.server import main

sys.exit(main())

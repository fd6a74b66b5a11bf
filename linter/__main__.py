"""The `netlint` command's entry point (and `python -m linter`): a warm server first, else the full CLI.

A lint that reads stdin goes to a running `netlint server` when one listens (linter/server/client.py,
standard library only); everything else, and any trouble reaching a server, runs `linter.cli` here.
"""

import sys


def main() -> int:
    if "-" in sys.argv[1:]:  # only a lint of stdin can go to the server; others skip even this import
        from linter.server.client import forward

        code = forward(sys.argv)
        if code is not None:
            return code
    from linter.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())

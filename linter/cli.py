"""The `netlint` command.

`netlint [OPTIONS] PATHS...` lints; `netlint rules`, `netlint explain CODE` and `netlint train` are
subcommands. Heavy modules (spaCy, the engine) are imported inside commands so `--version` and `--help`
start as fast as Python does.

Exit codes: 0 nothing failed, 1 a file failed, 2 usage, configuration or input error.
"""

from __future__ import annotations

import os
import sys

import click

from linter import __version__

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class LintGroup(click.Group):
    """Runs `check` when the first argument is not a subcommand, so `netlint draft.txt` works.

    Every command stops quietly with exit 0 when stdout is closed early (`netlint rules | head -1`); click
    itself would exit 1. The top-level help and version are printed while the context is made, so both
    steps are covered.
    """

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            _stop_writing_to_stdout()

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _stop_writing_to_stdout()


def _stop_writing_to_stdout():
    # Python's advice for SIGPIPE: point stdout at devnull so the flush at exit cannot fail again.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise click.exceptions.Exit(EXIT_OK)


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _fail(message: str) -> None:
    click.echo(f"netlint: error: {message}", err=True)


@click.group(cls=LintGroup, context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="netlint", message="%(prog)s %(version)s")
@click.pass_context
def main_group(ctx: click.Context) -> None:
    """Lint outreach messages: generic, self-serving or unresearched drafts and templates.

    \b
    netlint draft.txt               lint files, folders, globs, or - for stdin
    netlint check --help            every lint option (check is the default command)
    netlint rules                   list the rules
    netlint explain NL101           show what a rule checks and why
    netlint rewrite draft.txt       print a restructured draft with [slots] to fill
    netlint lsp                     serve diagnostics and quick fixes to editors (LSP, stdio)
    netlint server start            keep a warm netlint for editors and hooks (stdin lints)
    netlint train                   rebuild the classifier from corpus/

    Exit codes: 0 nothing failed, 1 a file failed, 2 usage, configuration or input error.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(EXIT_ERROR)


@main_group.command("check")
@click.argument("paths", nargs=-1)
@click.option("--format", "output_format", type=click.Choice(["text", "concise", "json", "json-lines", "github", "sarif"]), default="text", show_default=True, help="Output format.")
@click.option("--stdin-filename", help="Name (and config/mode source) for text read from stdin.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or categories to enable (comma-separated).")
@click.option("--extend-select", multiple=True, help="Add codes/categories to the selection.")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or categories to disable.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), help="Lowest finding severity that fails a file [default: error].")
@click.option("--max-genericness", type=click.IntRange(0, 100), help="Fail when genericness is above this.")
@click.option("--max-self-serving", type=click.IntRange(0, 100), help="Fail when self-serving is above this.")
@click.option("--max-missing-research", type=click.IntRange(0, 100), help="Fail when missing-research is above this.")
@click.option("--min-overall", type=click.IntRange(0, 100), help="Fail when overall is below this.")
@click.option("--mode", type=click.Choice(["draft", "template"]), help="Treat files as drafts or templates (default: by extension).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file for every path.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when files fail.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no score summaries.")
@click.option("--statistics", is_flag=True, help="Print how often each rule fired.")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place (stdin: print the fixed text).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change meaning.")
@click.option("--diff", is_flag=True, help="Print fixes as a unified diff; change nothing.")
@click.option("--context", "context_path", type=click.Path(dir_okay=False), help="Render templates once per row of this CSV/JSON/JSONL file and lint every rendering.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes for many files (not with --fix, --diff or --context).")
@click.option("--no-model", is_flag=True, help="Score with rules only, without the trained classifier.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: when stdout is a terminal).")
def check_command(paths, output_format, stdin_filename, select, extend_select, ignore, fail_on, max_genericness,
                  max_self_serving, max_missing_research, min_overall, mode, config_path, exit_zero, quiet,
                  statistics, fix, unsafe_fixes, diff, context_path, jobs, no_model, color) -> None:
    """Lint drafts and templates."""
    from linter.run import Options, run

    if not paths:
        _fail("no paths given; try `netlint draft.txt` or `netlint -` for stdin")
        sys.exit(EXIT_ERROR)
    options = Options(
        paths=paths,
        output_format=output_format,
        stdin_filename=stdin_filename,
        select=_split(select),
        extend_select=_split(extend_select),
        ignore=_split(ignore),
        fail_on=fail_on,
        thresholds={
            k: v
            for k, v in (("genericness", max_genericness), ("self-serving", max_self_serving),
                         ("missing-research", max_missing_research), ("overall", min_overall))
            if v is not None
        },
        mode=mode,
        config_path=config_path,
        quiet=quiet,
        statistics=statistics,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        use_model=not no_model,
        context=context_path,
        jobs=jobs,
        color=color if color is not None else (sys.stdout.isatty() and "NO_COLOR" not in os.environ),
    )
    code = run(options)
    sys.exit(EXIT_OK if exit_zero and code == EXIT_FAIL else code)


@main_group.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def rules_command(output_format: str) -> None:
    """List every rule: code, severity, category, strategy."""
    from linter import formats
    from linter.run import load_rule_catalogue

    entries = [formats.rule_entry(rule) for rule in _catalogue_or_exit(load_rule_catalogue)]
    _echo(formats.rules_json(entries) if output_format == "json" else formats.rules_listing(entries))


@main_group.command("explain")
@click.argument("code")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the rule's documented fields as one object.")
def explain_command(code: str, output_format: str) -> None:
    """Show what a rule checks, why it matters, and what to do instead."""
    from linter import formats
    from linter.run import load_rule_catalogue, load_strategy_catalogue

    rules = {r.code: r for r in _catalogue_or_exit(load_rule_catalogue)}
    rule = rules.get(code.upper())
    if rule is None:
        _fail(f"unknown rule code '{code}'; `netlint rules` lists them")
        sys.exit(EXIT_ERROR)
    entry = formats.rule_entry(rule, load_strategy_catalogue())
    _echo(formats.explain_json(entry) if output_format == "json" else formats.explain_text(entry))


def _echo(output: str | list[str]) -> None:
    """Print one JSON document, or lines of text."""
    for line in [output] if isinstance(output, str) else output:
        click.echo(line)


@main_group.command("rewrite")
@click.argument("path")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--stdin-filename", help="Name (and config source) for text read from stdin.")
@click.option("--force", is_flag=True, help="Restructure even a draft that already passes.")
def rewrite_command(path: str, output_format: str, stdin_filename: str | None, force: bool) -> None:
    """Print a restructured draft: research hook, offer, one small ask, easy out.

    Keeps your research, offer and ask sentences and the recipient's name; marks what is missing with
    [slots] to fill. A draft that already passes gets only its safe fixes (use --force to restructure).
    """
    from linter.run import rewrite_file

    sys.exit(rewrite_file(path, output_format, stdin_filename, force))


@main_group.command("train")
@click.option("--check", "check_only", is_flag=True, help="Rebuild in memory and compare with the committed model; change nothing.")
def train_command(check_only: bool) -> None:
    """Rebuild the classifier in models/ from corpus/ (needs scikit-learn)."""
    from linter.train import main as train_main

    sys.exit(train_main(check_only=check_only))


@main_group.command("lsp", context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def lsp_command(args: tuple[str, ...]) -> None:
    """Run the language server over stdio (needs the `lsp` extra: pygls).

    Options: --stdio, --log-level, --debounce-ms, --max-characters; `netlint lsp --help` lists them.
    """
    try:
        from linter.lsp import main as lsp_main
    except ImportError as exc:
        _fail(f"the language server needs pygls: pip install 'netlint[lsp]' ({exc})")
        sys.exit(EXIT_ERROR)
    sys.exit(lsp_main(list(args)))


@main_group.group("server")
def server_group() -> None:
    """Keep a warm netlint for editors and hooks: stdin lints (`netlint - ...`) go to it.

    \b
    netlint server start     start it in the background
    netlint server status    say whether it runs, and since when
    netlint server stop      stop it
    netlint server run       run it in the foreground, logging each request

    A lint reading stdin uses a running server by itself, with the same output and exit code.
    NETLINT_SERVER=1 also starts one on demand; NETLINT_SERVER=0 never uses one. It stops after
    --idle-timeout seconds without a lint (NETLINT_SERVER_IDLE_TIMEOUT; default 900).
    """


def _idle_timeout_option(command):
    return click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=900.0,
                        show_default=True, envvar="NETLINT_SERVER_IDLE_TIMEOUT",
                        help="Stop after this many seconds without a request.")(command)


@server_group.command("start")
@_idle_timeout_option
def server_start_command(idle_timeout: float) -> None:
    """Start the server in the background (nothing happens if one is running)."""
    import time

    from linter.server import socket_path
    from linter.server.client import start_in_background
    from linter.server.daemon import control

    running = control("status")
    if running is not None:
        click.echo(f"netlint server: already running: {running}")
        return
    process = start_in_background(idle_timeout)
    if process is None:
        _fail("cannot start the server: no private folder for its socket")
        sys.exit(EXIT_ERROR)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() in (None, 0):
        running = control("status")
        if running is not None:
            click.echo(f"netlint server: started: {running}")
            return
        time.sleep(0.05)
    _fail(f"the server did not start; see {socket_path()[:-len('.sock')]}.log")
    sys.exit(EXIT_ERROR)


@server_group.command("status")
def server_status_command() -> None:
    """Print the running server's pid, socket and counts; exit 1 when none runs."""
    from linter.server.daemon import control

    running = control("status")
    if running is None:
        click.echo("netlint server: not running")
        sys.exit(EXIT_FAIL)
    click.echo(f"netlint server: running: {running}")


@server_group.command("stop")
def server_stop_command() -> None:
    """Stop the running server (nothing happens if none runs)."""
    import time

    from linter.server.client import connect
    from linter.server.daemon import control

    stopped = control("stop")
    if stopped is None:
        click.echo("netlint server: not running")
        return
    deadline = time.monotonic() + 10
    while (connection := connect(timeout=1.0)) is not None and time.monotonic() < deadline:
        connection.close()
        time.sleep(0.02)
    click.echo(f"netlint server: stopped: {stopped}")


@server_group.command("run")
@_idle_timeout_option
def server_run_command(idle_timeout: float) -> None:
    """Serve in the foreground, logging to stderr (for debugging); Ctrl-C stops it."""
    from linter.server.daemon import serve

    sys.exit(serve(idle_timeout))


def _catalogue_or_exit(loader):
    from linter.rules import RuleError

    try:
        return loader()
    except RuleError as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)


def main() -> int:
    try:
        main_group(standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    return EXIT_OK

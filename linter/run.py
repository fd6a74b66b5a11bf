"""One lint run of the command line: each file through one session, printed, fixed; the exit code."""

from __future__ import annotations

import difflib
import itertools
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from linter import fixes, formats, sources
from linter.config import Config, ConfigError
from linter.engine import Linter, Source, source_for
from linter.model import ModelError
from linter.nlp import PipelineError
from linter.results import InputError, RunResult
from linter.rules import RuleError
from linter.session import Overrides, Session

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


@dataclass
class Options:
    paths: tuple[str, ...]
    output_format: str = "text"
    stdin_filename: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str | None = None
    thresholds: dict[str, int] = field(default_factory=dict)
    mode: str | None = None
    config_path: str | None = None
    quiet: bool = False
    statistics: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    use_model: bool = True
    color: bool = False
    context: str | None = None
    jobs: int = 1


def load_rule_catalogue():
    from linter.checks import CHECKS
    from linter.data import rules_dir
    from linter.rules import load_rules, load_strategies

    root = rules_dir()
    return load_rules([root], set(load_strategies(root)), set(CHECKS))


def load_strategy_catalogue() -> dict[str, dict]:
    from linter.data import rules_dir
    from linter.rules import load_strategies

    return load_strategies(rules_dir())


def session_for(options: Options) -> Session:
    """The session of one command-line run: its --config, --select/--ignore/--fail-on and thresholds."""
    overrides = Overrides(select=options.select, ignore=options.ignore, extend_select=options.extend_select,
                          fail_on=options.fail_on, thresholds=tuple(options.thresholds.items()))
    return Session(overrides, config_path=options.config_path, use_model=options.use_model)


def _atomic_write(path: str, text: str) -> None:
    # Write through a symlink to the file it names; renaming over the link would replace the link itself.
    target = Path(os.path.realpath(path))
    mode = target.stat().st_mode & 0o7777
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".netlint")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def run(options: Options) -> int:
    out = click.get_text_stream("stdout")
    try:
        return _run(options, out)
    except BrokenPipeError:
        # The reader (e.g. `| head -1`) went away: stop quietly, as other Unix tools do.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        click.echo("netlint: interrupted", err=True)
        return 130


def _run(options: Options, out) -> int:
    session = session_for(options)
    result = RunResult()
    stdin_bytes = sys.stdin.buffer.read() if "-" in options.paths else None
    first_config = None
    try:
        first_config = session.config_for(options.paths[0] if options.paths[0] != "-" else (options.stdin_filename or "-"))
    except ConfigError as exc:
        if options.config_path:  # the one configuration for every path is broken: nothing can be linted
            click.echo(f"netlint: error: {exc}", err=True)
            return EXIT_ERROR
        first_config = Config()  # the first path's folder has a broken config; it is reported with that path
    sources_iter = sources.expand(options.paths, first_config.exclude)
    fmt = options.output_format
    exit_code = EXIT_OK

    def report_error(error: InputError) -> None:
        nonlocal exit_code
        result.errors.append(error)
        exit_code = EXIT_ERROR
        if fmt == "json-lines":
            out.write(formats.json_error_line(error) + "\n")
        click.echo(f"netlint: error: {error.path}: {error.message}", err=True)

    def configured() -> Iterator[tuple[Config, Source]]:
        """Each readable input with its configuration; unreadable ones are reported and skipped."""
        for item in sources_iter:
            if isinstance(item, InputError):
                report_error(item)
                continue
            name = options.stdin_filename if item == "-" and options.stdin_filename else item
            text = sources.read(item, stdin_bytes)
            if isinstance(text, InputError):
                report_error(InputError(name, text.message))
                continue
            try:
                config = session.config_for(name)
            except ConfigError as exc:  # a broken config in one folder: report its files, lint the others
                report_error(InputError(name, f"configuration error: {exc}"))
                continue
            yield config, source_for(name, text, config, options.mode)

    def items() -> Iterator[tuple[Linter, Source]]:
        for config, source in configured():
            try:
                linter = session.linter_for(config)
            except (RuleError, PipelineError, ModelError) as exc:
                click.echo(f"netlint: error: {exc}", err=True)
                raise _Abort() from None
            yield linter, source

    def reports() -> Iterator[tuple[Linter | None, Source, object]]:
        if options.fix or options.diff or options.context:
            for linter, source in items():
                yield linter, source, None
        elif options.jobs > 1:
            yield from _parallel(session, configured(), options.jobs)
        else:
            # Consecutive files with the same configuration go through spaCy's nlp.pipe in batches.
            for _, group in itertools.groupby(items(), key=lambda pair: id(pair[0])):
                linter, first = next(group)
                for report in linter.lint(itertools.chain([first], (source for _, source in group))):
                    yield linter, Source(report.path, report.text, report.mode), report

    try:
        for linter, source, ready in reports():
            if ready is not None:
                report = ready
            elif options.context and source.mode == "template":
                from linter.context import ContextError, report_with_context

                try:
                    report = report_with_context(linter, source, Path(options.context), sys.stderr.isatty())
                except ContextError as exc:
                    report_error(InputError(source.path, str(exc)))
                    continue
            else:
                report = next(linter.lint([source]))
            if options.fix or options.diff:
                fixed, _ = fixes.fix_to_fixpoint(linter, source, options.unsafe_fixes)
                if fixed != source.text:
                    if options.diff:
                        out.write("".join(difflib.unified_diff(
                            source.text.splitlines(keepends=True), fixed.splitlines(keepends=True),
                            fromfile=f"a/{source.path}", tofile=f"b/{source.path}")))
                        if not fixed.endswith(("\n", "\r")):
                            out.write("\n")
                    elif "-" in options.paths and source.path in ("-", options.stdin_filename):
                        out.write(fixed)
                        continue
                    else:
                        _atomic_write(source.path, fixed)
                        report = linter.lint_text(fixed, source.path, source.mode)
                elif options.fix and "-" in options.paths and source.path in ("-", options.stdin_filename):
                    out.write(fixed)
                    continue
                if options.diff:
                    result.reports.append(report)
                    continue
            result.reports.append(report)
            if report.verdict == "fail" and exit_code == EXIT_OK:
                exit_code = EXIT_FAIL
            if fmt == "text":
                for line in formats.text(report, color=options.color, quiet=options.quiet):
                    out.write(line + "\n")
                out.write("\n")
            elif fmt == "concise":
                for line in formats.concise(report):
                    out.write(line + "\n")
            elif fmt == "github":
                for line in formats.github(report):
                    out.write(line + "\n")
            elif fmt == "json-lines":
                out.write(formats.json_line(report) + "\n")
                result.reports[-1:] = []  # streamed: keep memory flat
            out.flush()
    except _Abort:
        return EXIT_ERROR
    if options.diff:
        return exit_code if exit_code == EXIT_ERROR else EXIT_OK
    if fmt == "json":
        out.write(formats.to_json(result) + "\n")
    elif fmt == "sarif":
        rules = next(iter(session.linters.values())).all_rules if session.linters else []
        out.write(formats.sarif(result, rules) + "\n")
    elif fmt == "text" and not options.quiet and len(result.reports) > 1:
        out.write(formats.run_summary(result) + "\n")
    if options.statistics:
        for line in formats.statistics(result):
            out.write(line + "\n")
    return exit_code


_WORKER_SESSION: Session | None = None  # the run's own, in a forked worker; a spawned worker starts its own


def _lint_batch_in_worker(batch: list[tuple[Config, Source]], use_model: bool) -> list:
    """Runs in a worker process: one Linter per configuration, loaded once per process."""
    global _WORKER_SESSION
    if _WORKER_SESSION is None:
        _WORKER_SESSION = Session(use_model=use_model)
    return [next(_WORKER_SESSION.linter_for(config).lint([source])) for config, source in batch]


def _parallel(session: Session, items: Iterator[tuple[Config, Source]], jobs: int, batch_size: int = 32):
    """Lint in `jobs` worker processes, batches in order; reports come back in the input order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Check configuration, rules and model once here so errors are reported before workers start.
    def batches():
        batch = []
        for config, source in items:
            if config not in session.linters:
                try:
                    # Loaded before the workers fork, so they share it instead of loading their own.
                    session.linter_for(config)
                except (RuleError, PipelineError, ModelError) as exc:
                    click.echo(f"netlint: error: {exc}", err=True)
                    raise _Abort() from None
            batch.append((config, source))
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    global _WORKER_SESSION
    _WORKER_SESSION = session  # forked workers start with its linters and model
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    # Ctrl-C reaches the whole process group. Workers ignore it, so none prints a traceback from wherever it
    # happened to be; the main process stops the run, drops queued batches and reports "interrupted" once.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_ignore_interrupts)
    try:
        pending = []
        for batch in batches():
            pending.append(pool.submit(_lint_batch_in_worker, batch, session.use_model))
            while len(pending) > jobs * 2:
                for report in pending.pop(0).result():
                    yield None, Source(report.path, report.text, report.mode), report
        for future in pending:
            for report in future.result():
                yield None, Source(report.path, report.text, report.mode), report
    except BaseException:
        # Queued batches are dropped; a worker finishes the batch it holds (32 drafts, well under a second).
        # Not waiting would leave the pool's manager thread to race the interpreter's exit (CPython prints
        # "Exception ignored ... Bad file descriptor" from concurrent.futures' atexit hook).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Abort(Exception):
    """Configuration or rules are unusable: stop the run (exit 2)."""


def rewrite_file(path: str, output_format: str, stdin_filename: str | None, force: bool) -> int:
    """`netlint rewrite`: one file (or stdin) in, the restructured draft out."""
    from linter.rewrite import rewrite

    name = stdin_filename if path == "-" and stdin_filename else path
    stdin_bytes = sys.stdin.buffer.read() if path == "-" else None
    text = sources.read(path, stdin_bytes)
    if isinstance(text, InputError):
        click.echo(f"netlint: error: {name}: {text.message}", err=True)
        return EXIT_ERROR
    session = Session()
    try:
        config = session.config_for(name)
        linter = session.linter_for(config)
        template = config.rewrite_template
        result = rewrite(linter, source_for(name, text, config), template, force)
    except (ConfigError, RuleError, PipelineError, ModelError) as exc:
        click.echo(f"netlint: error: {exc}", err=True)
        return EXIT_ERROR
    if output_format == "json":
        before = linter.lint_text(text, name).scores.as_dict()
        after = linter.lint_text(result.text, name, "template").scores.as_dict()
        click.echo(formats.rewrite_json(name, result, before, after))
        return EXIT_OK
    click.echo(result.text, nl=False)
    if not result.restructured:
        click.echo(f"netlint: {name} already passes: kept as written, safe fixes applied (--force restructures it)", err=True)
    elif result.slots:
        click.echo(f"netlint: fill {len(result.slots)} slot{'s' if len(result.slots) != 1 else ''} marked [ ] before sending", err=True)
    return EXIT_OK

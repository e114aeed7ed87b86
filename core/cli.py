"""Command line for cron jobs, CI and quick checks: ``python -m core fetch|report|collect|archive|check``.

Results go to stdout (parseable); progress and messages to stderr. Fetched results are
kept in the archive (settings as the app reads them, :mod:`core.config`: ``.streamlit/secrets.toml``
then the environment; ``--archive URL`` overrides it, ``--no-archive`` and ``--demo`` leave it
alone), and an archived completed result is never requested again: a scheduled ``fetch`` keeps results past the API's 30
days. ``collect`` archives every task ``tasks_ready`` lists (:mod:`core.collect`): the scheduled job
that needs no ids. ``report`` with no ids reports the whole archive; ``archive export|import`` move it and ``archive rebuild``
writes its facts again from the raw replies.
Without ``--engine`` each id's engine is found (Gemini, ChatGPT, Claude: at most one request
per engine and id). Exit status: 0 done (pending, expired or not-found ids included), 1 the
batch stopped on an account-wide error (credentials, balance, cost limit: one line, no
per-id table), 2 the command could not run as given,
3 the archive could not be read or written (a fetch still prints what it fetched). ``collect``
prints one summary line to stderr and exits 1 also when an engine's ready list could not be read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from core import errors, export, metrics
from core.brands import BrandsFileError, load_brands
from core.archive import Archive, ArchiveError
from core.config import Settings, SettingsError, is_sha256_hex, read_secrets_files
from core.demo import DemoSource, demo_ids
from core.ids import ids_from_upload, parse_ids
from core.loader import load
from core.mentions import brand_presence, mentions_table
from core.model import ENGINES, TaskOutcome, parse_engine
from core.report import to_html as report_html, to_markdown as report_markdown
from core.review import Scope, build_review
from core.sources import make_source
from core.text import NotTextError
from core.tables import build_tables
from core.visibility import brand_records, visibility_over_time


BRAND_TABLES = ("mentions", "visibility")
REVIEW_FORMATS = ("html", "markdown")


class UsageError(Exception):
    """The command cannot run as given; exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--archive", metavar="URL", help="the archive's SQLAlchemy URL (default: $AIVIS_ARCHIVE_URL, "
                       "else ~/.local/share/aivis/archive.sqlite)")
    pacing = argparse.ArgumentParser(add_help=False)
    pacing.add_argument("--workers", type=int, default=20, help="simultaneous requests (max 30)")
    pacing.add_argument("--rpm", type=float, default=None,
                        help="requests per minute cap (default: the account's own task_get limit)")
    common = argparse.ArgumentParser(add_help=False, parents=[store, pacing])
    common.add_argument("ids", nargs="*", help="task ids (UUID-shaped)")
    common.add_argument("--ids-file", type=Path, help="a CSV/TXT file of ids (id/task_id column or first column)")
    common.add_argument("--engine", help="gemini, chat_gpt or claude (default: find each id's engine)")
    common.add_argument("--demo", action="store_true", help="use the bundled demo data, not the API nor the archive")
    common.add_argument("--no-archive", action="store_true", help="neither read nor write the archive")
    commands.add_parser("fetch", parents=[common], help="fetch results, archive them and print each id's outcome")
    report = commands.add_parser("report", parents=[common],
                                 help="fetch and summarize; with no ids, summarize the whole archive")
    report.add_argument("--format", choices=("json", "csv", *REVIEW_FORMATS), default="json",
                        help="html: one self-contained review file (needs --brands); markdown: a short digest")
    report.add_argument("--table", choices=("tasks", "domains", "citations", "fan_out", "answers", *BRAND_TABLES),
                        default="tasks", help="with --format csv: which table to print (mentions and "
                        "visibility need --brands)")
    report.add_argument("--brands", type=Path, metavar="FILE", help="a brands file (JSON or TOML: "
                        '{"brands": [{"name", "aliases", "domains"}], "competitors": [...]}): adds their '
                        "visibility to the report")
    for name in ("since", "until"):
        report.add_argument(f"--{name}", type=_when, metavar="DATE", help=f"whole-archive report: answers {name} "
                            "this date (YYYY-MM-DD, inclusive) or ISO date-time (UTC)")
    report.add_argument("--model", action="append", help="whole-archive report: only this model (repeatable)")
    report.add_argument("--tag", action="append", help="whole-archive report: only this tag (repeatable)")
    collect = commands.add_parser("collect", parents=[store, pacing], help="archive every task tasks_ready lists "
                                  "(free: run it every AIVIS_COLLECT_EVERY_MINUTES); one summary line to stderr")
    collect.add_argument("--engine", action="append", help="gemini, chat_gpt or claude (repeatable; default: all three)")
    collect.add_argument("--since", type=_when, metavar="DATE", help="only tasks posted on or after this date "
                         "(YYYY-MM-DD) or ISO date-time (UTC)")
    collect.add_argument("--print-interval", action="store_true", help="print the schedule's interval in seconds "
                         "(AIVIS_COLLECT_EVERY_MINUTES x 60) and exit: for a shell loop's sleep")
    archive = commands.add_parser("archive", help="export or import the archive (JSON Lines), rebuild its facts")
    actions = archive.add_subparsers(dest="action", required=True)
    actions.add_parser("export", parents=[store], help="write every archived row to FILE (- for stdout)") \
        .add_argument("file", metavar="FILE|-")
    actions.add_parser("import", parents=[store], help="add the rows of an exported FILE (- for stdin)") \
        .add_argument("file", metavar="FILE|-")
    actions.add_parser("rebuild", parents=[store], help="write the facts (tables read by the pages) again from "
                       "the raw replies: rows lacking current ones, or every row with --all") \
        .add_argument("--all", action="store_true", help="rebuild every row, not only those lacking current facts")
    commands.add_parser("check", parents=[store], help="check the configuration: credentials (one free call), "
                        "archive (write and read), access gate; exit 1 if any check fails")
    return parser


def _when(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DD or an ISO 8601 date-time") from None


def _ids(args: argparse.Namespace) -> list[str]:
    parsed = parse_ids(args.ids)
    if args.ids_file:
        try:
            from_file = ids_from_upload(args.ids_file.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.ids_file}: {exc.strerror}") from None
        except NotTextError as exc:
            raise UsageError(f"{args.ids_file}: {exc}") from None
        malformed = parsed.malformed + from_file.malformed
        parsed = parse_ids(parsed.valid + from_file.valid)
        parsed.malformed = malformed
    for text, reason in parsed.malformed:
        print(f"malformed id {text!r}: {reason}", file=sys.stderr)
    if parsed.valid:
        return parsed.valid
    if args.demo and not parsed.malformed:
        return demo_ids()
    raise UsageError("no valid task ids given")


def _settings() -> Settings:
    """The settings the app would run with here (secrets files, then the environment)."""
    try:
        return Settings.resolve(read_secrets_files())
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def _open_archive(args: argparse.Namespace, settings: Settings) -> Archive:
    return Archive(args.archive or settings.archive_url)


def _source(args: argparse.Namespace, settings: Settings):
    if args.demo:
        return DemoSource()
    _require_api(settings, "use --demo")
    return make_source(settings, **_pacing(args))


def _require_api(settings: Settings, instead: str) -> None:
    """Refuse (exit 2) a command that calls the API where it may not: a locked demo, no credentials."""
    if settings.demo_only:
        raise UsageError(f"this deployment is a locked demo (AIVIS_DEMO_ONLY): it never calls the API; {instead}")
    if settings.credentials is None:
        raise UsageError("no credentials: set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD (or [dataforseo] in "
                         f".streamlit/secrets.toml), or {instead}")


def _pacing(args: argparse.Namespace) -> dict:
    options = {"max_workers": args.workers}
    if args.rpm:
        options["requests_per_minute"] = args.rpm
    return options


def _progress(done: int, total: int, outcome: TaskOutcome) -> None:
    if done == total or done % max(1, total // 20) == 0:
        print(f"fetched {done}/{total}", file=sys.stderr, flush=True)


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        if args.command == "check":
            return _check(args, settings)
        if args.command == "archive":
            return _archive_command(args, settings)
        if args.command == "collect":
            return _collect_command(args, settings)
        engine = parse_engine(args.engine) if args.engine else None
        if args.command == "report":
            args.tracked = _tracked_brands(args)
        if args.command == "report" and not (args.ids or args.ids_file or args.demo):
            return _archive_report(args, settings, engine)
        if args.command == "report" and (args.since or args.until or args.model or args.tag):
            raise UsageError("--since, --until, --model and --tag filter the whole-archive report: give no ids")
        ids, source = _ids(args), _source(args, settings)
    except (UsageError, errors.ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ArchiveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    archive, archive_error = None, None
    if not (args.demo or args.no_archive):
        try:
            archive = _open_archive(args, settings)
        except ArchiveError as exc:
            archive_error = str(exc)
            print(f"warning: {exc} Fetching without it.", file=sys.stderr)
    batch = load(ids, engine, source, archive, progress=_progress)
    if batch.error:  # account-wide: one line, no per-id table
        print(f"error: {batch.error}", file=sys.stderr)
        return 1
    if args.command == "fetch":
        for o in batch.outcomes:
            print(f"{o.task_id}\t{o.engine}\t{o.status}\t{o.status_code or ''}\t{o.status_message}")
    else:
        _report(args, batch.outcomes, settings)
    print("outcomes: " + ", ".join(f"{n} {status}" for status, n in batch.counts().items()), file=sys.stderr)
    if archive is not None:
        print(f"archive {archive.where}: {batch.from_archive} from the archive, {batch.requested} requested",
              file=sys.stderr)
    if batch.archive_error and not archive_error:
        archive_error = batch.archive_error
        print(f"warning: {archive_error} The results were not archived.", file=sys.stderr)
    return 3 if archive_error else 0


def _archive_report(args: argparse.Namespace, settings: Settings, engine: str | None) -> int:
    """``report`` with no ids: every completed result in the archive, filtered."""
    if args.no_archive:
        raise UsageError("no task ids given (with --no-archive there is no archive to report)")
    archive = _open_archive(args, settings)
    filters = dict(engines=[engine] if engine else None, models=args.model, tags=args.tag, since=args.since,
                   until=args.until)
    tasks = (_task_entry(*row) for row in archive.task_rows(**filters))  # read only if written
    if args.format == "json" and not args.tracked:  # counted in the database, the task list streamed
        counts = archive.counts(**filters)
        print(f"archive {archive.where}: {counts['tasks']} completed results match", file=sys.stderr)
        summary = _json_summary(counts, archive.domain_counts(**filters),
                                archive.usage_totals(settings.task_prices, **filters))
        export.write_json_streamed(sys.stdout.write, {"tasks": [], **summary}, "tasks", tasks)
        print()
        return 0
    tables = archive.tables(**filters, prices=settings.task_prices)
    print(f"archive {archive.where}: {len(tables.tasks)} completed results match", file=sys.stderr)
    _report_tables(args, tables, tasks)
    return 0


def _collect_command(args: argparse.Namespace, settings: Settings) -> int:
    """``collect``: archive every ready task; one summary line (or one error line) to stderr."""
    from core.client import Client
    from core.collect import collect

    if args.print_interval:
        print(settings.collect_every_minutes * 60)
        return 0
    engines = list(dict.fromkeys(parse_engine(name) for name in args.engine)) if args.engine else list(ENGINES)
    _require_api(settings, "collecting needs a live account")
    archive = _open_archive(args, settings)  # first: without it, collected tasks would leave the list unkept
    with Client(settings.credentials, settings.base_url, **_pacing(args)) as client:
        summary = collect(client, archive, engines, since=args.since)
    if summary.error:  # account-wide: one line
        print(f"error: {summary.error}", file=sys.stderr)
        return 1
    for engine, problem in summary.listing_errors.items():
        print(f"warning: the ready {engine} tasks could not be listed: {problem}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return 1 if summary.listing_errors else 0


def _archive_command(args: argparse.Namespace, settings: Settings) -> int:
    """``archive export FILE|-``, ``archive import FILE|-`` and ``archive rebuild [--all]``."""
    archive = _open_archive(args, settings)
    if args.action == "rebuild":
        return _rebuild(archive, args.all)
    if args.action == "export":
        if args.file == "-":
            lines = archive.export_jsonl(sys.stdout)
        else:  # written next to FILE, then renamed: a scheduled backup never leaves half a file
            target = Path(args.file)
            partial = target.with_name(target.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8") as out:
                    lines = archive.export_jsonl(out)
                os.replace(partial, target)
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise UsageError(f"cannot write {target}: {exc.strerror}") from None
        print(f"exported {lines} archived rows from {archive.where}", file=sys.stderr)
        return 0
    try:
        if args.file == "-":
            changed = archive.import_jsonl(sys.stdin)
        else:
            with open(args.file, encoding="utf-8") as source:
                changed = archive.import_jsonl(source)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{args.file} is not UTF-8 text (an archive export is JSON Lines)") from None
    print(f"imported {changed} new or updated rows into {archive.where} "
          f"(now {archive.count()} completed results)", file=sys.stderr)
    return 0


def _rebuild(archive: Archive, everything: bool) -> int:
    """``archive rebuild``: progress per chunk and one summary line, to stderr."""
    def progress(done: int, total: int) -> None:
        print(f"rebuilt {done}/{total}", file=sys.stderr, flush=True)

    started = time.monotonic()
    rows = archive.rebuild_facts(everything=everything, progress=progress)
    print(f"rebuilt {rows} rows in {time.monotonic() - started:.1f} s ({archive.where})", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    """``check``: is this deployment configured? One line per check (ok / FAILED: why); 0 if all pass, else 1.

    Reads what the app reads (:mod:`core.config`). Credentials are tried with one free ``user_data``
    call; the archive with a write and read of one probe id list (the same row every time).
    """
    from core.client import Client

    config = settings
    login, password = (config.credentials.login, config.credentials.password) if config.credentials else ("", "")
    lines: list[str] = []

    def report(name: str, problem: str | None, detail: str = "") -> None:
        line = f"{name}: " + (f"FAILED: {problem}" if problem else f"ok{f' ({detail})' if detail else ''}")
        lines.append(line.replace(password, "***") if password else line)  # never print the password
        print(lines[-1], flush=True)

    if config.demo_only:
        report("credentials", None, "not used: locked demo (AIVIS_DEMO_ONLY), the demo data is served")
    elif not config.credentials:
        report("credentials", "none set: set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD, or [dataforseo] login "
               "and password in .streamlit/secrets.toml (without them the app serves the demo data)")
    else:
        base_url = config.base_url
        try:
            with Client(config.credentials, base_url, max_workers=1, max_attempts=2,
                        transport_retries=1, timeout=(5.0, 20.0)) as client:
                limit = client.account_rate_limit()
            report("credentials", None, f"login {login} accepted by {base_url}"
                   + (f"; task_get limit {limit} requests a minute" if limit else ""))
        except errors.DataForSEOError as exc:
            report("credentials", f"login {login} at {base_url}: {exc}")
    if config.demo_only:
        report("archive", None, "not used: locked demo")
    else:
        try:
            with _open_archive(args, settings) as archive:
                probe = ["aivis-check-probe"]
                if archive.id_list(archive.save_id_list(probe)) != probe:
                    raise ArchiveError(f"The archive {archive.where} gave back another probe row than it was given.")
                default = "" if args.archive or not settings.archive_url_is_default else "; the default: AIVIS_ARCHIVE_URL is not set"
                report("archive", None, f"{archive.where} read and written{default}")
        except ArchiveError as exc:
            report("archive", str(exc))
    auth, digest = settings.gate.auth, settings.gate.password_sha256
    if auth:
        import importlib.util
        report("access", None if importlib.util.find_spec("authlib") else "[auth] is set but the Authlib package "
               "is not installed: pip install 'Authlib>=1.3.2'", "OIDC login ([auth])")
    elif digest:
        report("access", None if is_sha256_hex(digest) else "password_sha256 is not a SHA-256 hex digest (64 hex digits): the app stays "
               "closed", "shared password")
    else:
        report("access", None, "open: no [auth] and no password_sha256; anyone who reaches the app sees it")
    return 1 if any(": FAILED: " in line for line in lines) else 0


def _tracked_brands(args: argparse.Namespace):
    """The ``--brands`` file read before anything is fetched, so a bad file stops the run (exit 2)."""
    if args.table in BRAND_TABLES and not args.brands:
        raise UsageError(f"--table {args.table} needs --brands FILE")
    if args.format in REVIEW_FORMATS and not args.brands:
        raise UsageError(f"--format {args.format} needs --brands FILE (the review is about our brand)")
    try:
        return load_brands(args.brands) if args.brands else None
    except BrandsFileError as exc:
        raise UsageError(str(exc)) from None


def _brand_report(args: argparse.Namespace, tables) -> list[dict] | None:
    """With ``--brands``: prints the mentions or visibility CSV and returns None, or returns the
    ``brands`` list of the JSON report."""
    presence = brand_presence(tables.answers, tables.citations, args.tracked,
                              mentions := mentions_table(tables.answers, args.tracked))
    if args.format == "json":
        return brand_records(presence, args.tracked)
    frame = (mentions.drop(columns="role") if args.table == "mentions"
             else visibility_over_time(presence)[["period", "engine", "name", "role", "answers", "mentioned",
                                                  "cited", "visible"]])
    sys.stdout.write(export.to_csv(frame).decode("utf-8"))
    return None


def _report(args: argparse.Namespace, outcomes: list[TaskOutcome], settings: Settings) -> None:
    _report_tables(args, build_tables(outcomes, settings.task_prices),
                   (_task_entry(o.task_id, o.engine, o.status_code, o.status, o.status_message,
                                o.record.model if o.record else None) for o in outcomes))


def _task_entry(task_id: str, engine: str, status_code: int | None, status: str, status_message: str,
                model_name: str | None) -> dict:
    """One task of the JSON report's ``tasks`` list."""
    return {"id": task_id, "engine": engine, "status_code": status_code, "status": status,
            "status_message": status_message, "model_name": model_name}


def _json_summary(counts: dict, domains, usage: dict) -> dict:
    """The JSON report after its ``tasks``: ``counts`` (of :meth:`Archive.counts`' keys), cited domains
    (:func:`core.metrics.domain_counts`) and usage totals."""
    return {"counts": {name: counts[name] for name in ("tasks", "completed", "citations", "fan_out_queries")},
            "domains": [{"domain": row.domain, "citations": int(row.citations), "answers": int(row.answers)}
                        for row in domains.itertuples()],
            "usage": usage}


def _report_tables(args: argparse.Namespace, tables, tasks: Iterable[dict]) -> None:
    """The report of ``tables`` in ``args.format``; ``tasks``, one entry per row of ``tables.tasks``, is
    read only by the JSON report."""
    domains = metrics.domain_counts(tables.citations, len(tables.answers))
    if args.format == "csv" and args.table in BRAND_TABLES:
        _brand_report(args, tables)
        return
    if args.format in REVIEW_FORMATS:
        filters = {"Engine": args.engine, "Since": args.since, "Until": args.until,
                   "Models": ", ".join(args.model or []), "Tags": ", ".join(args.tag or [])}
        scope = Scope.of(tables, len(tables.tasks), args.tracked, {k: str(v) for k, v in filters.items() if v}, args.demo)
        found = build_review(tables, brand_presence(tables.answers, tables.citations, args.tracked), scope)
        sys.stdout.write(report_html(found) if args.format == "html" else report_markdown(found))
        return
    if args.format == "csv":
        frame = domains if args.table == "domains" else getattr(tables, args.table)
        sys.stdout.flush()
        sys.stdout.buffer.write(export.to_csv(frame))  # defused and quoted as the app's downloads
        return
    counts = {"tasks": len(tables.tasks), "completed": len(tables.answers), "citations": len(tables.citations),
              "fan_out_queries": len(tables.fan_out)}
    report = {"tasks": list(tasks), **_json_summary(counts, domains, metrics.usage_totals(tables.tasks))}
    if args.tracked:
        report["brands"] = _brand_report(args, tables)
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)  # strict JSON
    print()


def main() -> None:
    try:
        status = run()
        sys.stdout.flush()
    except BrokenPipeError:  # piped into `head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)

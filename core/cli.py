"""Command line for cron jobs, CI and quick checks: ``python -m core fetch|report``.

Results go to stdout (parseable); progress and messages to stderr. Exit status: 0 done
(pending, expired or not-found ids included), 1 the batch stopped on an account-wide
error (credentials, balance), 2 the command could not run as given.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import errors, metrics, sansio
from core.config import Credentials
from core.demo import DemoSource, demo_ids
from core.ids import ids_from_upload, parse_ids
from core.sources import make_source
from core.tables import build_tables


class UsageError(Exception):
    """The command cannot run as given; exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("ids", nargs="*", help="task ids (UUID-shaped)")
    common.add_argument("--ids-file", type=Path, help="a CSV/TXT file of ids (id/task_id column or first column)")
    common.add_argument("--engine", default="gemini", help="gemini (default), chat_gpt or claude")
    common.add_argument("--demo", action="store_true", help="use the bundled demo data, not the API")
    common.add_argument("--workers", type=int, default=10, help="simultaneous requests (max 30)")
    common.add_argument("--rpm", type=float, default=None, help="requests per minute cap")
    commands.add_parser("fetch", parents=[common], help="fetch results and print each id's outcome")
    report = commands.add_parser("report", parents=[common], help="fetch and summarize")
    report.add_argument("--format", choices=("json", "csv"), default="json")
    report.add_argument("--table", choices=("tasks", "domains", "citations", "fan_out", "answers"),
                        default="tasks", help="with --format csv: which table to print")
    return parser


def _ids(args: argparse.Namespace) -> list[str]:
    parsed = parse_ids(args.ids)
    if args.ids_file:
        try:
            from_file = ids_from_upload(args.ids_file.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.ids_file}: {exc.strerror}") from None
        parsed = parse_ids(parsed.valid + from_file.valid)
        parsed.malformed += from_file.malformed
    for text, reason in parsed.malformed:
        print(f"malformed id {text!r}: {reason}", file=sys.stderr)
    if parsed.valid:
        return parsed.valid
    if args.demo and not parsed.malformed:
        return demo_ids()
    raise UsageError("no valid task ids given")


def _source(args: argparse.Namespace):
    credentials = Credentials.from_env()
    if args.demo:
        return DemoSource()
    if credentials is None:
        raise UsageError("no credentials: set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD, or use --demo")
    options = {"max_workers": args.workers}
    if args.rpm:
        options["requests_per_minute"] = args.rpm
    return make_source(credentials, **options)


def _progress(done: int, total: int, outcome: sansio.TaskOutcome) -> None:
    if done == total or done % max(1, total // 20) == 0:
        print(f"fetched {done}/{total}", file=sys.stderr, flush=True)


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        sansio.check_engine(args.engine)
        ids, source = _ids(args), _source(args)
    except (UsageError, errors.ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    batch = source.fetch_tasks(ids, args.engine, progress=_progress)
    if args.command == "fetch":
        for o in batch.outcomes:
            print(f"{o.task_id}\t{o.engine}\t{o.status}\t{o.status_code or ''}\t{o.status_message}")
    else:
        _report(args, batch.outcomes)
    print("outcomes: " + ", ".join(f"{n} {status}" for status, n in batch.counts().items()), file=sys.stderr)
    if batch.error:
        print(f"error: {batch.error}", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace, outcomes: list[sansio.TaskOutcome]) -> None:
    tables = build_tables(outcomes)
    domains = metrics.domain_counts(tables.citations, len(tables.answers))
    if args.format == "csv":
        frame = domains if args.table == "domains" else getattr(tables, args.table)
        frame.to_csv(sys.stdout, index=False)
        return
    report = {
        "tasks": [{"id": o.task_id, "engine": o.engine, "status_code": o.status_code, "status": o.status,
                   "status_message": o.status_message,
                   "model_name": (tables.tasks["model"].iloc[i] if o.completed else None)}
                  for i, o in enumerate(outcomes)],
        "counts": {"tasks": len(outcomes), "completed": len(tables.answers),
                   "citations": len(tables.citations), "fan_out_queries": len(tables.fan_out)},
        "domains": [{"domain": row.domain, "citations": int(row.citations), "answers": int(row.answers)}
                    for row in domains.itertuples()],
        "usage": metrics.usage_totals(tables.tasks),
    }
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()


def main() -> None:
    sys.exit(run())

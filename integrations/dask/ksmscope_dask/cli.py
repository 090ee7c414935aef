"""``ksmscope-dask scan [--scheduler ADDRESS | --local-workers N] [scan options] FINGERPRINT_DIR...``"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import List, Optional

from .driver import KsmscopeError, run_scan

USAGE = "ksmscope-dask scan [--scheduler ADDRESS | --local-workers N] [--partitions P] [--ksmscope PATH] " \
        "[--retries R] [--format text|json|csv] [scan options] FINGERPRINT_DIR..."


def main(argv: Optional[List[str]] = None) -> int:
    """The console script: parses the driver's options, passes the rest to every ksmscope job."""
    parser = argparse.ArgumentParser(
        prog="ksmscope-dask", usage=USAGE,
        description="Scan fingerprint folders (on storage every worker sees) on a Dask cluster: one "
                    "'ksmscope partition' job per task, combined into the report 'ksmscope scan' gives. "
                    "Options not listed here are scan options and go to every job.")
    parser.add_argument("command", choices=["scan"])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786")
    where.add_argument("--local-workers", metavar="N", type=int,
                       help="start a LocalCluster of N worker processes (default: one per core)")
    parser.add_argument("--partitions", metavar="P", type=int, help="jobs (default: 4 per worker)")
    parser.add_argument("--ksmscope", metavar="PATH", default=None,
                        help="the ksmscope executable on the workers and here (default: ksmscope on PATH)")
    parser.add_argument("--retries", metavar="R", type=int, default=3, help="retries of a failed job (default 3)")
    parser.add_argument("--format", choices=["text", "json", "csv"], default="text", help="report format")
    options, rest = parser.parse_known_args(argv)
    if not rest:
        parser.error("name at least one fingerprint folder or file")
    if options.partitions is not None and options.partitions < 1:
        parser.error("--partitions must be at least 1")
    if options.local_workers is not None and options.local_workers < 1:
        parser.error("--local-workers must be at least 1")
    ksmscope = options.ksmscope or shutil.which("ksmscope")
    if not ksmscope:
        parser.error("ksmscope is not on PATH: give --ksmscope PATH")
    try:
        report = run_scan(rest, scheduler=options.scheduler, local_workers=options.local_workers,
                          partitions=options.partitions, ksmscope=ksmscope, retries=options.retries,
                          report_format=options.format)
    except KsmscopeError as error:
        print(f"ksmscope-dask: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

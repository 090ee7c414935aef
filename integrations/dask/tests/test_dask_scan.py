"""The Dask driver against a single ksmscope scan: a LocalCluster of 2 workers gives the same
report, also when a worker is killed mid-run; a retried partition never counts twice.

Needs the ksmscope executable: $KSMSCOPE, else the debug build of this repository.
"""

import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
from dask.distributed import Client, LocalCluster

from ksmscope_dask import ScanJob, run_partition, run_scan

ROOT = Path(__file__).resolve().parents[3]
KSMSCOPE = os.environ.get("KSMSCOPE") or str(ROOT / ".build" / "debug" / "ksmscope")
pytestmark = pytest.mark.skipif(not os.access(KSMSCOPE, os.X_OK), reason="build ksmscope first")


def ksmscope(*arguments):
    done = subprocess.run([KSMSCOPE, *arguments], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def prints(tmp_path_factory):
    """A generated fleet (samples/demo.json) and its fingerprint folder."""
    folder = tmp_path_factory.mktemp("fleet")
    ksmscope("generate", "--spec", str(ROOT / "samples" / "demo.json"), "--out", str(folder / "fleet"), "--quiet")
    ksmscope("fingerprint", "--out", str(folder / "prints"), "--quiet", str(folder / "fleet"))
    return str(folder / "prints")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        with Client(local) as client:
            yield client


def test_two_workers_equal_single_scan(prints, cluster):
    single = ksmscope("scan", "--format", "json", "--max-page-sharing", "7", prints)
    report = run_scan(["--max-page-sharing", "7", prints], client=cluster, partitions=6, ksmscope=KSMSCOPE)
    assert report == single
    assert json.loads(report)["equality"] == "fingerprint-128"


def test_killed_worker(prints, cluster, tmp_path):
    """SIGKILL one worker while it runs a job: Dask reruns its jobs elsewhere, the report is the same."""
    single = ksmscope("scan", "--format", "json", prints)
    slow = tmp_path / "slow-ksmscope"
    slow.write_text(f"#!/bin/sh\nsleep 0.4\nexec '{KSMSCOPE}' \"$@\"\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    job = ScanJob(arguments=[prints], partitions=16, ksmscope=str(slow), retries=3)
    futures = job.submit(cluster)
    pids = cluster.run(os.getpid)
    victim = None
    deadline = time.time() + 60
    while victim is None and time.time() < deadline:
        busy = [worker for worker, keys in cluster.processing().items() if keys]
        if busy and not all(future.done() for future in futures.values()):
            victim = busy[0]
        else:
            time.sleep(0.05)
    assert victim is not None, "no job ever ran"
    os.kill(pids[victim], signal.SIGKILL)
    job.gather(futures)
    assert job.combine("json") == single
    # The killed process is gone; its nanny started a new worker in its place.
    with pytest.raises(ProcessLookupError):
        os.kill(pids[victim], 0)


def test_retried_partition_counts_once(prints, tmp_path):
    """A job run twice gives the same text; combine takes one result per partition and refuses two."""
    first = run_partition(KSMSCOPE, 0, 2, [prints])
    again = run_partition(KSMSCOPE, 0, 2, [prints])
    assert first == again
    job = ScanJob(arguments=[prints], partitions=2, ksmscope=KSMSCOPE)
    job.results[0] = first
    job.results[0] = again
    job.results[1] = run_partition(KSMSCOPE, 1, 2, [prints])
    assert job.combine("json") == ksmscope("scan", "--format", "json", prints)
    paths = []
    for name, text in [("a", first), ("b", again), ("c", job.results[1])]:
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        paths.append(str(path))
    done = subprocess.run([KSMSCOPE, "combine", *paths], capture_output=True, text=True)
    assert done.returncode == 1 and "partition 0 is given twice" in done.stderr


def test_cli(prints, capsys):
    from ksmscope_dask.cli import main

    assert main(["scan", "--local-workers", "2", "--ksmscope", KSMSCOPE, "--format", "json", prints]) == 0
    assert capsys.readouterr().out == ksmscope("scan", "--format", "json", prints)

"""The driver: submit partition jobs to a Dask cluster and combine their results."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

#: Partitions per worker when none are asked for: several per worker balance the load.
DEFAULT_PARTITIONS_PER_WORKER = 4


class KsmscopeError(RuntimeError):
    """A ksmscope command failed; the message is its one-line diagnostic."""


def run_partition(ksmscope: str, index: int, count: int, arguments: Sequence[str]) -> str:
    """Runs partition job ``index`` of ``count`` on this machine; returns the partial result (JSON).

    The job writes its result atomically (``ksmscope partition --out``: a temporary name renamed
    into place) to a private file that is read and removed here, so a task that is retried, or
    runs twice on two workers, yields the same text and leaves nothing behind.
    """
    folder = tempfile.mkdtemp(prefix="ksmscope-dask-")
    out = os.path.join(folder, f"part-{index}-{uuid.uuid4().hex}.json")
    try:
        command = [ksmscope, "partition", "--index", str(index), "--count", str(count), "--out", out, "--quiet"]
        done = subprocess.run(command + list(arguments), capture_output=True, text=True)
        if done.returncode != 0:
            raise KsmscopeError(done.stderr.strip() or f"ksmscope partition exited with status {done.returncode}")
        with open(out, encoding="utf-8") as result:
            return result.read()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class ScanJob:
    """One distributed scan: the ksmscope arguments (scan options and inputs) and how to split it."""

    arguments: List[str]
    partitions: int
    ksmscope: str = "ksmscope"
    retries: int = 3
    results: Dict[int, str] = field(default_factory=dict)

    def submit(self, client) -> Dict[int, object]:
        """Submits every partition job to ``client``; returns their futures by index."""
        return {
            index: client.submit(
                run_partition, self.ksmscope, index, self.partitions, self.arguments,
                key=f"ksmscope-partition-{index}-of-{self.partitions}-{uuid.uuid4().hex[:8]}",
                retries=self.retries, pure=False)
            for index in range(self.partitions)
        }

    def gather(self, futures: Dict[int, object]) -> None:
        """Waits for every job; keeps one result per partition index."""
        for index, future in futures.items():
            self.results[index] = future.result()

    def combine(self, report_format: str = "json") -> str:
        """Merges the results with ``ksmscope combine``; returns the report."""
        missing = [index for index in range(self.partitions) if index not in self.results]
        if missing:
            raise KsmscopeError(f"partitions without a result: {missing}")
        folder = tempfile.mkdtemp(prefix="ksmscope-dask-combine-")
        try:
            paths = []
            for index in range(self.partitions):
                path = os.path.join(folder, f"part-{index}.json")
                with open(path, "w", encoding="utf-8") as out:
                    out.write(self.results[index])
                paths.append(path)
            done = subprocess.run([self.ksmscope, "combine", "--format", report_format] + paths,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise KsmscopeError(done.stderr.strip())
            return done.stdout
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def run_scan(arguments: Sequence[str], *, client=None, scheduler: Optional[str] = None,
             local_workers: Optional[int] = None, partitions: Optional[int] = None,
             ksmscope: str = "ksmscope", retries: int = 3, report_format: str = "json") -> str:
    """Scans on Dask and returns the report (``report_format``: text, json or csv).

    ``arguments`` are what ``ksmscope scan`` would take, options and inputs. The cluster is
    ``client`` if given, else the scheduler at ``scheduler``, else a ``LocalCluster`` of
    ``local_workers`` worker processes (default: one per core).
    """
    from dask.distributed import Client, LocalCluster

    cluster = None
    own_client = client is None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=local_workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=":0")
            client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        job = ScanJob(arguments=list(arguments), partitions=partitions or workers * DEFAULT_PARTITIONS_PER_WORKER,
                      ksmscope=ksmscope, retries=retries)
        job.gather(job.submit(client))
        return job.combine(report_format)
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()

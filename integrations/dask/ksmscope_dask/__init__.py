"""Run ``ksmscope`` scans on Dask: one ``ksmscope partition`` job per task, combined by
``ksmscope combine`` into exactly the report a single ``ksmscope scan`` of the same inputs gives.

The hash-range partitions of a scan are independent, so they are the unit of distribution.
Each task runs ``ksmscope partition --index I --count P`` on a worker (the inputs, usually
fingerprint folders, must be at the same paths there: shared storage), which writes its partial
result atomically; the task returns the result's text. Dask retries failed tasks (and tasks of
workers that die); results are kept by partition index, so a retried task replaces, never adds.
"""

from .driver import DEFAULT_PARTITIONS_PER_WORKER, KsmscopeError, ScanJob, run_partition, run_scan

__all__ = ["DEFAULT_PARTITIONS_PER_WORKER", "KsmscopeError", "ScanJob", "run_partition", "run_scan"]

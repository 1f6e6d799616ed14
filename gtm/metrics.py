"""The work gtm counts as it happens, in Prometheus' official client: runs finished, and model calls with their
tokens and failures. /metrics (web/metrics.py) shows them with the requests and what is read at scrape time.

The counters are incremented where the work is done: mostly in RQ's work horses, one forked process per job.
With PROMETHEUS_MULTIPROC_DIR set (`gtm run` sets it), every process writes its counts to files in that folder
and a scrape adds up them all: the web processes', the workers' and their horses'. A horse writes to its
worker's files (`identity`), not to files of its own, so the folder holds a few files per process, not one
per job. Without it each process counts alone, and a web process sees no worker's counts."""
import os

from prometheus_client import CollectorRegistry, Counter, values

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
_owner: int | None = None


def identity() -> int:
    """The id of the files this process writes: its own pid, or its worker's in a work horse."""
    return _owner or os.getpid()


def count_as(pid: int) -> None:
    """Make this process and the processes it forks from now on write their counts under `pid` (an RQ worker
    before it forks its horses; it forks one at a time, so they never write at once)."""
    global _owner
    _owner = pid


if MULTIPROCESS:
    values.ValueClass = values.MultiProcessValue(process_identifier=identity)

# gtm's own counters; in multiprocess mode their values live in the folder's files instead.
REGISTRY = CollectorRegistry()

RUNS = Counter("gtm_runs_finished", "Background runs finished, by kind and outcome (succeeded or failed).",
               ["kind", "outcome"], registry=REGISTRY)
MODEL_CALLS = Counter("gtm_model_calls", "Calls to the model that answered, by provider and model.",
                      ["provider", "model"], registry=REGISTRY)
MODEL_FAILURES = Counter("gtm_model_failures", "Calls to the model that failed (after the provider's own retries), "
                         "by provider and model.", ["provider", "model"], registry=REGISTRY)
TOKENS_IN = Counter("gtm_model_tokens_in", "Prompt tokens sent to the model, by provider and model.",
                    ["provider", "model"], registry=REGISTRY)
TOKENS_OUT = Counter("gtm_model_tokens_out", "Completion tokens the model answered with, by provider and model.",
                     ["provider", "model"], registry=REGISTRY)


def run_finished(kind: str, outcome: str) -> None:
    RUNS.labels(kind=kind, outcome=outcome).inc()


def model_call(provider: str, model: str, tokens_in: int, tokens_out: int) -> None:
    MODEL_CALLS.labels(provider=provider, model=model).inc()
    TOKENS_IN.labels(provider=provider, model=model).inc(tokens_in)
    TOKENS_OUT.labels(provider=provider, model=model).inc(tokens_out)


def model_failure(provider: str, model: str) -> None:
    MODEL_FAILURES.labels(provider=provider, model=model).inc()

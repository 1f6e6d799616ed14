"""The job names gtm enqueues and the jobs in `jobs/` match one to one."""
import importlib
import inspect
import pkgutil

import pytest

import jobs
from gtm import jobnames


@pytest.mark.parametrize("path", jobnames.ALL)
def test_each_job_name_leads_to_a_job(path):
    module, _, name = path.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name, None)), f"{path} is not a job"


def test_each_job_has_a_name():
    """A job left out of the registry could only be enqueued by a string written somewhere else."""
    defined = set()
    for found in pkgutil.iter_modules(jobs.__path__):
        if found.name.startswith("_"):
            continue
        module = importlib.import_module(f"jobs.{found.name}")
        defined |= {f"{module.__name__}.{name}" for name, func in inspect.getmembers(module, inspect.isfunction)
                    if func.__module__ == module.__name__ and not name.startswith("_")}
    assert defined == set(jobnames.ALL)

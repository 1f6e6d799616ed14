"""Waiting on a condition instead of sleeping."""
import time


def wait_for(predicate, timeout=20.0, interval=0.05, message="condition"):
    """Poll until predicate() is truthy and return its value; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")

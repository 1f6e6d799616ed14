"""RQ entry points. Each takes a run id, is thin, and is safe to run twice."""

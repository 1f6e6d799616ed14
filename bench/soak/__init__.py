"""Fault soak: model faults, killed workers and a Redis restart never leave a run stuck or a post doubled.

Run it as `.venv/bin/python -m bench.soak`; `--help` lists the knobs. It starts an
embedded Redis, a temporary SQLite database (or DATABASE_URL when set), the fake OpenAI server from
tests/kit/fake_openai.py, gunicorn serving gtm, and real `gtm worker` processes. Then:

1. Load, with faults: the fake answers 20% of the model calls with a fault, drawn evenly from 429 (with
   Retry-After), 500, a timeout (no answer within GTM_LLM_TIMEOUT), output cut off at its length limit,
   and invalid JSON; image calls get the first three. Marketers, through the HTTP API, take each of 50
   campaigns through the five analysis steps, plan its strategy (6 posts) and regenerate it from phase 2
   (4 new posts), waiting for each run as the pages do. A reader opens the campaigns' pages meanwhile.
2. Chaos, while runs are in flight: 10 busy workers are killed with SIGKILL together with their work
   horse (as when a machine dies), and the embedded Redis is killed and started again once, losing
   everything it held. A supervisor starts a new worker for each one that died, as systemd would.
3. Recovery, with the faults turned off: every step, plan, post and regeneration that failed is retried
   through the API or the pages, as a marketer would, and must succeed.
4. Checks, each a breach when broken: every run has ended (none stuck); no strategy version, step
   version, post or variant was made twice; no page or API call answered 500 (a 503 saying that
   background work is unavailable is allowed while Redis is down); every retry succeeded; and every
   campaign ends with five steps and a regenerated strategy whose posts are all written with images.

It prints the counts and exits with status 1 on any breach. tests/system/test_soak.py runs a short version
(5 campaigns, 2 kills and the Redis restart) in `make test`.
"""
from .model import PLAN_SIZES, REGENERATE_SIZES
from .run import Report, Soak

__all__ = ["PLAN_SIZES", "REGENERATE_SIZES", "Report", "Soak"]

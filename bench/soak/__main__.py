"""`python -m bench.soak`: the long fault soak, with its counts; status 1 on any breach."""
import argparse
import os
import sys

from . import __doc__ as DOC
from .run import Soak


def main() -> None:
    parser = argparse.ArgumentParser(description=DOC.split("\n\n")[0])
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="workers running at once")
    parser.add_argument("--kills", type=int, default=10, help="busy workers to kill with SIGKILL")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of model calls answered with a fault")
    parser.add_argument("--concurrency", type=int, default=10, help="marketers working at once")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--stuck-after", type=float, default=300, help="seconds after which a run counts as stuck")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the logs")
    args = parser.parse_args()
    soak = Soak(campaigns=args.campaigns, workers=args.workers, kills=args.kills, fault_rate=args.fault_rate,
                seed=args.seed, concurrency=args.concurrency, stuck_after=args.stuck_after,
                database_url=os.environ.get("DATABASE_URL"))
    print(f"gtm fault soak · {args.campaigns} campaigns · {args.workers} workers · {args.fault_rate:.0%} faults · "
          f"{os.cpu_count()} CPU cores · database {soak.database_url.split(':')[0]} · logs in {soak.folder}")
    try:
        soak.run()
    finally:
        soak.print_report()
        soak.close(keep=args.keep or bool(soak.report.breaches))
    sys.exit(1 if soak.report.breaches else 0)



main()

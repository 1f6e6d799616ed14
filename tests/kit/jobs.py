"""Running queued jobs in the test's own process, with a real RQ worker, and looking at the queue."""
import pytest
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from gtm import broker, queue
from gtm.extensions import db


class BurstWorker(queue.QuickCommands, SimpleWorker):
    """RQ's SimpleWorker, stopping in moments as gtm's own workers do (see gtm.queue.QuickCommands)."""


def rq_queue(app) -> Queue:
    return Queue(queue.QUEUE_NAME, connection=broker.connection(app), serializer=JSONSerializer)


def queue_length(app) -> int:
    """How many jobs wait on the real RQ queue."""
    return rq_queue(app).count


@pytest.fixture
def work(app):
    """Run every queued job with a real RQ worker in burst mode, in this process."""
    def run_queue():
        connection = broker.connection(app)
        worker = BurstWorker([rq_queue(app)], connection=connection, serializer=JSONSerializer)
        # Its own app context gives the jobs their own session, as in a real worker.
        with app.app_context():
            worker.work(burst=True)
        db.session.expire_all()
    return run_queue


FAIL_ON_PURPOSE = "tests.kit.jobs.fail_on_purpose"


def fail_on_purpose(number: int) -> None:
    """A job that always fails (enqueued by its dotted path, FAIL_ON_PURPOSE), for the pages that show failed jobs."""
    raise RuntimeError(f"Job {number} failed on purpose.\nIt says so on a second line.")

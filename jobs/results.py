"""Jobs of results: the scheduled check of every campaign's triggers."""
import logging

from gtm import queue
from gtm.extensions import db
from gtm.services import results

log = logging.getLogger(__name__)


def check_triggers() -> None:
    """Check every campaign's live triggers, then schedule the next check. Running it twice fires nothing
    twice: an alert's evidence is recorded once."""
    try:
        fired = results.check_all()
        log.info("trigger check: %s alert(s) raised", fired)
    finally:
        db.session.remove()
        queue.schedule_trigger_check()

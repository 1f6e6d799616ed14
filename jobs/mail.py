"""Jobs that send email: an invitation's link and a password reset link. Each takes the row's id and the
link (only a hash of its token is kept). A mail server that refuses or cannot be reached fails the job, and
RQ tries it again later (gtm.queue.enqueue_mail); a link used, withdrawn or expired by then is not sent."""
import logging

from gtm.extensions import db
from gtm.services import invitations, password_resets

log = logging.getLogger(__name__)


def send_invitation(invitation_id: int, link: str) -> None:
    try:
        if invitations.mail_invitation(int(invitation_id), link):
            log.info("invitation %s: email sent", invitation_id)
        else:
            log.info("invitation %s: no longer pending, not sent", invitation_id)
    finally:
        db.session.remove()


def send_password_reset(reset_id: int, link: str) -> None:
    try:
        if password_resets.mail_reset(int(reset_id), link):
            log.info("password reset %s: email sent", reset_id)
        else:
            log.info("password reset %s: used or expired, not sent", reset_id)
    finally:
        db.session.remove()

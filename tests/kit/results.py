"""Numbers for the results pages and services: the days they are for, a post of the written campaign, the CSV
upload as a browser posts it, and the metric rows stored."""
from datetime import date, timedelta

from gtm.extensions import db
from gtm.models import Metric


DAY = (date.today() - timedelta(days=3)).isoformat()
EARLIER = (date.today() - timedelta(days=4)).isoformat()
HX = {"HX-Request": "true"}


def first_post(planned, phase_index=0, post_index=0) -> dict:
    return planned["phases"][phase_index]["posts"][post_index]


def csv_of(*lines: str) -> bytes:
    return ("post,variant,date,impressions,clicks,conversions,spend\n" + "\n".join(lines) + "\n").encode()


def upload(client, campaign, data: bytes, name="results.csv"):
    """Post the file as a browser does. The body is built here, in memory: the test client would spool a large
    one to a temporary file of its own, and leave it open when the app refuses the body unread."""
    boundary = "gtm-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"/campaigns/{campaign.id}/results/upload", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def stored():
    db.session.expire_all()
    return sorted((m.post_id, m.variant, m.day.isoformat(), m.impressions, m.clicks, m.conversions, str(m.spend))
                  for m in Metric.query.all())

"""Outbound webhooks: a workspace's endpoints receive its events, signed to the Standard Webhooks specification,
delivered by a job with retries, and every try logged.

- endpoints.py: endpoints made, listed, changed, paused and removed (owners only), the URL and events checked;
- events.py: `emit` in a change's transaction; deliveries saved with it and enqueued once it commits;
- payloads.py: the objects in the shape the API answers them;
- delivery.py: one try signed, sent and recorded; redelivery, the test event, and the delivery log.
The HTTP request itself is gtm.webhook_http's.
"""
from .delivery import Log, deliver, delivery_log, redeliver, send_test, signed_headers  # noqa: F401
from .endpoints import (  # noqa: F401
    EVENT_NAMES, URL_MAX, Listed, change, check_events, check_url, create, endpoints, get, remove,
)
from .events import TEST_EVENT, emit, payload  # noqa: F401
from .payloads import alert_data, metric_rows, post_data, version_data  # noqa: F401

"""Results: metrics in, totals and A/B results out, and triggers that raise alerts.

What routes, jobs and the CLI use is named here; where things happen:
- metrics.py: rows checked and saved (the post page's form, the API, and the CSV's rows);
- csv_import.py: a CSV upload read into a preview with a problem per bad row, its import, and the template;
- dates.py: the CSV's dates in the forms platforms export, and the order of day and month;
- totals.py: sums of rows and the rates read off them;
- stats.py: variant A against B, with a two-proportion z-test;
- summary.py: totals per phase, post, variant, day and strategy version; the winners for prompts;
- rules.py: a trigger's fields checked, and its rule in words;
- triggers.py: triggers created, paused, resumed and deleted, and where each one stands;
- judging.py: triggers judged when metrics arrive and on a schedule, each firing recorded once as an alert;
- alerts.py: alerts listed, dismissed and acted on; their evidence as a chart and as lines for a prompt.
"""
from .metrics import (  # noqa: F401
    COLUMNS, COUNT_MAX, CSV_MAX_BYTES, CSV_MAX_TEXT, ROWS_MAX, VARIANTS, record_day, record_metrics, TooLarge,
)
from .csv_import import csv_template, import_csv, preview_csv, TEMPLATE_COLUMNS  # noqa: F401
from .dates import DAY_FIRST, MONTH_FIRST, ORDERS as DAY_ORDERS  # noqa: F401
from .stats import MIN_CLICKS, MIN_IMPRESSIONS  # noqa: F401
from .summary import VERSIONS_SHOWN, campaign_results, ctr_by_post, post_days, post_results, winners  # noqa: F401
from .totals import METRIC_LABELS, metric_text, Totals  # noqa: F401
from .alerts import (  # noqa: F401
    alerts, dismiss_alert, get_alert, mark_alert_acted, open_alert_count, open_alerts, prompt_evidence,
)
from .judging import check_all, Judgement  # noqa: F401
from .rules import PLACEHOLDERS, TEMPLATE_MAX  # noqa: F401
from .triggers import (  # noqa: F401
    create_trigger, delete_trigger, Panel, set_trigger_paused, trigger_rule, triggers_and_alerts,
)

"""Results: metrics in, totals and A/B results out, and triggers that raise alerts.

Where things happen:
- metrics.py: rows checked and saved (the post page's form, the API, and the CSV's rows);
- csv_import.py: a CSV upload read into a preview with a problem per bad row, its import, and the template;
- totals.py: sums of rows and the rates read off them;
- stats.py: variant A against B, with a two-proportion z-test;
- summary.py: totals per phase, post, variant, day and strategy version; the winners for prompts;
- rules.py: a trigger's fields checked, and its rule in words;
- triggers.py: triggers created, paused, resumed and deleted, and where each one stands;
- judging.py: triggers judged when metrics arrive and on a schedule, each firing recorded once as an alert;
- alerts.py: alerts listed, dismissed and acted on; their evidence as a chart and as lines for a prompt.
"""
from .metrics import (  # noqa: F401
    COLUMNS, COUNT_MAX, CSV_MAX_BYTES, CSV_MAX_TEXT, ROWS_MAX, VARIANTS, Row, TooLarge, record, record_one,
)
from .csv_import import CsvPreview, import_csv, preview_csv, template  # noqa: F401
from .stats import (  # noqa: F401
    CONFIDENCE_NEEDED, MIN_CLICKS, MIN_IMPRESSIONS, ABResult, Test, ab_result, compare, two_proportion,
)
from .summary import (  # noqa: F401
    VERSIONS_SHOWN, PhaseResult, PostResult, Results, VersionResult, ctr_by_post, post_days, post_results, results,
    winners,
)
from .totals import METRIC_LABELS, Totals, metric_text, threshold_text  # noqa: F401
from .alerts import (  # noqa: F401
    PROMPT_POSTS_MAX, Chart, acted, alerts, chart, dismiss, get_alert, open_alert_count, open_alerts,
    past_alert_count, prompt_evidence,
)
from .judging import Judgement, check_all, check_campaign  # noqa: F401
from .rules import PLACEHOLDERS, TEMPLATE_MAX, describe  # noqa: F401
from .triggers import (  # noqa: F401
    PAST_ALERTS_SHOWN, TRIGGERS_MAX, Panel, create, delete, get_trigger, judgements, list_triggers, panel, rule,
    set_paused,
)

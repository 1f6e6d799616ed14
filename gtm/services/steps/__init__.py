"""The analysis workflow: five steps handled by one mechanism.

- specs.py: the five kinds, their inputs and schemas, and what each builds on;
- inputs.py: the step form's values and revision feedback;
- generation.py: starting a run and, in its job, writing and saving a version;
- versions.py: adding a version, making one current, hand edits, listing and comparing;
- views.py: the step cards;
- content.py: what content becomes: cost totals, prompt summaries and diffs; the check of a hand edit.
"""
from .content import compact  # noqa: F401
from .generation import (  # noqa: F401
    CONTEXT_CHARS_PER_STEP, execute_step, refresh_step, regenerate_step, retry_step, start_step,
)
from .inputs import QUICK_PICKS, STEP_FEEDBACK_MAX, clean_inputs  # noqa: F401
from .specs import SPECS, spec_for, StepSpec  # noqa: F401
from .versions import diff_versions, editable, list_versions, make_current, save_edit, step_history  # noqa: F401
from .views import overview, revisable_card, status_summaries, status_summary, step_card, StepCard  # noqa: F401

"""The analysis workflow: five steps handled by one mechanism.

- specs.py: the five kinds, their inputs and schemas, and what each builds on;
- inputs.py: the step form's values and revision feedback;
- generation.py: starting a run and, in its job, writing and saving a version;
- versions.py: adding a version, making one current, hand edits, listing and comparing;
- views.py: the step cards;
- content.py: what content becomes: cost totals, prompt summaries and diffs; the check of a hand edit.
"""
from .content import compact  # noqa: F401
from .generation import CONTEXT_CHARS_PER_STEP, context_for, execute, refresh, regenerate, retry, start  # noqa: F401
from .inputs import QUICK_PICKS, STEP_FEEDBACK_MAX, clean_feedback, clean_inputs, compose_feedback  # noqa: F401
from .specs import SPECS, InputField, StepSpec, spec_for  # noqa: F401
from .versions import (  # noqa: F401
    Diff, History, diff, editable, history, make_current, list_versions, save_edit,
)
from .views import StepCard, card, overview, revisable_card, status_summaries, status_summary  # noqa: F401

"""The campaign strategy: plan it, write every post, revise variants, approve posts.

What routes, jobs and the CLI use is named here; where things happen:
- plan.py: the planning call, and a plan saved as a strategy version;
- regenerate.py: regenerating from phase N with a new direction, and its impact preview;
- follow_up.py: one follow-up post after chosen posts, as a new version;
- restore.py: restoring an earlier version, and undoing a change;
- posts.py: a post written (variants A and B, then images), and a failed post retried;
- variants.py: the variants' content checked and saved, their images, and one variant revised;
- approval.py: approving posts;
- review.py: posts submitted for review, approved or sent back for changes;
- context.py: what each call's prompt may know;
- lookups.py: finding posts, phases, edges and runs;
- views.py: the board, the graph, the post page and the versions list;
- history.py: the timeline of versions, any version read-only, and a restore's preview;
- compare.py: two versions compared: posts, edges, phases and one coloured graph.
"""
from .approval import approve_all_posts, approve_post, take_approval  # noqa: F401
from .compare import compare_versions  # noqa: F401
from .review import DECISIONS, REVIEW_NAMES, review_post, submit_for_review  # noqa: F401
from .context import channel_names  # noqa: F401
from .history import restore_preview, timeline, version_view  # noqa: F401
from .lookups import get_post  # noqa: F401
from .polls import board_state  # noqa: F401
from .plan import DIRECTION_MAX, execute_plan, plan  # noqa: F401
from .regenerate import (  # noqa: F401
    REGENERATE_PHASES_MAX, execute_regenerate, Preview, regenerate, regeneration_preview, retry_regeneration,
)
from .follow_up import AFTER_MAX, INSTRUCTION_MAX, add_follow_up, execute_follow_up, follow_up_titles  # noqa: F401
from .restore import restore_version, undo_change  # noqa: F401
from .posts import fail_post, retry_post, write_post  # noqa: F401
from .variants import (  # noqa: F401
    VARIANT_FEEDBACK_MAX, VARIANT_LABELS, check_revisable, edit_limits, edit_variant, execute_variant,
    make_variant_current, regenerate_variant,
)
from .views import (  # noqa: F401
    board, graph_drawing, media_file, post_view, variant_versions, variant_view, version_count, version_list,
    VersionList,
)

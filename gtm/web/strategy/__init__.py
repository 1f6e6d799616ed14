"""The strategy's pages: the board and its graph, regenerating the strategy from a phase, and the post page.

- board.py: the board, the campaign page's summary of it, planning a version, approving every post, the graph;
- follow_up.py: a follow-up post after picked posts, from the board or the graph (and the graph page itself);
- regenerate.py: regenerating from a phase with a new direction (its dialog and preview), and a failed one retried;
- posts.py: a post with variants A and B, a variant rewritten with feedback, a post retried or approved, images.
"""
from flask import Blueprint

bp = Blueprint("strategy", __name__)

# Each module adds its routes to the blueprint when it is imported, so they come after it.
from . import board, follow_up, posts, regenerate  # noqa: E402

__all__ = ["bp", "board", "follow_up", "posts", "regenerate"]

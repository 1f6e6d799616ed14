"""The campaign chat on the strategy board: commands carried out, questions answered, and the history.

What routes, jobs and the API use is named here; where things happen:
- commands.py: commands read from a message (`!regenerate phase N <direction>`, `!help`), and the regeneration
  a command starts;
- messages.py: a message posted (a command carried out, or a question handed to its answering run), the history
  with each run's outcome, and a command's undo or retry;
- answers.py: a question answered by one model call, streamed into the chat, saved with its suggested action;
- context.py: what that call may know, bounded whatever the history;
- actions.py: the suggested action checked against the campaign before it is shown as a button.
"""
from .actions import checked as checked_action  # noqa: F401
from .answers import answer_so_far, execute_answer  # noqa: F401
from .commands import EMPTY, EXAMPLE, FORM, HELP, USAGE, Command, parse  # noqa: F401
from .context import answer_context  # noqa: F401
from .messages import (  # noqa: F401
    MESSAGE_MAX, MESSAGES_SHOWN, Entry, conversation, entry, post_message, retry, undo,
)

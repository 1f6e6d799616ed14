"""Jobs of the campaign chat: answer a question."""
from gtm.services import chat

from ._runtime import LiveText, run_job


@run_job
def answer_question(run_id: int) -> None:
    """Answer a chat question with one model call, streaming the answer into the chat."""
    with LiveText(run_id) as live:
        chat.execute_answer(run_id, live)

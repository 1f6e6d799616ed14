"""The API's runs: a background generation's status and progress, and the answer that one was queued."""
from pydantic import Field, model_validator

from ...models import RunStatus
from ...services import runs
from .answers import Answer, Attributes, IdText, OrNull, Timestamp, Tokens, answer
from .blueprint import bp, workspace
from .parsing import documented


class Progress(Answer):
    done: int
    total: int


class Run(Answer):
    """A background generation and its progress."""

    id: IdText
    kind: str
    subject: str
    status: RunStatus
    progress: Progress
    message: str
    error: OrNull
    tokens: Tokens
    provider: OrNull
    model: OrNull
    parent_id: IdText | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @model_validator(mode="before")
    @classmethod
    def _counts(cls, run):
        # The progress and the tokens are counters of the run itself.
        return Attributes(run, progress=run, tokens=run)


class RunAccepted(Answer):
    """The run was queued."""

    run_id: IdText = Field(validation_alias="id")


@bp.get("/runs/<int:run_id>")
@documented({200: Run})
def get_run(run_id: int):
    """Return a run's status and progress."""
    return answer(Run.model_validate(runs.get(workspace(), run_id)))

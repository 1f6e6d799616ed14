"""The jobs gtm enqueues, by dotted path.

`gtm` never imports `jobs` (RQ imports a job by its path in the worker), so this module is the one place
that names them; a test checks that each path leads to a job.
"""
GENERATE_STEP = "jobs.steps.generate_step"
PLAN_STRATEGY = "jobs.strategy.plan_strategy"
REGENERATE_STRATEGY = "jobs.strategy.regenerate_strategy"
ADD_FOLLOW_UP = "jobs.strategy.add_follow_up"
WRITE_POST = "jobs.strategy.write_post"
REVISE_VARIANT = "jobs.strategy.revise_variant"
CHECK_TRIGGERS = "jobs.results.check_triggers"
SEND_INVITATION = "jobs.mail.send_invitation"
SEND_PASSWORD_RESET = "jobs.mail.send_password_reset"
DELIVER_WEBHOOK = "jobs.webhooks.deliver_webhook"
ANSWER_QUESTION = "jobs.chat.answer_question"

ALL = (GENERATE_STEP, PLAN_STRATEGY, REGENERATE_STRATEGY, ADD_FOLLOW_UP, WRITE_POST, REVISE_VARIANT, CHECK_TRIGGERS,
       SEND_INVITATION,
       SEND_PASSWORD_RESET, DELIVER_WEBHOOK, ANSWER_QUESTION)


def modules() -> list[str]:
    """Return the modules that hold the jobs, in a stable order (a worker imports them before it forks)."""
    return sorted({path.rpartition(".")[0] for path in ALL})

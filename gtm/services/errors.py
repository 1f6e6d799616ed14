"""Errors a service raises; routes turn them into a form message or a JSON error."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, detail=None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(ServiceError):
    status = 404

    def __init__(self, what: str = "Not found"):
        super().__init__(what)


class Invalid(ServiceError):
    """Input that breaks a rule. `fields` maps each field name to what is wrong with it."""

    status = 422

    def __init__(self, fields: dict[str, str], message: str = "Some fields need attention."):
        super().__init__(message, detail=fields)
        self.fields = fields


class Conflict(ServiceError):
    status = 409


class Forbidden(ServiceError):
    """The person's role in the workspace does not allow this; the message says what it allows."""

    status = 403


class Unavailable(ServiceError):
    status = 503


def clean_text(value, field: str, label: str, limit: int, *, empty: str | None = None) -> str:
    """Return stripped free text, or raise Invalid naming `field`.

    `label` starts the messages ("Feedback must be text."); with `empty`, blank text is refused
    with that message.
    """
    if not isinstance(value, str):
        raise Invalid({field: f"{label} must be text."})
    value = value.strip()
    if empty and not value:
        raise Invalid({field: empty})
    if len(value) > limit:
        raise Invalid({field: f"{label} has at most {limit:,} characters (this has {len(value):,})."})
    return value


NUL_MESSAGE = "Text cannot contain NUL characters (\\u0000)."


def refuse_nul(values, field: str = "") -> None:
    """Raise Invalid naming each field whose text (or a key inside it) holds a NUL character.

    No text column of PostgreSQL can store one, so such text is refused on every database alike,
    before anything is saved.
    """
    found = dict.fromkeys(_nul_fields(values, field))
    if found:
        raise Invalid({name: NUL_MESSAGE for name in found}, f"Some fields need attention: {', '.join(found)}.")


def _nul_fields(value, field: str):
    if isinstance(value, str):
        if "\x00" in value:
            yield field or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                yield field or "body"
            else:
                yield from _nul_fields(item, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_fields(item, f"{field}.{index}" if field else str(index))

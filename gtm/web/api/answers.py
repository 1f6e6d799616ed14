"""How the API answers: models that read the services' objects themselves, and the field types they share.

An answer model reads an object's attributes (`from_attributes`), so its fields are the one statement of
what the API answers: the OpenAPI document is generated from them, the tests check answers against that
document, and the view only says which object to answer with. Where the JSON differs from the attribute
the type says how: ids as text, empty text as null, timestamps as the database keeps them.
"""
from datetime import date, datetime
from typing import Annotated

from flask import jsonify
from pydantic import (
    BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, SerializeAsAny, WithJsonSchema, WrapValidator,
)


class Answer(BaseModel):
    """An answer, read off the attributes of the object it describes."""

    model_config = ConfigDict(from_attributes=True)


def answer(found: BaseModel, status: int = 200):
    """Answer with a model as JSON, its fields under their JSON names."""
    return jsonify(found.model_dump(mode="json", by_alias=True)), status


class Attributes:
    """An object's attributes, with `more` added (or put in place of some), for an answer model to read."""

    def __init__(self, source, **more):
        self._source, self._more = source, more

    def __getattr__(self, name: str):
        return self._more[name] if name in self._more else getattr(self._source, name)


def _text(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _iso_day(value):
    return value.isoformat() if isinstance(value, date) else value


# An id: the database's number, answered as text.
IdText = Annotated[str, BeforeValidator(_text)]
# Text the object holds as "" when there is none, answered as null.
OrNull = Annotated[str | None, BeforeValidator(lambda value: value or None)]
# Text the object may hold as null, answered as "".
OrEmpty = Annotated[str, BeforeValidator(lambda value: value or "")]
# A day, answered as YYYY-MM-DD text.
Day = Annotated[str | None, BeforeValidator(_iso_day)]
# A moment, written as Python writes it (`+00:00`, where pydantic would write `Z`).
Timestamp = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                      WithJsonSchema({"format": "date-time", "type": "string"})]
# A rate in percent, to four decimals.
Rate = Annotated[float | None, BeforeValidator(lambda value: round(value, 4) if value is not None else None)]


def _as_kept(value, handler):
    return value


def stored(kind):
    """A value the database keeps as JSON (its shape checked when it was saved): answered as it is kept, so
    what an older gtm wrote still reads, and documented as `kind`."""
    return Annotated[kind, WrapValidator(_as_kept), SerializeAsAny()]


def next_field(items: str = "items"):
    """The `next` of a paged answer: the cursor to send as `before`, null at the end."""
    return Field(description=f"The cursor of the {items} after these: send it as `before`; null at the end")


# A page's `next` (paging.Page.next), as text.
Cursor = Annotated[str | None, BeforeValidator(_text)]


class Tokens(Answer):
    in_: int = Field(validation_alias="tokens_in", serialization_alias="in")
    out: int = Field(validation_alias="tokens_out")

"""The JSON API's building blocks: the strict body base, field error messages, and shared small shapes."""
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, WrapValidator
from pydantic_core import PydanticCustomError

from ..services.paging import LIMIT_DEFAULT, LIMIT_MAX
from . import MAX_ID

# What a body field gets when its JSON type is wrong, keyed by pydantic's error type; the same words
# the services use, so an API client reads one voice.
MESSAGES = {
    "missing": "This field is required.",
    "string_type": "Must be text.",
    "dict_type": "Must be an object.",
    "model_type": "Must be an object.",
    "list_type": "Must be a list.",
    "int_type": "Must be a whole number.",
    "float_type": "Must be a number.",
    "bool_type": "Must be true or false.",
}


def field_errors(error: ValidationError) -> dict[str, str]:
    """Map each failing field, as a dotted path into the body, to one readable message."""
    detail: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        path = ".".join(str(part) for part in problem["loc"]) or "body"
        detail.setdefault(path, MESSAGES.get(problem["type"], problem["msg"]))
    return detail


def says(message: str) -> WrapValidator:
    """Answer one message for a field that takes several JSON types; pydantic would list one per type."""
    def validate(value, handler):
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("wrong_type", message) from None
    return WrapValidator(validate)


def _version_number(value):
    # Digits read as the number; other text goes on as it is and names no version, so the service says 404.
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return value


VersionNumber = Annotated[
    int | str | None, AfterValidator(_version_number), says("Must be a version number."),
    WithJsonSchema({"type": "integer", "minimum": 1}),
]


def text_list(schema: dict):
    """A list of text, documented as such; one text goes on too, for the service to split as the form's is."""
    return Annotated[list[str] | str | None, says("Must be a list of text values."),
                     WithJsonSchema({"type": "array", **schema})]


class Body(BaseModel):
    # Strict: a JSON type is never coerced into another ("5" is not a number, 5 is not text).
    model_config = ConfigDict(strict=True, extra="ignore")


def documented_as(schema: dict):
    """A field whose value the service judges (so its errors come in the service's order), documented as `schema`."""
    return Annotated[Any, WithJsonSchema(schema)]


class Error(BaseModel):
    """An error; `detail` maps field names to messages when fields break a rule."""

    error: str
    detail: str | dict[str, str] | None = None


class Tokens(BaseModel):
    in_: int = Field(alias="in")
    out: int


class Progress(BaseModel):
    done: int
    total: int


class PageQuery(Body):
    """A page of a list: the newest items first, or those after the page whose `next` is `before`."""

    before: documented_as({"type": "string", "pattern": "^[0-9]+$",
                           "description": "The `next` of the page before; leave it out for the newest page"}) = None
    limit: documented_as({"type": "integer", "minimum": 1, "maximum": LIMIT_MAX,
                          "description": f"How many items at most (1 to {LIMIT_MAX})"}) = \
        Field(None, json_schema_extra={"default": LIMIT_DEFAULT})


def next_field(items: str = "items"):
    """The `next` of a paged answer: the cursor to send as `before`, null at the end."""
    return Field(description=f"The cursor of the {items} after these: send it as `before`; null at the end")

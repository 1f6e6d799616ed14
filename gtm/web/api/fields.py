"""What the API's bodies and queries are made of: the strict body, fields the services judge, and paging.

A body model checks the body's shape: which fields it has and their JSON types. The values (lengths,
channels, budgets, blank text) stay the services' rules, checked where the HTML forms are checked too,
so a limit shown in the schema is described here but enforced there. Unknown fields are ignored.
"""
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, WrapValidator
from pydantic_core import PydanticCustomError

from ...ids import number_or_text
from ...services.paging import LIMIT_DEFAULT, LIMIT_MAX


class Body(BaseModel):
    # Strict: a JSON type is never coerced into another ("5" is not a number, 5 is not text).
    model_config = ConfigDict(strict=True, extra="ignore")


def says(message: str) -> WrapValidator:
    """Answer one message for a field that takes several JSON types; pydantic would list one per type."""
    def validate(value, handler):
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("wrong_type", message) from None
    return WrapValidator(validate)


def passed_on(schema: dict) -> Any:
    """A field passed on as it came, for the service to judge (so its errors come in the service's order);
    documented as `schema`. Annotate it `Any`."""
    return Field(None, json_schema_extra=schema)


def text_list(schema: dict):
    """A list of text, documented as such; one text goes on too, for the service to split as the form's is."""
    return Annotated[list[str] | str | None, says("Must be a list of text values."),
                     WithJsonSchema({"type": "array", **schema})]


# A version number; digits as text are read as the number, and other text names no version (the service says 404).
VersionNumber = Annotated[
    int | str | None, AfterValidator(number_or_text), says("Must be a version number."),
    WithJsonSchema({"type": "integer", "minimum": 1}),
]


class PageQuery(Body):
    """A page of a list: the newest items first, or those after the page whose `next` is `before`."""

    before: Any = passed_on({"type": "string", "pattern": "^[0-9]+$",
                             "description": "The `next` of the page before; leave it out for the newest page"})
    limit: Any = passed_on({"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT,
                            "description": f"How many items at most (1 to {LIMIT_MAX})"})

"""The API's errors: the one shape every error answers in, and the 400s and 422s of bodies and queries."""
from pydantic import BaseModel, ValidationError

from ...services.errors import ServiceError

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


class ApiError(ServiceError):
    def __init__(self, status: int, message: str, detail=None):
        super().__init__(message, detail)
        self.status = status


class Error(BaseModel):
    """An error; `detail` maps field names to messages when fields break a rule."""

    error: str
    detail: str | dict[str, str] | None = None


def field_errors(error: ValidationError) -> dict[str, str]:
    """Map each failing field, as a dotted path into the body, to one readable message."""
    detail: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        path = ".".join(str(part) for part in problem["loc"]) or "body"
        detail.setdefault(path, MESSAGES.get(problem["type"], problem["msg"]))
    return detail


def invalid(detail: dict[str, str]) -> ApiError:
    """A 422 naming each field of `detail`."""
    return ApiError(422, f"Some fields need attention: {', '.join(detail)}.", detail)

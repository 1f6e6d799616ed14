"""The base of every output schema."""
from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Refuse unknown fields, as strict structured outputs do."""

    model_config = ConfigDict(extra="forbid")

"""What the fake OpenAI server answers when nothing is scripted: a minimal value valid for a request's JSON
schema, and a prompt's size in tokens, roughly."""
from __future__ import annotations

import uuid
from typing import Any

_MAX_DEPTH = 8  # recursive schemas ($ref cycles) stop growing past this depth


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """Rough prompt size: characters of all message text // 4, at least 1."""
    chars = 0
    for message in messages or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):  # multi-part content: count the text parts only
            chars += sum(len(p.get("text") or "") for p in content if isinstance(p, dict))
    return max(1, chars // 4)


def sample_from_schema(schema: dict[str, Any], root: dict[str, Any] | None = None, *,
                       name: str = "value", index: int = 1, depth: int = 0) -> Any:
    """Build a minimal value that validates against a (strict) JSON schema."""
    root = root if root is not None else schema
    if "$ref" in schema:
        target: Any = root  # local refs only: "#/$defs/Name", "#/definitions/Name" or "#"
        for part in filter(None, schema["$ref"].lstrip("#/").split("/")):
            target = target[part]
        return sample_from_schema(target, root, name=name, index=index, depth=depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if b.get("type") != "null"]
            if not branches or (depth >= _MAX_DEPTH and len(branches) < len(schema[key])):
                return None
            return sample_from_schema(branches[0], root, name=name, index=index, depth=depth)
    if schema.get("allOf"):
        return sample_from_schema(schema["allOf"][0], root, name=name, index=index, depth=depth)
    kind = schema.get("type")
    if isinstance(kind, list):  # e.g. ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return {key: sample_from_schema(sub, root, name=key, index=index, depth=depth + 1)
                for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        count = max(2 if depth < _MAX_DEPTH else 0, schema.get("minItems", 0))
        if "maxItems" in schema:
            count = min(count, schema["maxItems"])
        items = schema.get("items") or {"type": "string"}
        return [sample_from_schema(items, root, name=name, index=i + 1, depth=depth + 1) for i in range(count)]
    if kind in ("integer", "number"):
        return _sample_number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _sample_string(schema, name, index)


def _sample_number(schema: dict[str, Any], *, integer: bool) -> int | float:
    """1, moved into [minimum, maximum] (exclusive bounds included)."""
    step, value = (1 if integer else 0.5), 1
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    value = max(value, low) if low is not None else value
    value = ex_low + step if ex_low is not None and value <= ex_low else value
    value = min(value, high) if high is not None else value
    value = ex_high - step if ex_high is not None and value >= ex_high else value
    return int(value) if integer else value


def _sample_string(schema: dict[str, Any], name: str, index: int) -> str:
    """A readable string, honouring common formats and length bounds."""
    formats = {"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00",
               "email": f"sample{index}@example.com", "uri": f"https://example.com/{index}",
               "uuid": str(uuid.UUID(int=index))}
    value = formats.get(schema.get("format", ""), f"Sample {name} {index}")
    value = value.ljust(schema.get("minLength", 0), "x")
    return value[: schema["maxLength"]] if "maxLength" in schema else value

"""The edit form of a step version, derived from the step's output schema, and the posted form read back.

Every step kind gets the same JSON-free form: text fields, lists as one item per line, and repeated groups
for lists of objects. A control's name is its path into the content (`segments.0.pains`); the service
checks the content and names each refused field by that path.
"""
import datetime
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import annotated_types
from pydantic import BaseModel

from ...ids import whole
from ...models import StepVersion
from ...services import steps
from ...services.steps.content import EDIT_TEXT_MAX, ITEM_LABELS, label, plain


@dataclass
class FormField:
    """One control of an edit form; `items` holds the groups of a list of objects."""

    name: str
    label: str
    control: str  # text, textarea, lines, number, date, choice or items
    value: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    limit: int | None = None
    item_label: str = ""
    items: list["FormItem"] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "edit-" + self.name.replace(".", "-")


@dataclass
class FormItem:
    name: str
    number: int
    fields: list[FormField]
    blank: bool = False


@dataclass
class EditForm:
    """The edit form of one version: its fields, filled from the version or from what was posted."""

    spec: steps.StepSpec
    version: StepVersion
    fields: list[FormField]


def edit_form(workspace_id: int, campaign_id: int, kind: str, number=None, posted: Mapping | None = None) -> EditForm:
    """Return the edit form of a version (the current one by default), filled from it or from `posted`."""
    spec = steps.spec_for(kind)
    version = steps.editable(workspace_id, campaign_id, kind, number)
    data = parse_form(spec.schema, posted, keep_blank=True) if posted is not None else version.content
    return EditForm(spec, version, form_fields(spec.schema, data))


def posted_content(kind: str, form: Mapping) -> tuple[dict, dict]:
    """Read a posted edit form as content, and where each kept group was posted (for the service's messages)."""
    names: dict = {}
    return parse_form(steps.spec_for(kind).schema, form, names=names), names


def _kind(annotation) -> tuple[str, object]:
    """Classify a schema field's type: (control, detail)."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "choice", tuple(typing.get_args(annotation))
    if origin is list:
        (inner,) = typing.get_args(annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "items", inner
        return "lines", None
    if annotation in (int, float):
        return "number", None
    if annotation is datetime.date:
        return "date", None
    return "text", None


def _max_length(info) -> int | None:
    return next((m.max_length for m in info.metadata if isinstance(m, annotated_types.MaxLen)), None)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return plain(Decimal(str(value)))
    return str(value)


def _filled(group: dict) -> bool:
    return any(v not in ("", [], None) for v in group.values())


def form_fields(schema: type[BaseModel], data: dict | None, prefix: str = "") -> list[FormField]:
    """Describe the edit form of `schema`, filled from `data` (content, or what was posted)."""
    data = data or {}
    fields = []
    for name, info in schema.model_fields.items():
        full = f"{prefix}{name}"
        control, detail = _kind(info.annotation)
        value = data.get(name)
        limit = _max_length(info)
        if control == "items":
            groups = [item for item in (value or []) if isinstance(item, dict)]
            if (not groups or _filled(groups[-1])) and (limit is None or len(groups) < limit):
                groups.append({})  # one empty group to add an item
            items = [FormItem(f"{full}.{i}", i + 1, form_fields(detail, group, f"{full}.{i}."), blank=not _filled(group))
                     for i, group in enumerate(groups)]
            fields.append(FormField(full, label(name), "items", item_label=ITEM_LABELS.get(name, label(name)),
                                    items=items, limit=limit, help=info.description or ""))
            continue
        if control == "lines":
            shown = "\n".join(_shown(v) for v in value) if isinstance(value, list) else _shown(value)
        else:
            shown = _shown(value)
        if control == "text" and (limit is None or limit > 200):
            control = "textarea"
        fields.append(FormField(full, label(name), control, shown, info.description or "",
                                tuple(detail) if control == "choice" else (), limit or EDIT_TEXT_MAX))
    return fields


def _group_numbers(form: Mapping, full: str) -> list[int]:
    """The numbers of the groups posted under `full` (`segments.0.name` is group 0 of `segments`)."""
    heads = {key[len(full) + 1:].split(".", 1)[0] for key in form if key.startswith(full + ".")}
    return sorted({number for number in map(whole, heads) if number is not None})


def parse_form(schema: type[BaseModel], form: Mapping[str, str], *, keep_blank: bool = False,
               prefix: str = "", path: tuple = (), names: dict | None = None) -> dict:
    """Turn posted edit-form fields into content for `schema`.

    Groups left blank, or ticked "remove", are dropped unless `keep_blank`; `names` then maps
    each kept group's new position to its form name, so errors land next to the right fields.
    """
    data: dict = {}
    for name, info in schema.model_fields.items():
        full = f"{prefix}{name}"
        control, detail = _kind(info.annotation)
        if control == "items":
            items = []
            for index in _group_numbers(form, full):
                item_prefix = f"{full}.{index}."
                item = parse_form(detail, form, keep_blank=keep_blank, prefix=item_prefix,
                                  path=(*path, name, len(items)), names=names)
                removed = form.get(item_prefix + "_remove")
                blank = not any(v not in ("", []) for v in item.values())
                if not keep_blank and (removed or blank):
                    continue
                if names is not None:
                    names[(*path, name, len(items))] = f"{full}.{index}"
                items.append(item)
            data[name] = items
        elif control == "lines":
            data[name] = [line.strip() for line in str(form.get(full, "")).splitlines() if line.strip()]
        else:
            data[name] = str(form.get(full, "")).replace("\r\n", "\n").strip()
    return data

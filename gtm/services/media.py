"""Post media: images made through the LLM gateway and kept in the instance folder.

Files live under `<instance>/media/<workspace id>/`, named after the variant, so writing one
twice replaces it rather than adding another. The database keeps the path relative to the
media folder; pages reach a file only through its variant, which is checked for the workspace.

A stored path has one shape, `<workspace id>/<file name>`, and a file is found only inside its owner's
own folder: `path()` takes the owning workspace and refuses any other shape (`..`, absolute paths,
backslashes, NULs, empty or extra segments) and any link, so a row that somehow names another
workspace's file, or a file outside the media folder, serves nothing.
"""
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import current_app

from .. import llm

# A plain file name: no separators, and no leading dot (so neither `..` nor the hidden temporary files).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
STORED = re.compile(r"(0|[1-9][0-9]{0,17})/(" + NAME.pattern + ")")


def root() -> Path:
    return Path(current_app.instance_path) / "media"


def make_images(requests: list[tuple[str, str]]) -> list[bytes]:
    """Return one PNG per (image prompt, headline), made at the same time.

    With the openai provider each image is an HTTP call that mostly waits, so the variants of a
    post wait together rather than one after the other.
    """
    if not requests:
        return []
    llm.provider()  # built once here, not raced by the threads below
    app = current_app._get_current_object()

    def one(request: tuple[str, str]) -> bytes:
        with app.app_context():
            return llm.image(*request)

    if len(requests) == 1:
        return [one(requests[0])]
    with ThreadPoolExecutor(max_workers=len(requests), thread_name_prefix="gtm-media") as pool:
        return list(pool.map(one, requests))


def store(workspace_id: int, name: str, data: bytes) -> str:
    """Write an image atomically and return its path relative to the media folder."""
    if not NAME.fullmatch(name):
        raise ValueError(f"not a plain file name: {name!r}")
    folder = root() / str(int(workspace_id))
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".png")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return f"{int(workspace_id)}/{name}"


def owner(relative) -> int | None:
    """Return the workspace a stored path belongs to, or None when it is not `<workspace id>/<file name>`.

    Only the text is read; no file is looked at.
    """
    found = STORED.fullmatch(relative) if isinstance(relative, str) else None
    return int(found.group(1)) if found else None


def path(workspace_id: int, relative) -> Path | None:
    """Return the file a stored path names inside the workspace's own folder, or None.

    None when the path has another shape, belongs to another workspace, is missing, or is (or passes
    through) a link: the resolved file must be exactly `<media root>/<workspace id>/<file name>`.
    """
    if owner(relative) != int(workspace_id):
        return None
    base = root().resolve()
    expected = base / str(int(workspace_id)) / relative.split("/", 1)[1]
    try:
        found = expected.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if found != expected or not found.is_file():
        return None
    return found

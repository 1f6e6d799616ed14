"""Post media: images made through the LLM gateway and kept in the instance folder.

Files live under `<instance>/media/<workspace id>/`, named after the variant, so writing one
twice replaces it rather than adding another. The database keeps the path relative to the
media folder; pages reach a file only through its variant, which is checked for the workspace.
"""
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import current_app

from .. import llm


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


def path(relative: str) -> Path | None:
    """Return the file for a stored relative path, or None when it is missing or points outside."""
    base = root().resolve()
    candidate = (base / relative).resolve()
    if base not in candidate.parents or not candidate.is_file():
        return None
    return candidate

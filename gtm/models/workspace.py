"""Workspaces, their members with their roles, the users and their API tokens."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import UTCDateTime, created_at


class Workspace(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = created_at()
    # How the brand speaks ({"tone", "use", "avoid", "reading_level", "examples"}); None until someone sets it.
    voice: Mapped[dict | None] = mapped_column(JSON)

    users: Mapped[list["User"]] = relationship(back_populates="workspace")


def new_session_token() -> str:
    return secrets.token_hex(16)


ROLES = ("owner", "editor", "reviewer", "viewer")


class Membership(db.Model):
    """A user's membership of a workspace, with the one role they have there."""

    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_membership_workspace_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = created_at()

    user: Mapped["User"] = relationship()
    workspace: Mapped[Workspace] = relationship()


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The workspace the person last acted in, where a new session starts; they may belong to others too.
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    created_at: Mapped[datetime] = created_at()
    # Part of every session's and remember cookie's user id; a new one ends them all (log-out, new password).
    # Random rather than a counter, so even someone holding SECRET_KEY cannot make a cookie that loads.
    # The empty server default only lets the column be added to existing rows; the migration fills them.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token, server_default="")
    # An administrator of the whole instance (the jobs dashboard), made with `gtm users create --admin`.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    workspace: Mapped[Workspace] = relationship(back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The workspace the token acts in, with its user's role there; set for every token (the migration filled
    # the ones made before workspaces had several members with their user's workspace).
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id"), index=True)
    # Only a SHA-256 of the token is stored; the prefix lets a person tell tokens apart.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

"""Backups of an instance (`gtm backup PATH`) and their restore into an empty one (`gtm restore PATH`)."""
from .archive import COUNTED, BackupRefused
from .create import backup, pg_dump_command
from .restore import restore

__all__ = ["COUNTED", "BackupRefused", "backup", "pg_dump_command", "restore"]

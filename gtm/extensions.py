"""Flask extensions, created unbound and wired in by create_app."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Keyed by the client's address (the real one behind a proxy, see GTM_BEHIND_PROXY). Its storage is the
# app's Redis, set per app in create_app. Settings are given here, not read from the first app's config,
# because one Limiter serves every app a process creates (tests create many).
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, swallow_errors=True, strategy="fixed-window",
                  key_prefix="gtm:limits")

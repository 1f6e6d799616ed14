"""The analysis workflow: the step cards and their forms (routes.py), and the edit form of a step version,
built from the step's schema (fields.py)."""
from .routes import bp  # noqa: F401

"""The SQL a request sends, recorded, with a way to land another commit between two of its statements."""
import contextlib
import threading

from sqlalchemy import event

from gtm.extensions import db


@contextlib.contextmanager
def statements_of(app, before: int | None = None, run=None):
    """Record the SQL this thread sends; call `run` (in its own app context) just before statement `before`.

    A test uses it to land a job's commit between any two reads of one request, deterministically."""
    seen: list[str] = []
    thread, running = threading.get_ident(), False

    def record(conn, cursor, statement, *args):
        nonlocal running
        if threading.get_ident() != thread or running:
            return
        if len(seen) == before:
            running = True
            try:
                with app.app_context():
                    run()
            finally:
                running = False
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)

"""The recovery: with the faults off, a marketer retries whatever failed, through the API and the pages."""
from sqlalchemy import select

from gtm.extensions import db
from gtm.models import STEP_KINDS, Run, StepVersion, StrategyVersion

from .clients import Http


class Recovery:
    """Part of Soak: retries everything that failed, and finishes what the load did not reach."""

    def recover(self, campaign_id: int) -> None:
        """With the faults off, retry whatever failed, and finish what the load did not reach."""
        with self.app.app_context():
            self._recover(campaign_id)

    def _recover(self, campaign_id: int) -> None:
        client = self.api()
        pages = Http(self.port, self.statuses)
        for kind in STEP_KINDS:
            if self._current_step(campaign_id, kind) is None:
                self._retry(client, "step", lambda: self.start_run(
                    client, f"/api/campaigns/{campaign_id}/steps/{kind}/generate"))
        if not self._versions(campaign_id, "plan"):
            self._retry(client, "plan", lambda: self.start_run(client, f"/api/campaigns/{campaign_id}/strategy"))
        self._retry_posts(client, pages, campaign_id)
        if not self._versions(campaign_id, "regenerate"):
            failed = self._latest_run(campaign_id, "regenerate")
            if failed is not None and failed.status == "failed":
                self._log_in(pages)
                path = f"/campaigns/{campaign_id}/strategy/regenerate/{failed.id}/retry"
                self._retry(client, "regeneration", lambda: self._page_run(
                    pages, path, lambda: self._latest_run(campaign_id, "regenerate")))
            else:
                self._retry(client, "regeneration", lambda: self.start_run(
                    client, "/api/agents/regenerate-strategy/", self._regeneration(campaign_id)))
        self._retry_posts(client, pages, campaign_id)

    def _retry(self, client: Http, kind: str, start) -> None:
        self.report.retries[kind] += 1
        run_id = start()
        if run_id is None:
            return
        outcome = self.wait_run(client, run_id)
        if outcome != "succeeded":
            db.session.remove()
            run = db.session.get(Run, run_id)
            self.report.breach(f"retrying a {kind} (run {run_id}) ended {outcome}: {run.error if run else ''}")

    def _retry_posts(self, client: Http, pages: Http, campaign_id: int) -> None:
        """Retry each failed post of the current version, found as an API client finds them: in /nodes."""
        status, nodes = client.api("GET", f"/api/campaigns/{campaign_id}/nodes")
        if status != 200:
            self.report.breach(f"GET /api/campaigns/{campaign_id}/nodes answered {status}")
            return
        failed = [post["id"] for phase in nodes["phases"] for post in phase["posts"] if post["status"] == "failed"]
        for post_id in failed:
            self._log_in(pages)
            subject = f"post:{post_id}"
            self._retry(client, "post", lambda: self._page_run(
                pages, f"/campaigns/{campaign_id}/posts/{post_id}/retry",
                lambda: self._latest_run(campaign_id, "post", subject)))

    def _page_run(self, pages: Http, path: str, newest) -> int | None:
        before = newest()
        status, content = pages.request("POST", path, form={})
        after = newest()
        if status not in (200, 303) or after is None or (before is not None and after.id == before.id):
            self.report.breach(f"POST {path} answered {status} and started nothing: {content[:200]!r}")
            return None
        return after.id

    def _log_in(self, pages: Http) -> None:
        """Share one logged-in session among the recovery's page clients: log-ins are rate limited."""
        if pages.cookie:
            return
        with self.session_lock:
            if not self.session.cookie:
                self.session.log_in(self.email)
        pages.cookie, pages.csrf = self.session.cookie, self.session.csrf

    def _latest_run(self, campaign_id: int, kind: str, subject: str = "") -> Run | None:
        db.session.remove()
        return db.session.scalar(select(Run).where(Run.campaign_id == campaign_id, Run.kind == kind,
                                                   Run.subject == subject).order_by(Run.id.desc()).limit(1))

    def _current_step(self, campaign_id: int, kind: str) -> StepVersion | None:
        db.session.remove()
        return db.session.scalar(select(StepVersion).where(StepVersion.campaign_id == campaign_id,
                                                           StepVersion.kind == kind, StepVersion.is_current.is_(True)))

    def _versions(self, campaign_id: int, origin: str) -> list[StrategyVersion]:
        db.session.remove()
        return db.session.scalars(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id,
                                                                StrategyVersion.origin == origin)).all()

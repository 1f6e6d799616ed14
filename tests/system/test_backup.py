"""`gtm backup PATH` copies a running SQLite instance while it writes, and `gtm restore PATH` brings every campaign,
version, member, post, variant, metric and image back into an empty instance. Each bad input is refused with a
clear message, exit code 2, and nothing changed."""
import io
import json
import tarfile
import threading
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from gtm import create_app
from gtm.cli import cli
from gtm.extensions import db
from gtm.models.campaign import Campaign
from gtm.models.results import Metric
from gtm.models.strategy import Member, Post, StrategyVersion, Variant
from gtm.services import accounts, backups, media
from gtm.services.backups import archive
from gtm.services.backups.restore import known_revisions

from tests.kit.clients import PASSWORD

def instance(folder: Path, migrated: bool = True):
    app = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'gtm.db'}",
                      "SECRET_KEY": "x", "REDIS_URL": "unix:///nonexistent.sock", "GTM_LLM": "offline"})
    if migrated:
        with app.app_context():
            upgrade()
    return app


def gtm(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def write_campaign(workspace_id: int, number: int) -> None:
    """What planning and writing do, in their order: the image files first, then one transaction with the
    campaign, its version, posts, members and variants naming them; the metrics in a later transaction."""
    campaign = Campaign(workspace_id=workspace_id, name=f"Campaign {number}", product="p", audience="a", goals="g",
                        current_version=1)
    db.session.add(campaign)
    db.session.flush()
    db.session.add(StrategyVersion(campaign_id=campaign.id, number=1))
    for slot in range(2):
        post = Post(campaign_id=campaign.id, version=1, phase=1, key=f"p1-{slot}", title=f"Post {number}.{slot}",
                    channel="email", brief="b", status="ready")
        db.session.add(post)
        db.session.flush()
        db.session.add(Member(campaign_id=campaign.id, version=1, post_id=post.id))
        for label in "AB":
            name = f"c{number}-{slot}-{label}.png"
            stored = media.store(workspace_id, name, f"PNG {number} {slot} {label}".encode())
            db.session.add(Variant(post_id=post.id, label=label, headline=f"H {number}.{slot}{label}", body="b",
                                   call_to_action="c", image_prompt="i", media_path=stored))
    db.session.commit()
    for post in db.session.scalars(select(Post).where(Post.campaign_id == campaign.id)):
        for label in "AB":
            db.session.add(Metric(campaign_id=campaign.id, post_id=post.id, variant=label, day=date(2026, 1, 1),
                                  impressions=100 + number, clicks=number))
    db.session.commit()


def snapshot(app) -> dict:
    """What an instance holds, campaign by campaign, with each image's bytes."""
    with app.app_context():
        found = {}
        for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
            posts = db.session.scalars(select(Post).where(Post.campaign_id == campaign.id).order_by(Post.id)).all()
            found[campaign.name] = {
                "versions": db.session.scalar(select(func.count()).where(StrategyVersion.campaign_id == campaign.id)),
                "members": db.session.scalar(select(func.count()).where(Member.campaign_id == campaign.id)),
                "posts": [post.title for post in posts],
                "variants": [(v.headline, media.path(campaign.workspace_id, v.media_path).read_bytes())
                             for post in posts for v in post.variants],
                "metrics": sorted((m.variant, m.impressions, m.clicks) for m in db.session.scalars(
                    select(Metric).where(Metric.campaign_id == campaign.id))),
            }
        return found


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """An instance with one user and campaigns written while `gtm backup` runs; the backup and its output."""
    folder = tmp_path_factory.mktemp("backup")
    app = instance(folder / "source")
    with app.app_context():
        workspace_id = accounts.sign_up("owner@example.com", PASSWORD).workspace_id
    started, stop, made = threading.Event(), threading.Event(), []

    def writer():
        with app.app_context():
            while not stop.is_set() or len(made) < 6:
                write_campaign(workspace_id, len(made))
                made.append(len(made))
                if len(made) >= 3:
                    started.set()
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(30)
    result = gtm(app, "backup", str(folder / "gtm-backup.tar.gz"))
    stop.set()
    thread.join(30)
    return app, folder, result, len(made)


def test_a_backup_made_while_writing_restores_everything_into_an_empty_instance(written):
    source, folder, result, made = written
    assert result.exit_code == 0, result.output
    with tarfile.open(folder / "gtm-backup.tar.gz") as tar:
        manifest = json.load(tar.extractfile("gtm-backup/manifest.json"))
    with source.app_context():
        assert manifest["database"] == "included" and manifest["revision"] == known_revisions()[1]
    assert manifest["counts"]["users"] == 1 and manifest["counts"]["campaigns"] >= 3

    target = instance(folder / "target", migrated=False)
    restored = gtm(target, "restore", str(folder / "gtm-backup.tar.gz"))
    assert restored.exit_code == 0, restored.output
    assert f"{manifest['counts']['campaigns']} campaigns" in restored.output

    everything, back = snapshot(source), snapshot(target)
    assert len(everything) == made > len(back) - 1
    # A consistent state: the first campaigns written, each whole (its version, members, posts, variants and
    # their images); only the newest may lack its metrics, written in the transaction after it.
    names = list(back)
    assert names == list(everything)[:len(names)]
    for name in names:
        assert back[name]["versions"] == 1 and back[name]["members"] == 2 and len(back[name]["variants"]) == 4
        assert {k: v for k, v in back[name].items() if k != "metrics"} == \
            {k: v for k, v in everything[name].items() if k != "metrics"}
        assert back[name]["metrics"] in ([], everything[name]["metrics"])
    assert all(back[name]["metrics"] == everything[name]["metrics"] for name in names[:-1])
    with target.app_context():
        with db.engine.connect() as conn:
            assert archive.counts(conn) == manifest["counts"]
        assert accounts.user_by_email("owner@example.com").workspace_id == manifest["counts"]["workspaces"]

    again = gtm(target, "restore", str(folder / "gtm-backup.tar.gz"))
    assert again.exit_code == 2 and "not empty" in again.output and "GTM_INSTANCE_PATH" in again.output
    assert snapshot(target) == back


def test_a_backup_never_overwrites_a_file(written):
    source, folder, _, _ = written
    target = folder / "taken.tar.gz"
    target.write_text("keep me")
    result = gtm(source, "backup", str(target))
    assert result.exit_code == 2 and "already exists" in result.output
    assert target.read_text() == "keep me"
    missing = gtm(source, "backup", str(folder / "no-such-folder" / "b.tar.gz"))
    assert missing.exit_code == 2 and "does not exist" in missing.output

"""`gtm backup PATH` copies a running SQLite instance while it writes, and `gtm restore PATH` brings every campaign,
version, member, post, variant, metric and image back into an empty instance. Each bad input is refused with a
clear message, exit code 2, and nothing changed."""
import io
import json
import sqlite3
import tarfile
import threading
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

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


def assert_still_empty(app) -> None:
    with app.app_context():
        with db.engine.connect() as conn:
            assert "user" not in inspect(conn).get_table_names() or archive.counts(conn)["users"] == 0
        assert not media.root().exists() or not any(media.root().rglob("*"))


def repacked(backup: Path, into: Path, change) -> Path:
    """The backup unpacked, changed by `change(folder, manifest)` and packed again with fresh hashes."""
    work = into.with_suffix(".d")
    work.mkdir()
    manifest = archive.read(backup, work)
    manifest.pop("files")
    (work / archive.TOP / "manifest.json").unlink()
    change(work / archive.TOP, manifest)
    archive.write(into, work / archive.TOP, manifest)
    return into


def test_a_backup_from_a_newer_gtm_is_refused(written, tmp_path):
    _, folder, _, _ = written

    def newer(content, manifest):
        with sqlite3.connect(content / archive.DATABASE) as conn:
            conn.execute("UPDATE alembic_version SET version_num = 'f00000000001'")
        manifest["revision"] = "f00000000001"

    target = instance(tmp_path / "target", migrated=False)
    result = gtm(target, "restore", str(repacked(folder / "gtm-backup.tar.gz", tmp_path / "newer.tar.gz", newer)))
    assert result.exit_code == 2 and "made by a newer gtm (database revision f00000000001)" in result.output
    assert_still_empty(target)


@pytest.mark.parametrize("case", ["missing", "folder", "text", "foreign tar", "truncated", "altered", "lying"])
def test_a_restore_refuses_what_is_not_a_whole_gtm_backup(written, tmp_path, case):
    _, folder, _, _ = written
    good = (folder / "gtm-backup.tar.gz").read_bytes()
    path = tmp_path / "in.tar.gz"
    if case == "folder":
        path.mkdir()
    elif case == "text":
        path.write_text("hello")
    elif case == "foreign tar":
        with tarfile.open(path, "w:gz") as tar:
            tar.addfile(tarfile.TarInfo("gtm-backup/notes.txt"), io.BytesIO(b""))
    elif case == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif case == "altered":
        middle = len(good) // 2
        path.write_bytes(good[:middle] + bytes([good[middle] ^ 0xFF]) + good[middle + 1:])
    elif case == "lying":
        def more(content, manifest):
            manifest["counts"] = dict(manifest["counts"], campaigns=manifest["counts"]["campaigns"] + 1)
        path = repacked(folder / "gtm-backup.tar.gz", tmp_path / "lying.tar.gz", more)
    target = instance(tmp_path / "target", migrated=False)
    result = gtm(target, "restore", str(path))
    assert result.exit_code == 2, result.output
    said = {"missing": "does not exist", "folder": "is a directory", "text": "is not a gtm backup",
            "foreign tar": "is not a gtm backup", "truncated": "damaged", "altered": "damaged",
            "lying": "does not hold what its manifest says"}[case]
    assert said in result.output
    assert_still_empty(target)


def test_a_backup_from_an_older_revision_is_upgraded_after_its_restore(tmp_path):
    app = instance(tmp_path / "old")
    with app.app_context():
        accounts.sign_up("old@example.com", PASSWORD)
        downgrade(revision="-1")
        older = db.session.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        db.session.remove()
        revisions, head = known_revisions()
    assert older in revisions and older != head
    assert gtm(app, "backup", str(tmp_path / "old.tar.gz")).exit_code == 0
    target = instance(tmp_path / "target", migrated=False)
    result = gtm(target, "restore", str(tmp_path / "old.tar.gz"))
    assert result.exit_code == 0, result.output
    assert f"at revision {older} and is upgraded to {head}" in result.output
    with target.app_context():
        assert accounts.user_by_email("old@example.com").is_admin is False
        assert db.session.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head


def test_the_pg_dump_command_leaves_the_password_out():
    command = backups.pg_dump_command("postgresql+psycopg://gtm:s3cret@db.example:5433/gtm")
    assert command == "pg_dump --format=custom --file gtm.dump 'postgresql://gtm@db.example:5433/gtm'"

"""The Markdown export names no file that is not in the download: the plain .md leaves the image paths out and
points to "Markdown with images", a zip of strategy.md and images/…png whose Markdown shows each image by its
name inside the zip, byte for byte the stored image; the zip is the same bytes every time, and its names are
made of ids only."""
import io
import re
import zipfile

from gtm.models import Post, Variant
from gtm.services import media

from tests.kit.exports import download


def markdown_targets(text: str) -> list[str]:
    """Every file a Markdown text links or shows."""
    return re.findall(r"\]\(([^)]+)\)", text)


def test_the_plain_markdown_names_no_image_path(api, campaign, written, user):
    text = download(api, campaign.id, "format=md").get_data(as_text=True)
    paths = [v.media_path for v in Variant.query.join(Post).filter(Post.campaign_id == campaign.id) if v.media_path]
    assert paths, "the written strategy has images"
    for path in paths:
        assert path not in text
    assert not markdown_targets(text) and ".png" not in text
    assert text.count("- **Image:** in the download “Markdown with images”") == len(paths)


def test_the_zip_holds_the_markdown_and_every_image_it_shows(api, campaign, written, user):
    response = download(api, campaign.id, "format=zip")
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bloom-launch-v1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[0] == "strategy.md"
    text = archive.read("strategy.md").decode("utf-8")
    shown = markdown_targets(text)
    images = [name for name in names if name != "strategy.md"]
    assert shown == images, "the Markdown shows every image in the zip, and only those"
    assert all(re.fullmatch(r"images/post-\d+-[ab]\.png", name) for name in images)

    variants = {(v.post_id, v.label.lower()): v for v in Variant.query.join(Post).filter(
        Post.campaign_id == campaign.id, Post.is_active.is_(True), Variant.is_current.is_(True))}
    assert len(images) == len(variants) == 2 * len(written["phases"][0]["posts"] + written["phases"][1]["posts"]
                                                   + sum((p["posts"] for p in written["phases"][2:]), []))
    for name in images:
        post_id, label = re.fullmatch(r"images/post-(\d+)-([ab])\.png", name).groups()
        stored = media.path(user.workspace_id, variants[(int(post_id), label)].media_path)
        assert archive.read(name) == stored.read_bytes()
        assert f"![Image of variant {label.upper()}]({name})" in text
    # Everything else the plain Markdown says is there too.
    plain = download(api, campaign.id, "format=md").get_data(as_text=True)
    assert [line for line in plain.splitlines() if "**Image:**" not in line] == \
        [line for line in text.splitlines() if "**Image:**" not in line]

    again = download(api, campaign.id, "format=zip").get_data()
    assert again == response.get_data(), "the same content makes the same bytes"


def test_an_image_whose_file_is_gone_is_left_out_of_the_zip(api, campaign, written, user):
    variant = Variant.query.join(Post).filter(Post.campaign_id == campaign.id, Variant.media_path.isnot(None)).first()
    media.path(user.workspace_id, variant.media_path).unlink()
    archive = zipfile.ZipFile(io.BytesIO(download(api, campaign.id, "format=zip").get_data()))
    text = archive.read("strategy.md").decode("utf-8")
    assert markdown_targets(text) == [name for name in archive.namelist() if name != "strategy.md"]
    assert f"images/post-{variant.post_id}-{variant.label.lower()}.png" not in archive.namelist()


def test_the_board_and_the_api_offer_the_zip(api, campaign, written, auth_client):
    page = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert f"/campaigns/{campaign.id}/strategy/export?format=zip&amp;version=1" in page
    assert "Markdown with images (.zip)" in page
    response = auth_client.get(f"/campaigns/{campaign.id}/strategy/export?format=zip&version=1")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    status, spec = api.get("/api/openapi.json")
    operation = spec["paths"]["/api/campaigns/{id}/export"]["get"]
    fmt = next(p for p in operation["parameters"] if p["name"] == "format")["schema"]
    assert fmt["enum"] == ["json", "md", "zip", "csv", "ics"] and "zip (the Markdown with its images" in fmt["description"]
    assert "application/zip" in operation["responses"]["200"]["content"]

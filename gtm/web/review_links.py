"""Review links: a campaign's page of links that share posts for review with people outside the workspace
(owners and editors make and withdraw them), and the page such a link opens, /review/<token>, for anyone who
holds it (authorization.PUBLIC): the shared posts with their variants, and per post a form to approve it or
request changes, signed with the guest's name. The public pages link nowhere into the app, are kept by no
cache, and are rate limited per address."""
import functools

from flask import Blueprint, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..extensions import limiter
from ..services import review_links
from ..services.errors import NotFound
from .context import workspace_id
from .forms import submit
from .htmx import go, page
from .links import external

bp = Blueprint("review_links", __name__)

# Per client address: reading the page (and its images, several per page), and sending decisions.
READ_LIMIT = "60 per minute"
IMAGE_LIMIT = "300 per minute"
DECIDE_LIMIT = "20 per minute"
PUBLIC_ENDPOINTS = ("review_links.shared", "review_links.decide", "review_links.image")


@bp.after_request
def keep_nothing(response):
    """The public pages carry a secret in their address: no cache keeps them, no referrer names them, and no
    search engine lists them."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def public(view):
    """A view of the link's pages: an unknown, withdrawn or expired link (or what it does not share) answers 404
    with a plain page that leads nowhere into the app."""
    @functools.wraps(view)
    def answered(**args):
        try:
            return view(**args)
        except NotFound as error:
            return make_response(render_template("review_links/gone.html", message=error.message), 404)
    return answered


# The workspace's side: the campaign's links.
def links_page(campaign_id: int, status: int = 200, errors: dict | None = None, problem: str | None = None,
               values: dict | None = None, **shown):
    view = review_links.links_view(workspace_id(), campaign_id)
    return page("review_links/index.html", status=status, view=view, campaign_id=campaign_id,
                is_live=review_links.is_live, errors=errors or {}, problem=problem, values=values or {},
                days_min=review_links.DAYS_MIN, days_max=review_links.DAYS_MAX,
                days_default=review_links.DAYS_DEFAULT, **shown)


@bp.get("/campaigns/<int:campaign_id>/review-links")
@login_required
def index(campaign_id: int):
    """List the campaign's review links, with the form that makes one."""
    return links_page(campaign_id)


@bp.post("/campaigns/<int:campaign_id>/review-links")
@login_required
def create(campaign_id: int):
    """Share every current post, or the ticked ones, for some days: the link is shown once, to copy."""
    values = {"share": request.form.get("share", "all"), "post_ids": request.form.getlist("post_ids"),
              "expires_in_days": request.form.get("expires_in_days", ""),
              "one_use_per_post": request.form.get("one_use_per_post") == "1"}
    chosen = values["post_ids"] if values["share"] == "chosen" else None
    if values["share"] == "chosen" and not chosen:
        return links_page(campaign_id, 422, errors={"post_ids": "Tick the posts to share, or share every post."},
                          values=values)

    def made(result):
        link, raw = result
        return links_page(campaign_id, 201, new_link=link, new_url=external("review_links.shared", token=raw))
    return submit(lambda: review_links.create(workspace_id(), campaign_id, current_user.id, chosen,
                                              values["expires_in_days"], values["one_use_per_post"]),
                  done=made, again=lambda status, errors, problem: links_page(campaign_id, status, errors=errors,
                                                                              problem=problem, values=values))


@bp.post("/campaigns/<int:campaign_id>/review-links/<int:link_id>/revoke")
@login_required
def revoke(campaign_id: int, link_id: int):
    """Withdraw a link: whoever opens it from now on reads that it was withdrawn."""
    def revoked(_link):
        flash("The review link is withdrawn: it no longer opens.")
        return go("review_links.index", campaign_id=campaign_id)
    return submit(lambda: review_links.revoke(workspace_id(), campaign_id, current_user.id, link_id), done=revoked,
                  again=lambda status, errors, problem: links_page(campaign_id, status, problem=problem))


# The guest's side: the page a link opens.
def shared_page(token: str, status: int = 200, errors: dict | None = None, problem: str | None = None,
                post_id: int | None = None, values: dict | None = None):
    """The shared posts; `post_id` names the post whose form was refused, with `errors`, `problem` and `values`."""
    return make_response(render_template(
        "review_links/shared.html", shared=review_links.open_link(token), token=token, errors=errors or {},
        problem=problem, refused_post=post_id, values=values or {}, name_max=review_links.NAME_MAX), status)


@bp.get("/review/<token>")
@limiter.limit(READ_LIMIT)
@public
def shared(token: str):
    """Show the shared posts, each with its form."""
    return shared_page(token)


@bp.post("/review/<token>/posts/<int:post_id>")
@limiter.limit(DECIDE_LIMIT)
@public
def decide(token: str, post_id: int):
    """Approve a shared post or request changes, signed with the guest's name."""
    values = {"name": request.form.get("name", ""), "comment": request.form.get("comment", ""),
              "decision": request.form.get("decision", "")}

    def sent(post):
        done = "approved" if values["decision"] == "approve" else "sent back with your comment"
        flash(f"Thank you: “{post.title}” is {done}.")
        return redirect(url_for("review_links.shared", token=token, _anchor=f"post-{post.id}"), code=303)
    return submit(lambda: review_links.guest_review(token, post_id, values["decision"], values["comment"],
                                                    values["name"]),
                  done=sent, again=lambda status, errors, problem: shared_page(
                      token, status, errors=errors, problem=problem, post_id=post_id, values=values))


@bp.get("/review/<token>/images/<int:variant_id>.png")
@limiter.limit(IMAGE_LIMIT)
@public
def image(token: str, variant_id: int):
    """A shared post's variant image, only through a live link that shares the post."""
    return send_file(review_links.image_file(token, variant_id), mimetype="image/png", max_age=0)

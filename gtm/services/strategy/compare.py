"""Comparing two strategy versions: posts added, removed, kept and changed, edges and phases, and one coloured graph.

A post that one version dropped and the other added in the same phase is read as the same post
changed when both have the post key, or else when they are on the same channel and their titles are
close (see `title_overlap`); the pairs are taken greedily, most alike first, so each post is in at
most one pair. Anything else is shown as one archived post and one new post.
"""
import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ...extensions import db
from ...models import Campaign, Phase, Post, StrategyVersion
from .. import campaigns, graph
from ..errors import Invalid
from .context import channel_names
from .lookups import current_variant, edges_among, member_posts, phases
from .restore import get_version
from .variants import VARIANT_LABELS

# Two titles are close when at least half of all their distinct words are shared. Letters alone
# (difflib's character ratio) paired unrelated posts that merely named the same product; a channel
# change or a new title with a few common words is a different post, not the same post rewritten.
TITLE_CUTOFF = 0.5
_WORD = re.compile(r"[^\W_]+")


@dataclass
class FieldDiff:
    """One field of a changed post, word by word: parts are ("same" | "del" | "ins", text)."""

    label: str
    parts: list[tuple[str, str]]

    @property
    def changed(self) -> bool:
        return any(kind != "same" for kind, _ in self.parts)


@dataclass
class Change:
    old: Post
    new: Post
    fields: list[FieldDiff]


@dataclass
class Comparison:
    campaign: Campaign
    a: StrategyVersion
    b: StrategyVersion
    added: list[Post]
    removed: list[Post]
    kept: list[Post]
    changed: list[Change]
    edges_added: list[tuple[int, int]]
    edges_removed: list[tuple[int, int]]
    phases_added: list[int]
    phases_removed: list[int]
    phases_changed: list[int]
    svg: graph.Drawing
    latest: int = 0
    states: dict[int, str] = field(default_factory=dict)
    edge_states: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def titles(self) -> dict[int, str]:
        return {node.id: node.title for node in self.svg.nodes}

    @property
    def summary(self) -> str:
        """Say the result in one line: "3 posts kept, 4 new, 4 archived; 6 links changed"."""
        parts = [f"{len(self.kept)} post{'s' if len(self.kept) != 1 else ''} kept"]
        if self.changed:
            parts.append(f"{len(self.changed)} changed")
        parts += [f"{len(self.added)} new", f"{len(self.removed)} archived"]
        links = len(self.edges_added) + len(self.edges_removed)
        line = ", ".join(parts) + f"; {links} link{'s' if links != 1 else ''} changed"
        phase_changes = len(self.phases_added) + len(self.phases_removed) + len(self.phases_changed)
        if phase_changes:
            line += f"; {phase_changes} phase{'s' if phase_changes != 1 else ''} changed"
        return line


def check_version_number(value, name: str) -> int:
    """Return a version number given as a whole number, or raise Invalid naming the field."""
    if value is None or value == "":
        raise Invalid({name: "Choose a version to compare."}, "Give two versions to compare, like ?a=1&b=2.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid({name: "Must be a version number, such as 2."}, f"`{name}` must be a version number.")
    return value


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return the words of `old` and `new` as kept, deleted and inserted runs."""
    a, b = old.split(), new.split()
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("ins", " ".join(b[j1:j2])))
    return parts


def title_overlap(old: str, new: str) -> float:
    """Return the share of distinct words, ignoring case and punctuation, that both titles have (0 to 1)."""
    a, b = set(_WORD.findall(old.lower())), set(_WORD.findall(new.lower()))
    return len(a & b) / len(a | b) if a | b else 0.0


def pair_changed(removed: list[Post], added: list[Post]) -> list[tuple[Post, Post]]:
    """Pair removed and added posts of the same phase: same key first, then same channel and closest titles."""
    pairs: list[tuple[Post, Post]] = []
    left, right = list(removed), list(added)
    for old in list(left):
        new = next((p for p in right if p.phase == old.phase and p.key == old.key), None)
        if new is not None:
            pairs.append((old, new))
            left.remove(old)
            right.remove(new)
    scored = sorted(((title_overlap(old.title, new.title), old.id, new.id, old, new)
                     for old in left for new in right if old.phase == new.phase and old.channel == new.channel),
                    key=lambda row: (-row[0], row[1], row[2]))
    taken: set[int] = set()
    for ratio, _, _, old, new in scored:
        if ratio < TITLE_CUTOFF:
            break
        if old.id in taken or new.id in taken:
            continue
        taken.update((old.id, new.id))
        pairs.append((old, new))
    return pairs


def _fields(old: Post, new: Post) -> list[FieldDiff]:
    names = channel_names()
    found = [FieldDiff("Title", word_diff(old.title, new.title)), FieldDiff("Brief", word_diff(old.brief, new.brief)),
             FieldDiff("Channel", word_diff(names.get(old.channel, old.channel), names.get(new.channel, new.channel))),
             FieldDiff("Day", word_diff(str(old.day), str(new.day)))]
    for label in VARIANT_LABELS:
        before, after = current_variant(old.id, label), current_variant(new.id, label)
        found.append(FieldDiff(f"Variant {label} headline", word_diff(before.headline if before else "",
                                                                       after.headline if after else "")))
        found.append(FieldDiff(f"Variant {label} body", word_diff(before.body if before else "",
                                                                   after.body if after else "")))
    return found


def _phase_changes(old: list[Phase], new: list[Phase]) -> tuple[list[int], list[int], list[int]]:
    a, b = {p.number: p for p in old}, {p.number: p for p in new}
    return (sorted(set(b) - set(a)), sorted(set(a) - set(b)),
            sorted(n for n in set(a) & set(b) if (a[n].name, a[n].goal) != (b[n].name, b[n].goal)))


def compare_versions(workspace_id: int, campaign_id: int, a, b) -> Comparison:
    """Compare versions `a` and `b` of the campaign's strategy; nothing changes."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    errors = {}
    for name, value in (("a", a), ("b", b)):
        try:
            check_version_number(value, name)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(errors, "Give two versions to compare as numbers, like ?a=1&b=2.")
    first, second = get_version(campaign_id, a), get_version(campaign_id, b)
    old = {post.id: post for post in member_posts(campaign_id, first.number)}
    new = {post.id: post for post in member_posts(campaign_id, second.number)}
    removed = [post for post_id, post in old.items() if post_id not in new]
    added = [post for post_id, post in new.items() if post_id not in old]
    pairs = pair_changed(removed, added)
    paired = {post.id for pair in pairs for post in pair}
    old_edges, new_edges = set(edges_among(list(old))), set(edges_among(list(new)))
    old_phases, new_phases = phases(campaign_id, first.number), phases(campaign_id, second.number)
    phases_added, phases_removed, phases_changed = _phase_changes(old_phases, new_phases)
    # One drawing of both versions: the later version's phases, and the earlier one's that it no longer has.
    shown = {p.number: p for p in old_phases} | {p.number: p for p in new_phases}
    everything = sorted({**old, **new}.values(), key=lambda p: (p.phase, p.id))
    union = sorted(old_edges | new_edges)
    drawing = graph.layout([shown[n] for n in sorted(shown)], everything, union, channel_names())
    comparison = Comparison(
        campaign, first, second,
        added=[p for p in added if p.id not in paired], removed=[p for p in removed if p.id not in paired],
        kept=[post for post_id, post in new.items() if post_id in old],
        changed=[Change(o, n, _fields(o, n)) for o, n in pairs],
        edges_added=sorted(new_edges - old_edges), edges_removed=sorted(old_edges - new_edges),
        phases_added=phases_added, phases_removed=phases_removed, phases_changed=phases_changed, svg=drawing)
    comparison.latest = db.session.scalar(select(func.max(StrategyVersion.number)).where(
        StrategyVersion.campaign_id == campaign_id)) or 0
    comparison.states = {**{p.id: "kept" for p in comparison.kept}, **{p.id: "added" for p in comparison.added},
                         **{p.id: "removed" for p in comparison.removed}, **{post_id: "changed" for post_id in paired}}
    comparison.edge_states = {edge: ("added" if edge not in old_edges else "removed" if edge not in new_edges
                                     else "kept") for edge in union}
    return comparison

"""The strategy graph's rules, its drawing and its Mermaid text.

Pure functions over plain values: no database, no Flask. `problems` is what the LLM gateway's
`check=` runs on a plan, so every message is written to be read by the model (in a repair
request) and by the marketer (in a failed run).
"""
from dataclasses import dataclass, field

PHASES_MIN, PHASES_MAX = 3, 5
# A regeneration may grow the campaign past a first plan's size, up to this many phases.
REGENERATE_PHASES_MAX = 6
POSTS_MIN, POSTS_MAX = 2, 5
KEY_MAX = 40
TITLE_MAX = 200
# A phase's goal may be as long as a campaign's goals; a brief is "two or three sentences", with room to spare.
GOAL_MAX = 1000
BRIEF_MAX = 2000
DAY_MAX = 365
# The model's own keys and channels are quoted back to it in problems; a runaway one is shortened there.
QUOTED_MAX = 60


def problems(plan, channels: list[str]) -> list[str]:
    """Return every rule the plan breaks, as readable sentences; empty when the plan is valid."""
    found: list[str] = []
    phases = plan.phases
    if not PHASES_MIN <= len(phases) <= PHASES_MAX:
        found.append(f"the plan has {len(phases)} phases; it needs {PHASES_MIN} to {PHASES_MAX}")
    numbers = [phase.number for phase in phases]
    if numbers != list(range(1, len(phases) + 1)):
        found.append(f"phases must be numbered 1 to {len(phases)} in order (got {numbers})")
    phase_of = _posts_problems(phases, channels, {}, found, first=1)
    parents, children = _edges_problems(plan.edges, phase_of, set(), found)
    last = len(phases)
    for key, position in phase_of.items():
        if position > 1 and not parents[key]:
            found.append(f"post {_quoted(key)} in phase {position} has no parent in phase {position - 1}")
        if position < last and not children[key]:
            found.append(f"post {_quoted(key)} in phase {position} has no child in phase {position + 1}")
    return found


def regeneration_problems(plan, channels: list[str], kept: dict[str, int], from_phase: int) -> list[str]:
    """Return every rule a regeneration from `from_phase` breaks on the combined graph.

    `kept` maps each kept post's key to its phase (all before `from_phase`). The new phases must
    follow on from the kept ones, every kept post of the phase just before gets a child, every new
    post of the first new phase has a kept parent, and no edge points into a kept phase.
    """
    found: list[str] = []
    phases = plan.phases
    total = from_phase - 1 + len(phases)
    if not phases:
        found.append(f"the answer has no phases; it needs new phases from phase {from_phase} on")
    elif not PHASES_MIN <= total <= REGENERATE_PHASES_MAX:
        found.append(f"with the {from_phase - 1} kept phases the strategy would have {total} phases; it needs "
                     f"{PHASES_MIN} to {REGENERATE_PHASES_MAX} (so {max(1, PHASES_MIN - from_phase + 1)} to "
                     f"{REGENERATE_PHASES_MAX - from_phase + 1} new phases)")
    numbers = [phase.number for phase in phases]
    expected = list(range(from_phase, from_phase + len(phases)))
    if numbers != expected:
        found.append(f"the new phases must be numbered {from_phase} to {from_phase + len(phases) - 1} in order "
                     f"(got {numbers})")
    phase_of = _posts_problems(phases, channels, kept, found, first=from_phase)
    kept_before = {key for key, phase in kept.items() if phase == from_phase - 1}
    everything = {**{key: kept[key] for key in kept_before}, **phase_of}
    parents, children = _edges_problems(plan.edges, everything, set(kept) - kept_before, found, kept_before)
    last = from_phase - 1 + len(phases)
    for key, position in phase_of.items():
        if position > 1 and not parents[key]:
            where = "among the kept posts of" if position == from_phase else "in"
            found.append(f"new post {_quoted(key)} in phase {position} has no parent {where} phase {position - 1}")
        if position < last and not children[key]:
            found.append(f"post {_quoted(key)} in phase {position} has no child in phase {position + 1}")
    for key in sorted(kept_before):
        if not children[key]:
            found.append(f"kept post {_quoted(key)} in phase {from_phase - 1} has no child in phase {from_phase}; "
                         "link it to at least one new post")
    return found


def follow_up_placement(picked: list[tuple[str, int]], sizes: dict[int, int]) -> tuple[int, list[str]]:
    """Return the phase a follow-up after the `picked` posts goes in, and every rule it would break there.

    `picked` holds each chosen post's title and phase; `sizes` each phase of the current version with its
    number of posts. The new post goes in the phase after the latest picked post's, or in a new phase after
    the last one. Its edges come from every picked post, so they all need to be in the phase just before
    it; a phase holds at most POSTS_MAX posts; the strategy at most REGENERATE_PHASES_MAX phases; and, as in
    every plan, a post before the last phase leads on to the next one, which a new post cannot do.
    """
    found: list[str] = []
    target = max(phase for _, phase in picked) + 1
    last = max(sizes, default=0)
    earlier = [title for title, phase in picked if phase != target - 1]
    if earlier:
        found.append(f"the new post would be in phase {target}, after phase {target - 1}, and edges run from phase "
                     f"k to phase k+1 only, so it cannot follow {', '.join(_quoted(t) for t in earlier[:5])} in an "
                     "earlier phase; pick posts of one phase")
    if target > last and target > REGENERATE_PHASES_MAX:
        found.append(f"the strategy already has {last} phases, the most it may have, so no phase can be added "
                     f"after phase {last}")
    elif target <= last and sizes.get(target, 0) >= POSTS_MAX:
        found.append(f"phase {target} already has {sizes[target]} posts, the most a phase may have")
    elif target < last:
        found.append(f"the new post would be in phase {target} of {last} with no post after it, and every post "
                     f"before the last phase leads to one in the next; pick posts of phase {last - 1} (the new "
                     f"post joins phase {last}) or of phase {last} (it opens phase {last + 1})")
    return target, found


def follow_up_post_problems(post, channels: list[str], day_min: int, new_phase: bool) -> list[str]:
    """Return every rule the model's follow-up post breaks, as readable sentences (for its repair request)."""
    found: list[str] = []
    if not post.title.strip() or len(post.title) > TITLE_MAX:
        found.append(f"the post needs a title of 1 to {TITLE_MAX} characters")
    if not post.brief.strip() or len(post.brief) > BRIEF_MAX:
        found.append(f"the post needs a brief of 1 to {BRIEF_MAX} characters")
    if post.channel not in channels:
        found.append(f"the post uses channel {_quoted(post.channel)}; use one of the campaign's channels: "
                     f"{', '.join(channels)}")
    if not day_min <= post.day <= DAY_MAX:
        found.append(f"the post is on day {post.day}; it follows a post of day {day_min}, so use a day from "
                     f"{day_min} to {DAY_MAX}")
    if new_phase:
        if not post.phase_name.strip() or not post.phase_goal.strip():
            found.append("the post opens a new phase: give the phase a name and a goal")
        elif len(post.phase_goal) > GOAL_MAX:
            found.append(f"the new phase has a goal of {len(post.phase_goal)} characters; use at most {GOAL_MAX}")
    return found


def _posts_problems(phases, channels: list[str], taken: dict[str, int], found: list[str], *, first: int) -> dict:
    """Check each phase's size and each post's fields; return each new post's key with its phase."""
    phase_of: dict[str, int] = {}
    for position, phase in enumerate(phases, start=first):
        if not POSTS_MIN <= len(phase.posts) <= POSTS_MAX:
            found.append(f"phase {position} has {len(phase.posts)} post{'s' if len(phase.posts) != 1 else ''}; "
                         f"each phase needs {POSTS_MIN} to {POSTS_MAX}")
        if not phase.name.strip() or not phase.goal.strip():
            found.append(f"phase {position} needs a name and a goal")
        elif len(phase.goal) > GOAL_MAX:
            found.append(f"phase {position} has a goal of {len(phase.goal)} characters; use at most {GOAL_MAX}")
        for post in phase.posts:
            key = post.key.strip()
            if not key or len(key) > KEY_MAX:
                found.append(f"post key {_quoted(post.key)} must have 1 to {KEY_MAX} characters")
            if key in taken:
                found.append(f"post key {_quoted(key)} is already used by a kept post; choose another")
            elif key in phase_of:
                found.append(f"post key {_quoted(key)} is used twice; keys must be unique")
            phase_of.setdefault(key, position)
            if not post.title.strip() or len(post.title) > TITLE_MAX:
                found.append(f"post {_quoted(key)} needs a title of 1 to {TITLE_MAX} characters")
            if len(post.brief) > BRIEF_MAX:
                found.append(f"post {_quoted(key)} has a brief of {len(post.brief)} characters; "
                             f"use at most {BRIEF_MAX}")
            if post.channel not in channels:
                found.append(f"post {_quoted(key)} uses channel {_quoted(post.channel)}; use one of the campaign's "
                             f"channels: {', '.join(channels)}")
            if not 0 <= post.day <= DAY_MAX:
                found.append(f"post {_quoted(key)} is on day {post.day}; days run from 0 to {DAY_MAX}")
    return phase_of


def _quoted(text: str) -> str:
    return repr(text if len(text) <= QUOTED_MAX else short(text, QUOTED_MAX))


def _edge(pair: tuple[str, str]) -> str:
    return " → ".join(key if len(key) <= QUOTED_MAX else short(key, QUOTED_MAX) for key in pair)


def _edges_problems(edges, phase_of: dict[str, int], out_of_reach: set[str], found: list[str],
                    fixed: frozenset | set = frozenset()):
    """Check each edge; return each post's parents and children. `fixed` posts take no new parents."""
    seen: set[tuple[str, str]] = set()
    parents: dict[str, set[str]] = {key: set() for key in phase_of}
    children: dict[str, set[str]] = {key: set() for key in phase_of}
    for edge in edges:
        pair = (edge.from_key.strip(), edge.to_key.strip())
        if pair[1] in fixed or pair[1] in out_of_reach:
            found.append(f"edge {_edge(pair)} points into a kept phase; edges may only point to new posts")
            continue
        unknown = [key for key in pair if key not in phase_of]
        if unknown:
            far = [key for key in unknown if key in out_of_reach]
            if far:
                found.append(f"edge {_edge(pair)} starts from a kept post that is not in the phase just "
                             "before the new ones; edges must run from phase k to phase k+1")
            else:
                found.append(f"edge {_edge(pair)} names unknown post key{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(_quoted(k) for k in unknown)}")
            continue
        if pair in seen:
            found.append(f"edge {_edge(pair)} appears twice")
            continue
        seen.add(pair)
        if phase_of[pair[1]] != phase_of[pair[0]] + 1:
            found.append(f"edge {_edge(pair)} joins phase {phase_of[pair[0]]} to phase {phase_of[pair[1]]}; "
                         "edges must run from phase k to phase k+1")
            continue
        children[pair[0]].add(pair[1])
        parents[pair[1]].add(pair[0])
    return parents, children


# -- drawing -------------------------------------------------------------------------------

NODE_W, NODE_H = 200, 66
COLUMN_W = 260
ROW_H = NODE_H + 26
PAD_X, PAD_TOP, PAD_BOTTOM = 20, 56, 20


@dataclass
class Node:
    id: int
    x: int
    y: int
    title: str
    label: str
    status: str
    approved: bool
    caption: str = ""
    # The post's review: draft, in_review, approved or changes_requested.
    review: str = "draft"


@dataclass
class Drawing:
    width: int
    height: int
    columns: list[dict] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    paths: list[dict] = field(default_factory=list)
    node_w: int = NODE_W
    node_h: int = NODE_H


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def layout(phases: list, posts: list, edges: list[tuple[int, int]], channel_names: dict[str, str]) -> Drawing:
    """Place phases left to right and their posts top to bottom; route each edge as a curve."""
    by_phase: dict[int, list] = {}
    for post in posts:
        by_phase.setdefault(post.phase, []).append(post)
    rows = max((len(items) for items in by_phase.values()), default=1)
    drawing = Drawing(width=PAD_X * 2 + max(len(phases), 1) * COLUMN_W - (COLUMN_W - NODE_W),
                      height=PAD_TOP + rows * ROW_H + PAD_BOTTOM)
    where: dict[int, Node] = {}
    for column, phase in enumerate(phases):
        x = PAD_X + column * COLUMN_W
        drawing.columns.append({"x": x, "number": phase.number, "name": short(phase.name, 26)})
        items = by_phase.get(phase.number, [])
        # Centre shorter columns so branches and merges read as such.
        offset = (rows - len(items)) * ROW_H // 2
        for row, post in enumerate(items):
            node = Node(id=post.id, x=x, y=PAD_TOP + offset + row * ROW_H, title=post.title,
                        label=f"{channel_names.get(post.channel, post.channel)} · day {post.day}",
                        status=post.status, approved=post.approved, caption=short(post.title, 27),
                        review=getattr(post, "review", None) or ("approved" if post.approved else "draft"))
            where[post.id] = node
            drawing.nodes.append(node)
    for source, target in edges:
        a, b = where.get(source), where.get(target)
        if a is None or b is None:
            continue
        x1, y1 = a.x + NODE_W, a.y + NODE_H // 2
        x2, y2 = b.x - 6, b.y + NODE_H // 2
        bend = (x2 - x1) // 2
        drawing.paths.append({"from": source, "to": target,
                              "d": f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"})
    return drawing


# How the Mermaid text marks a post waiting for a review, or sent back for changes (an approved one gets ✓).
REVIEW_MARKS = {"in_review": " (in review)", "changes_requested": " (changes requested)"}


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted; quotes and angle brackets become its entity codes.
    return (" ".join(text.split()).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;"))


def mermaid(phases: list, posts: list, edges: list[tuple[int, int]], channel_names: dict[str, str]) -> str:
    """Return the graph as a Mermaid flowchart, phases as subgraphs from left to right."""
    lines = ["flowchart LR"]
    for phase in phases:
        lines.append(f'  subgraph phase{phase.number}["Phase {phase.number}: {_mermaid_text(phase.name)}"]')
        for post in posts:
            if post.phase == phase.number:
                mark = " ✓" if post.approved else REVIEW_MARKS.get(getattr(post, "review", None), "")
                lines.append(f'    post{post.id}["{_mermaid_text(post.title)}{mark}<br/>'
                             f'{_mermaid_text(channel_names.get(post.channel, post.channel))} · day {post.day}"]')
        lines.append("  end")
    for source, target in edges:
        lines.append(f"  post{source} --> post{target}")
    approved = [f"post{post.id}" for post in posts if post.approved]
    if approved:
        lines.append("  classDef approved stroke:#1a7f37,stroke-width:3px")
        lines.append(f"  class {','.join(approved)} approved")
    return "\n".join(lines) + "\n"

"""Every kind of node a user owns, declared once: its label and model, computed fields, sorts, rules,
caption, links, search text and cascade (graph/kind.py says what each part means).

Every list that must know every kind derives from KINDS: the link types and their ends (ENDS), the
labels the view draws, the labels search embeds, the deltas' node kinds, the constraints and indexes
the schema keeps (graph/migrations.py), the API's enums. tests/test_kinds.py fails when one is left out.
To add a kind: its model (graph/models.py), its declaration here, its Cypher (graph/<domain>.py), its
resolvers and its types (see the README's "Adding a kind").
"""

from collections import defaultdict
from collections.abc import Mapping

from graph import decay, knows, models
from graph.kind import SHARED_WITH, Cascade, Invariant, Kind, Relation, Searched, shared_with_viewer
from graph.rows import Computed, Shape, date_of

KNOWS = Shape.of(models.Knows)
GAVE = Shape.of(models.Gave)

# The next occurrence on or after today (UTC) of `n`: the date itself if it has not passed or does not
# recur; else the same day next month or year. Adding a duration keeps 29 February a valid date.
NEXT_OCCURRENCE = """CASE
  WHEN n.date >= date() OR NOT coalesce(n.recurring, false) THEN n.date
  WHEN n.recurrence = 'monthly' THEN
    [k IN [(date().year - n.date.year) * 12 + date().month - n.date.month] |
      CASE WHEN n.date + duration({months: k}) >= date()
        THEN n.date + duration({months: k}) ELSE n.date + duration({months: k + 1}) END][0]
  ELSE
    [k IN [date().year - n.date.year] |
      CASE WHEN n.date + duration({years: k}) >= date()
        THEN n.date + duration({years: k}) ELSE n.date + duration({years: k + 1}) END][0]
END"""

# What a text names, found by the mentions consumer (dispatch/mentions.py): the owner's people by these
# properties, and their concepts by name.
MENTIONED: Mapping[str, tuple[str, ...]] = {"Recipient": ("name", "nickname"), "Concept": ("name",)}


def mentions(source: str) -> tuple[Relation, ...]:
    """A kind whose text names people and concepts: MENTIONS from it to each (automatic links, kept by
    the mentions consumer with where in the text they are; or made by hand with `link`)."""
    return tuple(Relation("MENTIONS", source, target) for target in MENTIONED)


# How concepts relate to each other.
CONCEPT_LINKS = (
    "RELATED_TO",
    "PART_OF",
    "EVOLVED_FROM",
    "INSPIRED_BY",
    "CONTRADICTS",
    "SUPPORTS",
    "REFERENCES",
)

# A series' entries, kept in month buckets (graph/series.py): no kind of their own (never drawn, searched,
# linked or listed as nodes), deleted with their series.
BUCKET = "SeriesBucket"
HAS_BUCKET = "HAS_BUCKET"
SERIES_ENTRIES = (Cascade(HAS_BUCKET, BUCKET),)
# Growth credits, kept in month buckets per entity (graph/growth.py): no kind of their own either, deleted
# with the card (or the account) they credit. GROWING: the kinds of card that grow (and the person).
GROWTH_BUCKET = "GrowthBucket"
HAS_GROWTH = "HAS_GROWTH"
GROWTH_CREDITS = (Cascade(HAS_GROWTH, GROWTH_BUCKET),)
GROWING: tuple[str, ...] = ("Concept", "Memory")
# What a card's evolution is computed from (layout/analytics.py's `evolution`), as Cypher on `n`: its
# links (its growth buckets are none), its links to nodes made in the last 30 days, and its growth per
# dimension, [[dimension, total]] from each month's running totals (a dimension once per month: summed
# by `evolution`). The view reads the same parts (graph/view.py).
CARD_LINKS = f"(COUNT {{ (n)--() }} - COUNT {{ (n)-[:{HAS_GROWTH}]->() }})"
CARD_RECENT = "COUNT { (n)--(m) WHERE m.owner = $owner AND m.created_at > datetime() - duration({days: 30}) }"
CARD_GROWN = f"""COLLECT {{ MATCH (n)-[:{HAS_GROWTH}]->(b:{GROWTH_BUCKET})
  UNWIND range(0, size(b.dim_keys) - 1) AS j RETURN [b.dim_keys[j], b.dim_totals[j]] }}"""
# A partner reading a shared card sees it grown from what they may read: its links to their own nodes and
# to what was shared with them, none of its author's growth (their buckets are their own).
CARD = f"""CASE WHEN n.owner = $owner THEN {{links: {CARD_LINKS}, recent: {CARD_RECENT}, grown: {CARD_GROWN}}}
  ELSE {{links: COUNT {{ (n)--(o) WHERE o.owner = $owner OR {shared_with_viewer("o")} }},
        recent: {CARD_RECENT}, grown: []}} END"""

# A conflict's analyses and repair plans (graph/mediation.py): what they are of, what they rest on, and
# which one each replaced (SUPERSEDES, from the newer). Made with the analysis or plan, never linked by hand.
ANALYZES = Relation("ANALYZES", "ConflictAnalysis", "Conflict", linkable=False)
ANALYSIS_SUPERSEDES = Relation("SUPERSEDES", "ConflictAnalysis", "ConflictAnalysis", linkable=False)
# The messages an analysis quotes, each DERIVED_FROM it with a weight (how strongly a finding rests on it).
ANALYSIS_EVIDENCE = Relation("DERIVED_FROM", "ConflictAnalysis", "Message", linkable=False)
REPAIRS = Relation("REPAIRS", "RepairPlan", "Conflict", linkable=False)
PLANNED_FROM = Relation("PLANNED_FROM", "RepairPlan", "ConflictAnalysis", linkable=False)
PLAN_SUPERSEDES = Relation("SUPERSEDES", "RepairPlan", "RepairPlan", linkable=False)
# What goes with a conflict: its analyses and its plans (each its author's: a cascade deletes the owner's).
CONFLICT_OUTPUTS = (
    Cascade(ANALYZES.type, "ConflictAnalysis", outgoing=False),
    Cascade(REPAIRS.type, "RepairPlan", outgoing=False),
)

RECIPIENT = Kind(
    "Recipient",
    models.Recipient,
    joins="MATCH (:User {uid: $owner})-[k:KNOWS]->(n)",
    ranges={"approximate_age": (0, 150)},
    computed={"knows": Computed(KNOWS.map("k"), KNOWS.decode)},
    sorts={
        "name": "n.name",
        "importance": "k.importance",
        "closeness": "k.closeness",
        "created_at": "n.created_at",
    },
    relations=(
        Relation("HAS_OCCASION", "Recipient", "Occasion"),
        Relation("INTERESTED_IN", "Recipient", "Concept"),
        # Who is alike (a score, its basis, when computed): kept by the similarity consumer
        # (dispatch/similarity.py), never linked by hand.
        Relation("SIMILAR_TO", "Recipient", "Recipient", linkable=False, kept_by="Kindred as it learns"),
    ),
    searched=Searched(
        "People: profile, relationship, interests.",
        """
        OPTIONAL MATCH (:User {uid: $owner})-[k:KNOWS]->(n)
        RETURN n.uid AS uid, {name: n.name, nickname: n.nickname, label: k.relationship_label,
               kind: k.relationship_type,
               interests: [(n)-[:INTERESTED_IN]->(c:Concept) | c.name]} AS fields""",
        sentence=("name", "nickname", "label", "kind"),
        named=("name", "nickname"),
        listed=(("Likes", ("interests",)),),
        dependents="""
        MATCH (d:Gift)-[:INTENDED_FOR]->(n) RETURN d
        UNION
        MATCH (d:Conflict)-[:WITH]->(n) RETURN d
        UNION
        MATCH (d:Insight)-[:CONCERNS]->(n) RETURN d
        UNION
        MATCH (d:Observation)-[:ABOUT]->(n) RETURN d
        UNION
        MATCH (d:Series)-[:ABOUT]->(n) RETURN d
        UNION
        MATCH (d:GiftRecommendation)-[:RECOMMENDED_FOR]->(n) RETURN d
        UNION
        MATCH (d:Challenge|Artifact)-[:ABOUT]->(n) RETURN d""",
    ),
    # What is theirs alone (occasions, conflicts, gifts with their outcomes); what they share stays.
    cascade=(
        Cascade("HAS_OCCASION", "Occasion"),
        Cascade("INTENDED_FOR", "Gift", outgoing=False, then=(Cascade("HAS_OUTCOME", "GiftOutcome"),)),
        Cascade("WITH", "Conflict", outgoing=False, then=CONFLICT_OUTPUTS),
        Cascade("CONCERNS", "Insight", outgoing=False),  # what is known of them and of no one else
        Cascade("ABOUT", "Series", outgoing=False, then=SERIES_ENTRIES),  # what was tracked of them
        Cascade("RECOMMENDED_FOR", "GiftRecommendation", outgoing=False),  # what was suggested for them
        Cascade("OF", "Persona", outgoing=False),  # what agents were told of them
    ),
)

OCCASION = Kind(
    "Occasion",
    models.Occasion,
    shareable=True,
    computed={"next_occurrence": Computed(f"toString({NEXT_OCCURRENCE})", date_of)},
    sorts={
        "date": "n.date",
        "next": NEXT_OCCURRENCE,
        "importance": "n.importance",
        "name": "n.name",
        "created_at": "n.created_at",
    },
    api_names={"occasion_type": "kind", "budget_min": "budget_min_cents", "budget_max": "budget_max_cents"},
    ranges={"importance": (1, 10), "budget_min": (0, 10**9), "budget_max": (0, 10**9)},
    invariants=(
        Invariant(
            "n.budget_min IS NULL OR n.budget_max IS NULL OR n.budget_min <= n.budget_max",
            "budgetMinCents",
            "budgetMinCents must not be over budgetMaxCents.",
        ),
    ),
)

CONCEPT = Kind(
    "Concept",
    models.Concept,
    sorts={"name": "n.key", "created_at": "n.created_at"},
    evolves=True,
    api_names={"concept_type": "kind"},
    computed={"card": CARD},  # what its evolution is computed from
    cascade=GROWTH_CREDITS,
    private=("key",),  # its name folded: what makes two names one concept
    relations=tuple(Relation(name, "Concept", "Concept") for name in CONCEPT_LINKS),
    searched=Searched(
        "Concepts: name and description.",
        "RETURN n.uid AS uid, {name: n.name, description: n.description} AS fields",
        sentence=("name", "description"),
        named=("name",),
        dependents="""
        MATCH (d)-[:INTERESTED_IN|TAGGED_WITH|MENTIONS|ABOUT]->(n) RETURN d
        UNION
        MATCH (d:Gift)-[:INTENDED_FOR]->(:Recipient)-[:INTERESTED_IN]->(n) RETURN d""",
    ),
)

GIFT = Kind(
    "Gift",
    models.Gift,
    # Anchored at n: from the User it would walk every GAVE of theirs for each gift.
    computed={"gave": Computed(f"[(n)<-[v:GAVE]-(:User {{uid: $owner}}) | {GAVE.map('v')}][0]", GAVE.decode)},
    sorts={"created_at": "n.created_at", "name": "n.name", "price": "coalesce(n.price_cents, -1)"},
    ranges={
        "price_cents": (0, 10**10),
        "effort_level": (1, 10),
        "personalization_level": (1, 10),
        "surprise_factor": (1, 10),
    },
    relations=(
        # Whom a gift was for: that relationship's gift statistics change with it.
        Relation("INTENDED_FOR", "Gift", "Recipient", after=knows.after_link),
        Relation("GIVEN_FOR", "Gift", "Occasion"),
        # An outcome belongs to its gift: it is made with recordGiftOutcome, never linked by hand.
        Relation("HAS_OUTCOME", "Gift", "GiftOutcome", linkable=False),
        Relation("SIMILAR_TO", "Gift", "Gift"),
        Relation("COMPLEMENTS", "Gift", "Gift"),
        Relation("TAGGED_WITH", "Gift", "Concept"),
        # The recommendation a gift was chosen from (createGift's fromRecommendationId, or a link).
        Relation("FROM_RECOMMENDATION", "Gift", "GiftRecommendation"),
        *mentions("Gift"),
    ),
    searched=Searched(
        "Gifts: what, for whom, tags.",
        """
        RETURN n.uid AS uid, {name: n.name, description: n.description, category: n.category,
               tags: [(n)-[:TAGGED_WITH]->(c:Concept) | c.name],
               recipients: [(n)-[:INTENDED_FOR]->(r:Recipient) | r.name],
               likes: [(n)-[:INTENDED_FOR]->(:Recipient)-[:INTERESTED_IN]->(c:Concept) | c.name]}
               AS fields""",
        sentence=("name", "description", "category"),
        named=("name",),
        listed=(("Tags:", ("tags",)), ("For", ("recipients",)), ("Who likes", ("likes",))),
    ),
    cascade=(Cascade("HAS_OUTCOME", "GiftOutcome"),),
)

OUTCOME = Kind(
    "GiftOutcome",
    models.GiftOutcome,
    sorts={"created_at": "n.created_at"},
    ranges={"success": (0, 1), "reaction_intensity": (1, 10), "relationship_impact": (-1, 1)},
    title="reaction",
)

# The fields only some kinds of memory hold (seed 001), by kind: a memory of any other kind refuses them.
MEMORY_FIELDS: Mapping[str, tuple[str, ...]] = {
    "emotional": ("emotion", "intensity", "trigger", "coping"),
    "procedural": ("steps", "success_rate", "skill", "proficiency"),
    "semantic": ("confidence", "source"),
    "identity": ("confidence", "source"),
}
# What a memory rests on: its evidence, each DERIVED_FROM it (with a `weight` 0-1, given with `link`). A
# label added here is evidence everywhere at once: createMemory's and updateMemory's derivedFromIds,
# Memory.derivedFrom, and its own `memories` (schema/evidence.py).
EVIDENCE: tuple[str, ...] = ("Observation", "Document", "Message")
RESTS_ON = "DERIVED_FROM"  # the link from a memory or an insight to its evidence
# What a memory may refer to (REFERS_TO), besides whom it involves and what it mentions: any of these, by
# its refersToIds; each reaches the memories that refer to it (`referringMemories`).
REFERABLE: tuple[str, ...] = (
    "Recipient",
    "Occasion",
    "Gift",
    "GiftOutcome",
    "Memory",
    "Concept",
    "Conflict",
    "ConflictAnalysis",
    "RepairPlan",
    "Document",
    "Observation",
    "Insight",
    "Conversation",
    "Series",
    "GiftRecommendation",
    "Persona",
    "Challenge",
    "Artifact",
)
# A reflection (kind REFLECTION) is a memory of what the viewer made of something: its sentiment is its
# valence and what it is about, any of REFERABLE, its REFERS_TO. A note (kind NOTE) annotates exactly one
# node: REFERS_TO it and nothing else.
NOTE_REFERS_ONCE = Invariant(
    "n.kind <> 'note' OR COUNT { (n)-[:REFERS_TO]->() } = 1",
    "refersToIds",
    "A note annotates exactly one node: give one id in refersToIds.",
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def belonging(by: str, fields: Mapping[str, tuple[str, ...]], nouns: str) -> tuple[Invariant, ...]:
    """The rules that keep each of `fields`' properties to the nodes whose `by` is a value that holds it:
    set on any other, the write is refused naming the field (and nothing of it is kept)."""
    holders: dict[str, list[str]] = defaultdict(list)
    for value, names in fields.items():
        for name in names:
            holders[name].append(value)
    return tuple(
        Invariant(
            f"n.{name} IS NULL OR n.{by} IN [{', '.join(repr(value) for value in values)}]",
            _camel(name),
            f"{_camel(name)} belongs to {' and '.join(v.replace('_', '-') for v in values)} {nouns} only: "
            f"leave it out (or clear it) for this {by}.",
        )
        for name, values in holders.items()
    )


# The memories lists, relations, search and the view show unless asked for more: those the viewer wrote or
# confirmed (a proposal waits for its decision; a rejected one stays, so it is never proposed again).
MEMORY_LISTED = "n.status = 'confirmed'"
# What search and the view show too when asked (includeProposed): a proposal, never a rejected one.
MEMORY_PROPOSED = "n.status = 'proposed'"


def _readable_memory(uid: str) -> str:
    """Cypher: `uid` names a memory the viewer ($owner) may read (theirs, or one shared with their couple)."""
    m = "m"
    return (
        f"({uid} IS NOT NULL AND EXISTS {{ MATCH ({m}:Memory {{uid: {uid}}}) "
        f"WHERE {m}.owner = $owner OR {shared_with_viewer(m)} }})"
    )


MEMORY = Kind(
    "Memory",
    models.Memory,
    shareable=True,
    visible="(n.expires_at IS NULL OR n.expires_at > datetime())",
    listed=MEMORY_LISTED,
    proposal=MEMORY_PROPOSED,
    computed={
        # Its importance as it decays with age and recall (graph/decay.py), as of now.
        "effective_importance": decay.effective_importance("n"),
        "card": CARD,
        # The merges it took part in, naming only memories the viewer may read (a partner reading a
        # shared memory does not learn the uid of one its author kept to themselves).
        "merged_into_seen": f"CASE WHEN {_readable_memory('n.merged_into')} THEN n.merged_into END",
        "merged_from_seen": f"[u IN coalesce(n.merged_from, []) WHERE {_readable_memory('u')}]",
    },
    sorts={
        "happened_at": "coalesce(n.happened_at, n.created_at)",
        "importance": "coalesce(n.importance, -1.0)",
        "created_at": "n.created_at",
    },
    ranges={
        "valence": (-1, 1),
        "arousal": (0, 1),
        "importance": (0, 1),
        "intensity": (0, 1),
        "success_rate": (0, 1),
        "proficiency": (0, 1),
        "confidence": (0, 1),
    },
    invariants=(*belonging("kind", MEMORY_FIELDS, "memories"), NOTE_REFERS_ONCE),
    evolves=True,
    cascade=GROWTH_CREDITS,
    title="content",
    # read as its skillHistory, and as its mergedIntoId and mergedFromIds
    private=(
        "proficiency_levels",
        "proficiency_dates",
        "merged_into",
        "merged_from",
        "claim",  # an extractor's own bookkeeping (dispatch/memory_proposals.py)
        "claim_keys",
    ),
    relations=(
        *mentions("Memory"),
        Relation("INVOLVES", "Memory", "Recipient"),
        *(Relation(RESTS_ON, "Memory", label) for label in EVIDENCE),
        *(Relation("REFERS_TO", "Memory", label) for label in REFERABLE),
    ),
    searched=Searched(
        "Memories: content, place, what they mention.",
        """
        RETURN n.uid AS uid, {content: n.content, place: n.place, tags: n.tags,
               mentions: [(n)-[:MENTIONS]->(c:Concept) | c.name]} AS fields""",
        sentence=("content", "place"),
        listed=(("About", ("tags", "mentions")),),
        salient=True,
        linked=("mentions",),
    ),
)

CONFLICT = Kind(
    "Conflict",
    models.Conflict,
    shareable=True,
    sorts={
        "started_at": "n.started_at",
        "severity": "coalesce(n.severity, -1.0)",
        "created_at": "n.created_at",
    },
    ranges={"severity": (0, 1)},
    invariants=(
        Invariant(
            "n.ended_at IS NULL OR n.ended_at >= n.started_at",
            "endedAt",
            "endedAt must not be before startedAt.",
        ),
    ),
    title="summary",
    sensitive=("private_note",),  # what the viewer keeps to themselves about it
    relations=(
        Relation("ABOUT", "Conflict", "Concept"),
        Relation("WITH", "Conflict", "Recipient"),
        *mentions("Conflict"),
    ),
    searched=Searched(
        "Conflicts: summary, topics, with whom.",
        """
        RETURN n.uid AS uid, {summary: n.summary,
               topics: [(n)-[:ABOUT]->(c:Concept) | c.name],
               with: [(n)-[:WITH]->(r:Recipient) | r.name]} AS fields""",
        sentence=("summary",),
        listed=(("About", ("topics",)), ("With", ("with",))),
        linked=("topics", "with"),
    ),
    cascade=CONFLICT_OUTPUTS,
)

# What keeps an analysis (or a plan made from one) its author's alone: it read a rant not approved.
RANT_WORDS = (
    "coalesce(n.includes_private, false)",
    "It was made from a rant not approved for mediation, so it is its author's alone. Approve the rant "
    "(approveRantForMediation) and analyze again, or analyze jointly, to have one to share.",
)

# A mediator's analysis of a conflict. Shareable with the couple, unless it read a rant its author has
# not approved for mediation (then it is theirs alone: a joint analysis leaves such rants out).
CONFLICT_ANALYSIS = Kind(
    "ConflictAnalysis",
    models.ConflictAnalysis,
    shareable=True,
    kept_private=RANT_WORDS,
    sorts={"created_at": "n.created_at"},
    title="summary",
    private=("superseded_by", "findings"),  # read as `supersededBy` and as typed findings
    relations=(ANALYZES, ANALYSIS_SUPERSEDES, ANALYSIS_EVIDENCE),
    searched=Searched(
        "Conflict analyses: what was found, its patterns and triggers.",
        "RETURN n.uid AS uid, {summary: n.summary, patterns: n.patterns, triggers: n.triggers} AS fields",
        sentence=("summary",),
        listed=(("Patterns:", ("patterns",)), ("Set off by", ("triggers",))),
    ),
)

REPAIR_PLAN = Kind(
    "RepairPlan",
    models.RepairPlan,
    shareable=True,
    kept_private=RANT_WORDS,
    computed={
        # Its progress: the items done (by every partner each is for) out of all.
        "done_count": "size([i IN coalesce(n.item_done, []) WHERE i])",
        "item_count": "size(coalesce(n.item_done, []))",
    },
    sorts={"created_at": "n.created_at"},
    title="summary",
    private=("superseded_by", "items", "item_done"),  # read as `supersededBy` and as its actionItems
    relations=(REPAIRS, PLANNED_FROM, PLAN_SUPERSEDES),
    searched=Searched(
        "Repair plans: what the couple means to do.",
        "RETURN n.uid AS uid, {summary: n.summary} AS fields",
        sentence=("summary",),
    ),
)

# A Document is searched by the passages of its text (graph/documents.py's chunks), not as a node.
DOCUMENT = Kind(
    "Document",
    models.Document,
    shareable=True,
    computed={
        "attached_label": "head([(n)-[:ATTACHED_TO]->(t) | labels(t)[0]])",
        "attached_uid": "head([(n)-[:ATTACHED_TO]->(t) | t.uid])",
    },
    visible="(n.deleted_at IS NULL AND EXISTS { (n)-[:ATTACHED_TO]->() })",
    sorts={"created_at": "n.created_at", "filename": "n.filename", "size": "n.size"},
    title="filename",
    drawn=False,
    private=("chunk_count", "deleted_at"),
    relations=tuple(
        Relation("ATTACHED_TO", "Document", target, linkable=False)
        for target in ("Recipient", "Conflict", "Memory", "Observation", "Conversation")
    ),
)

# Whom an insight is about. The coverage map calls it ABOUT; it was named when a link type joined one
# pair of labels (ENDS), and the API's LinkKind keeps the name.
CONCERNS = Relation("CONCERNS", "Insight", "Recipient")
# The gift recommendations whose reactions a learned preference counts (with the reaction's `weight`):
# kept by the outcome-preferences consumer (dispatch/outcome_preferences.py). Not DERIVED_FROM: a
# recommendation rests on the preferences it was ranked by.
LEARNED_FROM = Relation(
    "LEARNED_FROM",
    "Insight",
    "GiftRecommendation",
    linkable=False,
    kept_by="the outcome-preferences consumer, from the viewer's reactions to recommendations",
)
# What an insight was learned from, each DERIVED_FROM it (with a `weight` 0-1, given with `link`): the
# viewer's memories, what a memory itself rests on, and gift outcomes (what a person's preferences are
# learned from: dispatch/outcome_preferences.py). A label added here is an insight's evidence everywhere
# at once: createInsight's and updateInsight's evidenceIds, Insight.evidence, and its own `insights`
# (schema/evidence.py).
INSIGHT_EVIDENCE: tuple[str, ...] = ("Memory", *EVIDENCE, "GiftOutcome")

INSIGHT = Kind(
    "Insight",
    models.Insight,
    sorts={"confidence": "n.confidence", "created_at": "n.created_at"},
    ranges={"confidence": (0, 1), "volatility": (0, 1)},
    title="statement",
    private=("claim", "claim_keys"),  # an extractor's own bookkeeping (dispatch/proposals.py)
    relations=(
        CONCERNS,
        LEARNED_FROM,
        *(Relation(RESTS_ON, "Insight", label) for label in INSIGHT_EVIDENCE),
    ),
    searched=Searched(
        "Insights: what is known, its category, whom it concerns.",
        """
        RETURN n.uid AS uid, {statement: n.statement, category: n.category,
               concerns: [(n)-[:CONCERNS]->(r:Recipient) | r.name]} AS fields""",
        sentence=("statement",),
        listed=(("About", ("concerns",)), ("Category:", ("category",))),
    ),
)

# Whom an observation is about (seed 003's person). Given when it is written, which it is once: never
# linked or unlinked after (ABOUT also joins a conflict to its topics, and those are linked by hand).
OBSERVED = Relation("ABOUT", "Observation", "Recipient", linkable=False)

# Raw input as it was seen: what a chat log, a document, an interview or a person said, from which
# source and when. Immutable: only its review (pending, then approved or rejected, once) changes it.
# Drawn: it is the evidence memories rest on, and the view shows what rests on what.
OBSERVATION = Kind(
    "Observation",
    models.Observation,
    sorts={"observed_at": "n.observed_at", "created_at": "n.created_at"},
    title="content",
    private=("reviewed_by",),  # shown as the Actor it names
    relations=(OBSERVED,),
    searched=Searched(
        "Observations: what was seen, its source, whom it is about.",
        """
        RETURN n.uid AS uid, {content: n.content, source: n.source, detail: n.source_detail,
               about: [(n)-[:ABOUT]->(r:Recipient) | r.name]} AS fields""",
        sentence=("content",),
        listed=(("About", ("about",)), ("From", ("source", "detail"))),
    ),
)

# Whom a series is about: one of the viewer's people, given with the series (none: the viewer themselves).
TRACKED = Relation("ABOUT", "Series", "Recipient", linkable=False)

SERIES = Kind(
    "Series",
    models.Series,
    sorts={
        "name": "n.name",
        "created_at": "n.created_at",
        "last_at": "coalesce(n.last_at, n.created_at)",
    },
    title="name",
    private=("entry_seq",),
    relations=(TRACKED,),
    searched=Searched(
        "Series: name, kind, unit, whom it is about.",
        """
        RETURN n.uid AS uid, {name: n.name, kind: n.kind, unit: n.unit,
               about: [(n)-[:ABOUT]->(r:Recipient) | r.name]} AS fields""",
        sentence=("name",),
        listed=(("About", ("about",)), ("Tracks", ("kind", "unit"))),
    ),
    cascade=SERIES_ENTRIES,
)

# What a conversation is about (one of these), and whom of the viewer's people it is with.
CONVERSATION_SUBJECTS = ("Recipient", "Occasion", "Conflict", "Concept")
ABOUT = tuple(Relation("ABOUT", "Conversation", subject) for subject in CONVERSATION_SUBJECTS)
PARTICIPANT = Relation("PARTICIPANT", "Conversation", "Recipient")
# A message's place: in one conversation, at a position (`seq` on the link) given as it is appended.
IN = Relation("IN", "Message", "Conversation", linkable=False)
# Who said a PARTICIPANT message (one of the viewer's people), and the documents it carries.
SAID_BY = Relation("SAID_BY", "Message", "Recipient", linkable=False)
HAS_ATTACHMENT = Relation("HAS_ATTACHMENT", "Message", "Document", linkable=False)

CONVERSATION = Kind(
    "Conversation",
    models.Conversation,
    shareable=True,
    co_authored=True,  # a joint mediation session: both members add to it and change it
    kept_private=("n.purpose = 'rant'", "A rant is its author's alone: it is never shared."),
    computed={
        "message_count": "COUNT { (n)<-[:IN]-(m:Message) WHERE m.superseded_by IS NULL }",
        "about_ref": "head([(n)-[:ABOUT]->(a) | labels(a)[0] + ':' + a.uid])",  # what it is about
    },
    sorts={"started_at": "n.started_at", "created_at": "n.created_at"},
    invariants=(
        Invariant(
            "n.ended_at IS NULL OR n.ended_at >= n.started_at",
            "endedAt",
            "endedAt must not be before startedAt.",
        ),
        Invariant(
            f"n.purpose <> 'rant' OR NOT EXISTS {{ (n)-[:{SHARED_WITH}]->() }}",
            "purpose",
            "A shared conversation cannot become a rant (a rant is its author's alone): unshare it first.",
        ),
    ),
    title="title",
    # Its message counter, and the gift agent's session fields (shown together as `giftSession`).
    private=(
        "message_seq",
        "gift_platform",
        "gift_budget_cents",
        "gift_urgency",
        "gift_emotional_context",
        "gift_outcome",
        # Its working memory's slots and their version, shown as `workingMemory`.
        "working_slots",
        "working_version",
    ),
    relations=(*ABOUT, PARTICIPANT),
    cascade=(Cascade("IN", "Message", outgoing=False),),  # its messages go with it
)

# A message's place in the reading of its conversation: its `seq`, or for an edit the place of the
# message it supersedes (`place` on its IN link; links written before places existed have their seq).
PLACE = "coalesce({0}.place, {0}.seq)"
# The current message at each of the (up to) WINDOW places before a message's own, as "who: what"
# (the viewer's own turns "user"), each cut to WINDOW_CHARS: what a short reply answers.
WINDOW = 2
WINDOW_CHARS = 300
# The (up to) WINDOW current messages after the place of `s` (a message's IN link) in `c`: those whose
# window holds it.
_FOLLOWING = f"""
  MATCH (c)<-[i:IN]-(d:Message) WHERE d.superseded_by IS NULL AND {PLACE.format("i")} > {PLACE.format("s")}
  RETURN d ORDER BY {PLACE.format("i")} LIMIT {WINDOW}"""

# Messages are not drawn: the 3D view shows a conversation as one node (its messages folded into it),
# and a long chat would otherwise bury the people and occasions it is about under its turns. They
# are searched one by one: a hit is the message, with its conversation and position, and its text is
# searched in its window: its own words first, then "After" the turns before it, so a reply ("yes, book
# it for her") is found by what it answers. The window looks back only: an append changes no older
# message's text; an edit or a transcript changes the windows of the messages after it (`dependents`).
MESSAGE = Kind(
    "Message",
    models.Message,
    joins="MATCH (n)-[seat:IN]->(held:Conversation)",
    shared_through="(n)-[:IN]->(via:Conversation)",  # read by a partner while its conversation is shared
    computed={"seq": "seat.seq", "conversation_uid": "held.uid"},
    sorts={"seq": "seat.seq", "sent_at": "n.sent_at", "created_at": "n.created_at"},
    ranges={"sentiment": (-1, 1)},
    title="text",
    drawn=False,
    private=("superseded_by", "supersedes"),
    relations=(IN, SAID_BY, HAS_ATTACHMENT, *mentions("Message")),
    searched=Searched(
        "Messages: what was said in the viewer's conversations, with the turns before it.",
        f"""
        MATCH (n)-[s:IN]->(c:Conversation) WHERE n.text <> ''  // a voice note waiting: nothing to find yet
        CALL (s, c) {{
          MATCH (c)<-[i:IN]-(b:Message)
          WHERE b.superseded_by IS NULL AND {PLACE.format("i")} < {PLACE.format("s")}
          WITH b, {PLACE.format("i")} AS place ORDER BY place DESC LIMIT {WINDOW}
          WITH b ORDER BY place
          WHERE b.text <> ''  // a voice note not yet transcribed says nothing yet
          RETURN reduce(said = '', turn IN collect(
                   coalesce(head([(b)-[:SAID_BY]->(r:Recipient) | r.name]), b.role) + ': '
                   + left(b.text, {WINDOW_CHARS})) |
                 said + CASE said WHEN '' THEN '' ELSE ' / ' END + turn) AS context
        }}
        RETURN n.uid AS uid, {{text: n.text, context: context}} AS fields""",
        sentence=("text",),
        listed=(("After", ("context",)),),
        linked=("context",),  # the turns before it name people the partner may not read
        dependents=f"""
        MATCH (n)-[s:IN]->(c:Conversation)
        CALL (s, c) {{ {_FOLLOWING} }}
        RETURN d""",
    ),
)

# Whom a cycle or an intimacy entry is about: the viewer's partner, one of their recipients, if anyone.
CYCLE_OF = Relation("ABOUT", "CycleEntry", "Recipient", linkable=False)
INTIMACY_WITH = Relation("ABOUT", "IntimacyEntry", "Recipient", linkable=False)

# Seed 002's cycle and intimacy tracking: personal kinds, their author's alone (never shared, searched,
# drawn, or named in a delta but its author's, and its personal fields never there either). What a list
# is filtered and ordered by (a date, a type, a cycle day, a flow) is kept plain; what the author felt and
# wrote (symptoms, mood, satisfaction, note) is sealed with their own key. A list of symptoms and a
# satisfaction are sealed as text: the API shows them as what they are (resolvers/private_entries.py).
CYCLE_ENTRY = Kind(
    "CycleEntry",
    models.CycleEntry,
    sorts={"date": "n.date", "created_at": "n.created_at"},
    ranges={"cycle_day": (1, 60)},
    title="event_type",
    drawn=False,
    personal=True,
    private=("symptoms",),
    sensitive=("symptoms", "mood", "note"),
    relations=(CYCLE_OF,),
)

INTIMACY_ENTRY = Kind(
    "IntimacyEntry",
    models.IntimacyEntry,
    sorts={"occurred_at": "n.occurred_at", "created_at": "n.created_at"},
    title="intimacy_type",
    drawn=False,
    personal=True,
    api_names={"intimacy_type": "kind"},
    private=("satisfaction",),
    sensitive=("satisfaction", "mood", "note"),
    relations=(INTIMACY_WITH,),
)

# Whom and for which occasion a gift recommendation was made: given when its list is made, never linked.
RECOMMENDED_FOR = "RECOMMENDED_FOR"
_MADE = "Kindred, as it recommends"
# What a recommendation rests on (DERIVED_FROM): learned preferences, outcomes of gifts, interests, and
# the people most like its person whose gifts went well.
RECOMMENDATION_EVIDENCE: tuple[str, ...] = ("Insight", "GiftOutcome", "Concept", "Recipient")

RECOMMENDATION = Kind(
    "GiftRecommendation",
    models.GiftRecommendation,
    sorts={"rank": "n.rank", "confidence": "n.confidence", "created_at": "n.created_at"},
    ranges={"confidence": (0, 1)},
    title="title",
    private=("list_key", "reasons"),  # shown as its `evidence` entries
    relations=(
        Relation(RECOMMENDED_FOR, "GiftRecommendation", "Recipient", linkable=False, kept_by=_MADE),
        Relation(RECOMMENDED_FOR, "GiftRecommendation", "Occasion", linkable=False, kept_by=_MADE),
        *(
            Relation(RESTS_ON, "GiftRecommendation", label, linkable=False, kept_by=_MADE)
            for label in RECOMMENDATION_EVIDENCE
        ),
    ),
    searched=Searched(
        "Gift recommendations: what, its category, for whom, why.",
        """
        RETURN n.uid AS uid, {title: n.title, category: n.category, explanation: n.explanation,
               for: [(n)-[:RECOMMENDED_FOR]->(r:Recipient) | r.name]} AS fields""",
        sentence=("title", "category", "explanation"),
        listed=(("For", ("for",)),),
    ),
)

# A persona's person (none: the viewer themselves), and the insights it was built from: both written by
# the mapper that builds it (generation/persona_mappers.py), never linked by hand.
PERSONA_OF = Relation(
    "OF", "Persona", "Recipient", linkable=False, kept_by="the persona mapper that built it"
)
PERSONA_EVIDENCE = Relation(
    RESTS_ON, "Persona", "Insight", linkable=False, kept_by="the persona mapper that built it"
)
PERSONA_RATINGS = "coalesce(n.feedback_ratings, [])"

PERSONA_LIVE = "coalesce(n.expires_at > datetime(), false)"  # not expired (no expiry it can read: expired)
PERSONA = Kind(
    "Persona",
    models.Persona,
    computed={
        "expired": f"NOT {PERSONA_LIVE}",
        "feedback_count": f"size({PERSONA_RATINGS})",
        "average_rating": f"""CASE WHEN size({PERSONA_RATINGS}) = 0 THEN null
            ELSE toFloat(reduce(t = 0, r IN {PERSONA_RATINGS} | t + r)) / size({PERSONA_RATINGS}) END""",
    },
    sorts={"created_at": "n.created_at", "expires_at": "n.expires_at"},
    shown=PERSONA_LIVE,  # an expired one is listed (and rated) until the purge, never drawn or found
    private=("confirmed_only",),  # which credentials may read it (resolvers/personas.py)
    ranges={"ttl_hours": (1, 168)},
    relations=(PERSONA_OF, PERSONA_EVIDENCE),
    searched=Searched(
        "Personas: whom they are of, at which detail, and the task they were asked for.",
        "RETURN n.uid AS uid, {name: n.name, context: n.context} AS fields",
        sentence=("name", "context"),
    ),
)

# Challenges (seed 004): templates, versioned (a revision SUPERSEDES the version it revises, which stays),
# the challenges taken on from them (FROM_TEMPLATE, at the version started), each optionally ABOUT one of
# the viewer's people or cards; and the trophy a completed one earns, an Artifact AWARDED_FOR it and ABOUT
# what it was about. All made by the challenge mutations (graph/challenges.py), never linked by hand.
_CHALLENGED = "completing its challenge"
CHALLENGE_SUBJECTS: tuple[str, ...] = ("Recipient", "Concept", "Memory")
TEMPLATE_SUPERSEDES = Relation("SUPERSEDES", "ChallengeTemplate", "ChallengeTemplate", linkable=False)
FROM_TEMPLATE = Relation("FROM_TEMPLATE", "Challenge", "ChallengeTemplate", linkable=False)
CHALLENGE_ABOUT = tuple(Relation("ABOUT", "Challenge", s, linkable=False) for s in CHALLENGE_SUBJECTS)
AWARDED_FOR = Relation("AWARDED_FOR", "Artifact", "Challenge", linkable=False, kept_by=_CHALLENGED)
ARTIFACT_ABOUT = tuple(
    Relation("ABOUT", "Artifact", s, linkable=False, kept_by=_CHALLENGED) for s in CHALLENGE_SUBJECTS
)
# What a challenge's or a trophy's text says of what it is about: a name, or a memory's words.
_SUBJECT_NAMES = "[(n)-[:ABOUT]->(a) | coalesce(a.name, a.content)]"

CHALLENGE_TEMPLATE = Kind(
    "ChallengeTemplate",
    models.ChallengeTemplate,
    sorts={"name": "n.name", "version": "n.version", "created_at": "n.created_at"},
    ranges={"target": (1, 1000)},
    drawn=False,  # what a challenge is made from, not a card of the viewer's cosmos
    private=("dimension_keys", "dimension_amounts"),  # shown together as its `dimensions`
    relations=(TEMPLATE_SUPERSEDES,),
)

CHALLENGE = Kind(
    "Challenge",
    models.Challenge,
    sorts={"started_at": "n.started_at", "progress": "n.progress", "created_at": "n.created_at"},
    ranges={"progress": (0, 1), "steps_done": (0, 1000)},
    title="title",
    relations=(FROM_TEMPLATE, *CHALLENGE_ABOUT),
    searched=Searched(
        "Challenges: what they ask, whom or what they are about.",
        f"""
        RETURN n.uid AS uid, {{title: n.title,
               description: head([(n)-[:FROM_TEMPLATE]->(t:ChallengeTemplate) | t.description]),
               about: {_SUBJECT_NAMES}}} AS fields""",
        sentence=("title", "description"),
        listed=(("About", ("about",)),),
    ),
    cascade=(Cascade(AWARDED_FOR.type, "Artifact", outgoing=False),),  # its trophy goes with it
)

ARTIFACT = Kind(
    "Artifact",
    models.Artifact,
    sorts={"created_at": "n.created_at", "title": "n.title"},
    title="title",
    relations=(AWARDED_FOR, *ARTIFACT_ABOUT),
    searched=Searched(
        "Artifacts: trophies, what earned them, whom or what they are about.",
        f"""
        RETURN n.uid AS uid, {{title: n.title, description: n.description, kind: n.kind,
               about: {_SUBJECT_NAMES}}} AS fields""",
        sentence=("title", "description", "kind"),
        listed=(("About", ("about",)),),
    ),
)

KINDS: tuple[Kind, ...] = (
    RECIPIENT,
    OCCASION,
    GIFT,
    OUTCOME,
    MEMORY,
    CONCEPT,
    CONFLICT,
    CONFLICT_ANALYSIS,
    REPAIR_PLAN,
    DOCUMENT,
    INSIGHT,
    OBSERVATION,
    CONVERSATION,
    MESSAGE,
    SERIES,
    CYCLE_ENTRY,
    INTIMACY_ENTRY,
    RECOMMENDATION,
    PERSONA,
    CHALLENGE_TEMPLATE,
    CHALLENGE,
    ARTIFACT,
)
BY_LABEL: Mapping[str, Kind] = {kind.label: kind for kind in KINDS}
# What the 3D view lays out and draws; a link's ends, a path's steps and search's `near` are of these.
DRAWN: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.drawn)
DOMAIN_LABELS = frozenset(kind.label for kind in DRAWN)
# A memory (a reflection, a note) may refer to any node the view draws, and to a document.
assert set(REFERABLE) == DOMAIN_LABELS | {"Document"}, "REFERABLE is every drawn kind and Document"
# The kinds embedded for search (each label's own vector collection and full-text entries).
SEARCHED: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.searched is not None)
SEARCHED_LABELS: tuple[str, ...] = tuple(kind.label for kind in SEARCHED)
RELATIONS: tuple[Relation, ...] = tuple(relation for kind in KINDS for relation in kind.relations)
# Each link type between drawn kinds, and the pairs of labels it joins, from and to: most join one
# pair; MENTIONS joins each kind with a text to people and to concepts.
_DRAWN_RELATIONS = tuple(r for r in RELATIONS if {r.source, r.target} <= DOMAIN_LABELS)
ENDS: Mapping[str, frozenset[tuple[str, str]]] = {
    t: frozenset((r.source, r.target) for r in _DRAWN_RELATIONS if r.type == t)
    for t in dict.fromkeys(r.type for r in _DRAWN_RELATIONS)
}
# A link is told by its type and the labels of its two nodes, whichever way round they are named (a
# client's link, an event's two nodes): so no type joins two labels both ways.
assert not any((b, a) in pairs and a != b for pairs in ENDS.values() for a, b in pairs), "a type both ways"
_BY_ENDS = {(r.type, r.source, r.target): r for r in RELATIONS}
# The link types a client makes and removes with link/unlink.
LINKABLE: tuple[str, ...] = tuple(dict.fromkeys(r.type for r in RELATIONS if r.linkable and r.type in ENDS))


# The labels drawn with an evolution state, and those search ranks by importance and recency too.
EVOLVING: tuple[str, ...] = tuple(kind.label for kind in DRAWN if kind.evolves)
SALIENT: frozenset[str] = frozenset(
    k.label for k in SEARCHED if k.searched is not None and k.searched.salient
)
# The kinds a couple member may read a partner's node of (shared, or shared through another).
WIDENED: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.widened)
# The searched kinds a partner may read a node of: a shared node of one is searched by the partner too,
# on its own fields (graph/search.py's couple texts).
COUPLE_SEARCHED_LABELS: tuple[str, ...] = tuple(kind.label for kind in SEARCHED if kind.widened)


def readable(var: str) -> str:
    """Cypher: the viewer ($owner) may read the node `var`, whatever its label: it is theirs, or its kind
    is widened and its scope lets them (a partner shared it with their couple). Where a read crosses
    nodes of several kinds at once (the view; a path's steps and a search's `near` use `readable_in`,
    the same rule) this is the one widening, each kind's own `scope` (graph/kind.py); a personal kind is
    never widened."""
    # Kinds of one scope share one test (`var:A|B AND ...`): each copy is a subquery the planner plans.
    by_scope: dict[str, list[str]] = defaultdict(list)
    for kind in WIDENED:
        by_scope[kind.scope(var)].append(kind.label)
    shared = " OR ".join(f"({var}:{'|'.join(labels)} AND {scope})" for scope, labels in by_scope.items())
    return f"({var}.owner = $owner OR {shared})" if shared else f"{var}.owner = $owner"


def shared_list(var: str = "shared") -> str:
    """Cypher: a statement's first clause, binding `var` to the list of the nodes a partner shared with
    the viewer's couple (of every widened kind, and what is shared through them), for `readable_in`."""
    if not WIDENED:
        return f"WITH [] AS {var}"
    branches = " UNION ".join(f"{kind.shared} RETURN n" for kind in WIDENED)
    return f"CALL () {{ {branches} }} WITH collect(n) AS {var}"


def readable_in(var: str, shared: str = "shared") -> str:
    """Cypher: what `readable` says of `var`, against the list `shared_list` bound. A property and a
    list, no subquery: a shortest path search tests it as it expands, where `readable`'s subqueries make
    it search without it, test the path found, and fall back to an exhaustive search (measured, a path
    between two recipients of a 5,000-memory owner: 2,742 db hits with `readable`, 265 with this; the
    owner's property alone, 222)."""
    return f"({var}.owner = $owner OR {var} IN {shared})"


# The caption of a node `n` of any drawn kind, as Cypher: its kind's title property, at most 80 characters.
TITLE_LENGTH = 80
TITLE = "left(coalesce(CASE labels(n)[0] {} END, ''), {})".format(
    " ".join(f"WHEN '{kind.label}' THEN n.{kind.title}" for kind in DRAWN), TITLE_LENGTH
)


# The texts the mentions consumer reads for names (dispatch/mentions.py): each kind that MENTIONS, by
# the properties its search text is made of (its `sentence`), and a document's passages (no kind of
# their own: their MENTIONS are graph for search's distances, never drawn, listed or linked by hand).
PASSAGE = "DocumentChunk"
MENTIONING: Mapping[str, tuple[str, ...]] = {
    **{
        k.label: k.searched.sentence
        for k in SEARCHED
        if k.searched is not None and any(r.type == "MENTIONS" for r in k.relations)
    },
    PASSAGE: ("text",),
}


def joins(type: str, source: str, target: str) -> bool:
    """Whether links of this type go from a node of `source` to one of `target` (drawn kinds)."""
    return (source, target) in ENDS.get(type, ())


def oriented(type: str, one: str, other: str) -> bool | None:
    """Whether a link of this type between a node of `one` and one of `other` goes from `one` (True),
    towards it (False), or joins no such pair (None)."""
    if joins(type, one, other):
        return True
    return False if joins(type, other, one) else None


def relation(type: str, source: str, target: str) -> Relation | None:
    """The declared relation of this type from a node of `source` to one of `target`, if there is one."""
    return _BY_ENDS.get((type, source, target))

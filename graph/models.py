"""The graph's node and relationship models (neomodel): each label's properties, their types and defaults.

The models declare the schema (with the relationship types below); queries stay in Cypher, one named
function each, in the domain modules.
Writes pass their properties through a model's `deflate`, which checks required properties and turns
Python values into Neo4j ones.
"""

from neomodel import (
    ArrayProperty,
    AsyncStructuredNode,
    AsyncStructuredRel,
    BooleanProperty,
    DateProperty,
    DateTimeProperty,
    FloatProperty,
    IntegerProperty,
    JSONProperty,
    StringProperty,
)


class Owned(AsyncStructuredNode):
    """What every node a user owns has: a uid, and the owner's uid."""

    __abstract_node__ = True
    uid = StringProperty(required=True, unique_index=True)
    owner = StringProperty(required=True, index=True)
    created_at = DateTimeProperty()
    updated_at = DateTimeProperty()


class Recipient(Owned):
    """A person in the user's life (seed 000's recipients)."""

    name = StringProperty(required=True)
    real_name = StringProperty()
    nickname = StringProperty()
    approximate_age = IntegerProperty()
    gender = StringProperty()
    location = StringProperty()
    personality_traits = JSONProperty()
    preferences = JSONProperty()
    life_context = JSONProperty()


class Knows(AsyncStructuredRel):
    """(User)-[:KNOWS]->(Recipient): the user's relationship to them (seed 000's KNOWS)."""

    relationship_type = StringProperty(required=True)
    relationship_label = StringProperty()
    since = DateProperty()
    importance = IntegerProperty(default=5)
    closeness = IntegerProperty(default=5)
    communication_frequency = StringProperty()
    communication_channels = ArrayProperty(StringProperty(), default=list)
    last_interaction = DateTimeProperty()
    emotional_warmth = FloatProperty()
    conflict_level = FloatProperty()
    support_level = FloatProperty()
    gift_direction = StringProperty()
    gifts_given_count = IntegerProperty(default=0)
    gifts_received_count = IntegerProperty(default=0)
    average_gift_success = FloatProperty()
    preferred_gift_types = ArrayProperty(StringProperty(), default=list)
    failed_gift_types = ArrayProperty(StringProperty(), default=list)
    trend = StringProperty()


class Occasion(Owned):
    """A date that matters (seed 000's occasions, seed 002's memorable dates)."""

    name = StringProperty(required=True)
    occasion_type = StringProperty(required=True)
    date = DateProperty(required=True)
    recurring = BooleanProperty(default=False)
    recurrence = StringProperty()
    importance = IntegerProperty(default=5)
    significance = StringProperty()
    reminder_days = ArrayProperty(IntegerProperty(), default=list)
    budget_min = IntegerProperty()
    budget_max = IntegerProperty()


class Concept(Owned):
    """An interest, topic, value or gift category: one per name per user (seed 004)."""

    name = StringProperty(required=True)
    key = StringProperty(required=True)
    concept_type = StringProperty(default="interest")
    description = StringProperty()


class Gift(Owned):
    """A gift the user gave (seed 000's Gift node)."""

    name = StringProperty(required=True)
    description = StringProperty()
    category = StringProperty()
    price_cents = IntegerProperty()
    effort_level = IntegerProperty()
    personalization_level = IntegerProperty()
    surprise_factor = IntegerProperty()


class Gave(AsyncStructuredRel):
    """(User)-[:GAVE]->(Gift): how it was given (seed 000's GAVE)."""

    date = DateProperty()
    planning_time_hours = FloatProperty()
    financial_investment_cents = IntegerProperty()
    emotional_investment = FloatProperty()
    surprise_level = IntegerProperty()
    immediate_reaction = StringProperty()
    reaction_intensity = IntegerProperty()
    relationship_impact = FloatProperty()


class GiftOutcome(Owned):
    """What happened after a gift (seed 000's gift_outcomes)."""

    was_given = BooleanProperty(default=True)
    given_date = DateProperty()
    reaction = StringProperty()
    reaction_intensity = IntegerProperty()
    relationship_impact = FloatProperty()
    success = FloatProperty(required=True)
    would_give_again = BooleanProperty()
    what_worked = StringProperty()
    what_did_not_work = StringProperty()
    lessons_learned = StringProperty()


class Memory(Owned):
    """A memory (seed 001's kinds, seed 004's memory units)."""

    kind = StringProperty(required=True)
    content = StringProperty(required=True)
    happened_at = DateTimeProperty()
    place = StringProperty()
    valence = FloatProperty()
    arousal = FloatProperty()
    importance = FloatProperty()
    tags = ArrayProperty(StringProperty(), default=list)
    expires_at = DateTimeProperty()
    # What only some kinds of memory hold (graph/kinds.py's MEMORY_FIELDS says which): an emotional
    # memory's emotion, intensity, trigger and coping; a procedural one's steps, success rate, skill and
    # proficiency; a semantic or identity one's confidence and source.
    emotion = StringProperty()
    intensity = FloatProperty()
    trigger = StringProperty()
    coping = StringProperty()
    steps = ArrayProperty(StringProperty())
    success_rate = FloatProperty()
    skill = StringProperty()
    proficiency = FloatProperty()
    confidence = FloatProperty()
    source = StringProperty()
    # Each proficiency a procedural memory has had, and when it was set (microseconds since the epoch,
    # UTC): appended to by every change of it, never rewritten.
    proficiency_levels = ArrayProperty(FloatProperty())
    proficiency_dates = ArrayProperty(IntegerProperty())
    # When the daily consolidation found its effective importance faded (graph/decay.py); null while not.
    faded_at = DateTimeProperty()
    # A near-duplicate folded by the daily consolidation into another memory of the same moment: when, and
    # into which (its uid); the memory it was folded into keeps the uids of those it holds (merged_from).
    merged_at = DateTimeProperty()
    merged_into = StringProperty()
    merged_from = ArrayProperty(StringProperty())
    # Where it stands with the viewer: one they wrote is confirmed; one an extractor proposed (from a
    # conversation's episode, an observation, a document) is proposed until they confirm or reject it.
    status = StringProperty(default="confirmed")  # proposed, confirmed, rejected
    # Which extractor proposed it (None: the viewer wrote it), and what it knows the episode by: its claim
    # and the claim's key from each piece of evidence (kept when rejected: never proposed again from it).
    extractor = StringProperty()
    claim = StringProperty()
    claim_keys = ArrayProperty(StringProperty(), default=list)


class Insight(Owned):
    """What the user's graph has come to know about a person: a claim with a confidence, whom it
    concerns and the memories it is derived from (the coverage map's learned claims)."""

    category = StringProperty(required=True)  # trait, goal, belief, preference, fact, pattern
    statement = StringProperty(required=True)
    value = JSONProperty()  # free-form detail of the claim
    confidence = FloatProperty(default=0.5)
    volatility = FloatProperty()  # how likely it is to change, 0 (settled) to 1 (fleeting)
    status = StringProperty(default="proposed")  # proposed, confirmed, rejected, outdated
    # About the user themselves (their own mindscape), whether or not it also concerns recipients.
    about_viewer = BooleanProperty(default=False)
    # Which extractor proposed it ("deterministic", "openai:<model>", "outcomes"); None: a person wrote it.
    extractor = StringProperty()
    # What an extractor knows it by: the claim's key (extraction.Proposal.key), and the keys of that claim
    # from each piece of evidence it was proposed from (kept when rejected: never proposed again from it).
    claim = StringProperty()
    claim_keys = ArrayProperty(StringProperty(), default=list)


class GiftRecommendation(Owned):
    """A gift Kindred suggested for a person (seed 000's recommendations): a category, or a concrete idea in
    one, its place in its list, how sure it is, why (its explanation, and the evidence it is DERIVED_FROM),
    which generator made it, and how the user reacted to it."""

    title = StringProperty(required=True)  # what is suggested: the idea's name, or the category
    category = StringProperty(required=True)
    idea = StringProperty()  # a concrete gift (None: the category itself is the suggestion)
    rank = IntegerProperty(required=True)  # 1 is the best of its list
    score = FloatProperty(required=True)  # the fused score it was ranked by (graph/recommendations.py)
    confidence = FloatProperty(required=True)  # 0 to 1
    explanation = StringProperty(required=True)
    reasons = JSONProperty()  # each part of its score: {signal, weight, value, evidence ids}
    price_cents = IntegerProperty()  # what such a gift cost before, when known
    budget_min_cents = IntegerProperty()
    budget_max_cents = IntegerProperty()
    currency = StringProperty()
    list_key = StringProperty(required=True)  # the list it was made in (recipient, occasion, budget, time)
    generator = StringProperty(required=True)
    generator_version = StringProperty(required=True)
    explained_by = StringProperty()  # "graph" (the local words), or "openai:<model>"
    reaction = StringProperty()  # loved, liked, not_for_them, already_have
    reacted_at = DateTimeProperty()


class Persona(Owned):
    """A persona of a person for an agent (seed 003): a core of what lasts (who they are, what they hold
    and want, how they like things) and an overlay for one context, at a detail level, built by a
    versioned mapper from the insights about them; temporary (`expires_at`), rated by whoever used it."""

    name = StringProperty(required=True)  # whom it is of, at which detail: its caption
    detail = StringProperty(required=True)  # instant, balanced, deep_dive
    context = StringProperty()  # the task it was asked for, as the agent said it
    core = JSONProperty()
    overlay = JSONProperty()
    mapper = StringProperty(required=True)
    mapper_version = StringProperty(required=True)
    mindscape_version = StringProperty(required=True)  # the mindscape it was built from
    about_viewer = BooleanProperty(default=False)
    ttl_hours = IntegerProperty(required=True)
    expires_at = DateTimeProperty(required=True)
    access_count = IntegerProperty(default=0)
    last_accessed_at = DateTimeProperty()
    # Built from confirmed insights alone (asked by an API key): the only personas a key ever reads.
    confirmed_only = BooleanProperty(default=False)
    # Feedback, one entry per rating: 1-5, and what came of the task (empty when not said).
    feedback_ratings = ArrayProperty(IntegerProperty(), default=list)
    feedback_outcomes = ArrayProperty(StringProperty(), default=list)


class Series(Owned):
    """A time series the user keeps about themselves or one of their people: growth deltas, a skill's
    levels, a holding's value, transactions, snapshots (seed 001's portfolio and skill tables, seed 004's
    growth). Its entries live in month buckets (graph/series.py), not on this node; it keeps their
    count, first and last times, and the sequence its appends number entries by."""

    name = StringProperty(required=True)
    kind = StringProperty(required=True)  # growth, skill, holding, transaction, snapshot, other
    unit = StringProperty()  # what a value counts: "USD", "level", "points"
    detail = JSONProperty()  # free-form: a holding's ticker, asset type, position, intent, horizon
    entry_count = IntegerProperty(default=0)
    first_at = DateTimeProperty()  # the earliest entry's time
    last_at = DateTimeProperty()  # the latest entry's time
    entry_seq = IntegerProperty(default=0)  # the last sequence number given to an entry


class Observation(Owned):
    """Raw input as it was seen (seed 003's observations): immutable once written, reviewed once."""

    content = StringProperty(required=True)
    source = StringProperty(required=True)  # chat_log, document, interview, assessment, manual, import, other
    source_detail = StringProperty()  # where exactly: "slack #general", "mbti_assessment"
    observed_at = DateTimeProperty(required=True)
    status = StringProperty(default="pending")  # pending, approved, rejected
    reviewed_by = StringProperty()  # the actor that decided (graph/events.py): "Session:<uid>", ...
    reviewed_at = DateTimeProperty()
    review_reason = StringProperty()


class Conversation(Owned):
    """A conversation of the user's (a gift search, a mediation, a rant, a companion chat): its messages
    are Message nodes IN it, numbered by `seq` (seed 000's gift sessions, seed 002's mediator sessions
    and rants, seed 004's companion chats)."""

    purpose = StringProperty(required=True)  # gift_search, mediation, rant, companion, other
    title = StringProperty()
    status = StringProperty(default="open")  # open, closed
    started_at = DateTimeProperty(required=True)
    ended_at = DateTimeProperty()
    message_seq = IntegerProperty(default=0)  # the last position given to a message (never reused)
    # The gift agent's session (seed 000's gift_sessions), shown as the typed `giftSession`.
    gift_platform = StringProperty()
    gift_budget_cents = IntegerProperty()
    gift_urgency = IntegerProperty()  # 1 (whenever) to 10 (today)
    gift_emotional_context = StringProperty()
    gift_outcome = StringProperty()  # completed, abandoned
    # Its working memory's slots (what an agent is filling: name -> JSON value), kept so that a hot copy
    # that expired is rebuilt with them; the version counts their writes (graph/working_memory.py).
    working_slots = JSONProperty()
    working_version = IntegerProperty(default=0)
    # A joint mediation session, made together: either member of the couple it is shared with may add
    # to it and change it (graph/kind.py's `changeable`), not only its author.
    made_together = BooleanProperty(default=False)
    # A rant its author approved for mediation: its words may go into an analysis made to be shared.
    mediation_approved = BooleanProperty(default=False)


class Message(Owned):
    """One turn of a conversation, immutable once written: an edit is a new message that supersedes it."""

    role = StringProperty(required=True)  # user, assistant, participant, system
    text = StringProperty(required=True)  # "" for a voice note until its transcript arrives
    transcribed = BooleanProperty(default=False)  # its text is its voice note's transcript
    sent_at = DateTimeProperty(required=True)
    sentiment = FloatProperty()  # -1 (negative) to 1 (positive)
    emotions = ArrayProperty(StringProperty(), default=list)
    superseded_by = StringProperty()  # the uid of the message that replaced it
    supersedes = StringProperty()  # the uid of the message it replaced (an edit)


class Conflict(Owned):
    """A conflict with a recipient (seed 002's conflicts)."""

    status = StringProperty(default="active")
    started_at = DateTimeProperty(required=True)
    ended_at = DateTimeProperty()
    severity = FloatProperty()
    summary = StringProperty()
    cycle_phase = StringProperty()
    transcript = StringProperty()  # set from its recording (a Document) once transcribed
    private_note = StringProperty()  # sensitive: stored sealed (graph/kinds.py)


class Document(Owned):
    """A file's metadata, its blob kept in the blob store (seed 002's profile PDFs and recordings)."""

    kind = StringProperty(required=True)  # pdf, audio, image
    role = StringProperty(required=True)  # profile, recording, photo
    filename = StringProperty(required=True)
    mime = StringProperty(required=True)
    size = IntegerProperty(required=True)
    sha256 = StringProperty(required=True)
    storage_key = StringProperty(required=True)
    pages = IntegerProperty()
    duration_seconds = FloatProperty()
    status = StringProperty(default="pending")
    failure_reason = StringProperty()
    chunk_count = IntegerProperty(default=0)
    deleted_at = DateTimeProperty()  # deleted: hidden at once, its blob and chunks removed after


class CycleEntry(Owned):
    """A day of the author's menstrual cycle (seed 002's cycle_events): theirs alone, never shared."""

    date = DateProperty(required=True)
    event_type = StringProperty(required=True)  # period_start, period_end, ovulation, symptom, mood, other
    cycle_day = IntegerProperty()  # 1 = the first day of a period
    flow = StringProperty()  # none, spotting, light, medium, heavy
    symptoms = StringProperty()  # sealed: a JSON list of texts ("cramps", "headache")
    mood = StringProperty()  # sealed
    note = StringProperty()  # sealed


class IntimacyEntry(Owned):
    """A moment of intimacy the author notes (seed 002's intimacy_events): theirs alone, never shared."""

    occurred_at = DateTimeProperty(required=True)
    intimacy_type = StringProperty(required=True)  # sex, physical_affection, emotional, other
    initiated_by = StringProperty()  # viewer, partner, mutual
    satisfaction = StringProperty()  # sealed: 1 to 5, as text
    mood = StringProperty()  # sealed
    note = StringProperty()  # sealed


class ConflictAnalysis(Owned):
    """A mediator's reading of a conflict (seed 002's conflict_analysis): what each speaker did (the four
    horsemen and their antidotes), what set it off, the patterns between them, each finding with the
    words and the message it rests on. Versioned: a new analysis of a conflict supersedes the current
    one (SUPERSEDES), which stays readable."""

    summary = StringProperty(required=True)
    patterns = ArrayProperty(StringProperty(), default=list)
    triggers = ArrayProperty(StringProperty(), default=list)
    findings = JSONProperty()  # [{kind, name, speaker, speaker_name, quote, message, seq, weight}]
    generator = StringProperty(required=True)  # "deterministic", "openai:<model>"
    generator_version = StringProperty(required=True)
    superseded_by = StringProperty()  # the uid of the analysis that replaced it; None: current
    # Made to be shared with the couple (a joint analysis): no unapproved rant's words are in it.
    joint = BooleanProperty(default=False)
    # It read a rant its author has not approved for mediation: its words stay theirs (never shared).
    includes_private = BooleanProperty(default=False)


class RepairPlan(Owned):
    """What a couple does to repair after a conflict (seed 002's repair_plans): action items, each for
    one partner or both, marked done by whom it is for; from an analysis, versioned as analyses are."""

    summary = StringProperty(required=True)
    # [{id, text, assignees: [user uid], done_by: [user uid], note, note_for: user uid}]: a note is for
    # one partner's eyes (read through resolvers/mediation.py, never as stored).
    items = JSONProperty()
    item_done = ArrayProperty(BooleanProperty(), default=list)  # each item's state, in order: its progress
    generator = StringProperty(required=True)
    generator_version = StringProperty(required=True)
    superseded_by = StringProperty()
    joint = BooleanProperty(default=False)  # made to be shared with the couple (shared as it is made)
    includes_private = BooleanProperty(default=False)  # from an analysis that read an unapproved rant


class ChallengeTemplate(Owned):
    """A challenge the user can take on (seed 004's challenge_templates): what it asks, the growth
    dimensions it advances and by how much, its steps or target. Versioned: a revision is a new node that
    SUPERSEDES the one it revises, which stays (and the challenges started from it keep it)."""

    name = StringProperty(required=True)
    description = StringProperty()
    difficulty = StringProperty()  # easy, medium, hard
    # The growth dimensions it advances (settings' six) and the amount each, in the same order.
    dimension_keys = ArrayProperty(StringProperty(), default=list)
    dimension_amounts = ArrayProperty(FloatProperty(), default=list)
    steps = ArrayProperty(StringProperty(), default=list)
    target = IntegerProperty(required=True)  # how many steps make it done
    version = IntegerProperty(required=True)  # 1, then one more for each revision
    status = StringProperty(required=True)  # draft, active, deprecated


class Challenge(Owned):
    """A challenge the user took on from a template (seed 004's user_challenges), optionally about one of
    their people or cards: its progress, and its end, completed (once, earning a trophy) or abandoned."""

    title = StringProperty(required=True)  # its template's name when it was started
    status = StringProperty(required=True)  # active, completed, abandoned
    template_version = IntegerProperty(required=True)
    target = IntegerProperty(required=True)
    steps_done = IntegerProperty(default=0)
    progress = FloatProperty(default=0.0)  # 0 to 1
    started_at = DateTimeProperty(required=True)
    due_at = DateTimeProperty()
    completed_at = DateTimeProperty()
    abandoned_at = DateTimeProperty()


class Artifact(Owned):
    """Something Kindred made for the user to keep (seed 004's derived_artifacts): for now a trophy, earned
    by completing a challenge, linked to it and to what it was about."""

    kind = StringProperty(required=True)  # trophy
    title = StringProperty(required=True)
    description = StringProperty()

"""The GraphQL schema: one module per domain, merged into one Query, Mutation and Subscription here."""

from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.scalars import JSON as StrawberryJSON
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from schema import evidence
from schema.accounts import AccountMutation, AccountQuery
from schema.activity import ActivityQuery
from schema.admission import CostLimit, CostLimits, RequireViewer
from schema.artifacts import ArtifactMutation, ArtifactQuery
from schema.challenges import ChallengeMutation, ChallengeQuery
from schema.companion import CompanionMutation, CompanionQuery, CompanionSubscription
from schema.concepts import ConceptMutation, ConceptQuery
from schema.conflicts import ConflictMutation, ConflictQuery
from schema.conversations import ConversationMutation, ConversationQuery, ConversationSubscription
from schema.couples import CoupleMutation, CoupleQuery
from schema.documents import DocumentMutation
from schema.errors import MaskInternalErrors, classify, log_internal
from schema.events import EventQuery
from schema.execution import FlatViewLists
from schema.exports import ExportMutation, ExportQuery
from schema.gifts import GiftMutation, GiftQuery
from schema.growth import GrowthMutation, GrowthQuery
from schema.insights import InsightMutation, InsightQuery
from schema.learning import LearningQuery
from schema.links import LinkMutation
from schema.live import LiveSubscription
from schema.mediation import MediationMutation, MediationQuery
from schema.memories import MemoryMutation, MemoryQuery
from schema.mindscape import MindscapeQuery
from schema.nodes import NodeQuery
from schema.observations import ObservationMutation, ObservationQuery
from schema.occasions import OccasionMutation, OccasionQuery
from schema.paths import PathQuery
from schema.personas import PersonaMutation, PersonaQuery
from schema.private_entries import PrivateEntryMutation, PrivateEntryQuery
from schema.recipients import RecipientMutation, RecipientQuery
from schema.recommendations import RecommendationMutation, RecommendationQuery
from schema.scalars import JSON, DateTime
from schema.search import SearchQuery
from schema.sensitive import SensitiveMutation
from schema.series import SeriesMutation, SeriesQuery
from schema.sessions import SessionMutation, SessionQuery
from schema.system import SystemSubscription
from schema.telemetry import RecordOperation, Traced
from schema.validation_cache import KnownValid, ValidationCache
from schema.view import ViewQuery
from schema.working_memory import WorkingMemoryMutation
from settings import Settings
from telemetry import tracing

# Once every domain's types are loaded: the fields of relations to several kinds (a memory's evidence).
evidence.extend()

# Distinct document texts whose parse and validity are kept (each parse bounded by the token limit).
DOCUMENT_CACHE_SIZE = 512


def _describe(merged: type, description: str) -> None:
    """Gives a merged root type its description (merge_types gives it none)."""
    get_object_definition(merged, strict=True).description = description


QUERIES = (
    AccountQuery,
    SessionQuery,
    RecipientQuery,
    OccasionQuery,
    ConceptQuery,
    GiftQuery,
    MemoryQuery,
    ConflictQuery,
    MediationQuery,
    InsightQuery,
    RecommendationQuery,
    MindscapeQuery,
    PersonaQuery,
    ChallengeQuery,
    ArtifactQuery,
    ObservationQuery,
    SeriesQuery,
    GrowthQuery,
    ConversationQuery,
    CoupleQuery,
    PrivateEntryQuery,
    EventQuery,
    ExportQuery,
    PathQuery,
    SearchQuery,
    ViewQuery,
    LearningQuery,
    CompanionQuery,
    ActivityQuery,
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        SessionMutation,
        RecipientMutation,
        OccasionMutation,
        ConceptMutation,
        GiftMutation,
        MemoryMutation,
        ConflictMutation,
        MediationMutation,
        InsightMutation,
        RecommendationMutation,
        PersonaMutation,
        ChallengeMutation,
        ArtifactMutation,
        ObservationMutation,
        SeriesMutation,
        GrowthMutation,
        ConversationMutation,
        CoupleMutation,
        PrivateEntryMutation,
        WorkingMemoryMutation,
        LinkMutation,
        DocumentMutation,
        SensitiveMutation,
        ExportMutation,
        CompanionMutation,
    ),
)
Subscription = merge_types(
    "Subscription", (SystemSubscription, LiveSubscription, ConversationSubscription, CompanionSubscription)
)
_describe(Mutation, "Every change to the viewer's graph, each in one transaction.")
_describe(Subscription, "Live updates over WebSocket (graphql-transport-ws).")


class KindredSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Client errors are expected and not logged; internal ones are, with the request id.
        context: Any = execution_context.context if execution_context else None
        for error in errors:
            classify(error)
        log_internal(errors, getattr(context, "request_id", "-"))


def build_schema(settings: Settings) -> KindredSchema:
    # graphql-core's overlapping-fields rule compares fields pairwise until a budget (500,000 by default,
    # most of a second here) is spent; within the field limit a real document needs far less, so the
    # budget follows that limit. (A module setting of graphql-core's, meant to be tuned.)
    overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = 20 * settings.max_fields
    limits = CostLimits(
        settings.max_cost, settings.max_page_size, settings.unpaged_list_cost, settings.max_fields
    )
    extensions: list[Any] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(CostLimit, limits),
        # Both after the limits: a document is parsed and validated once per text, not per request.
        partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
        partial(ValidationCache, KnownValid(maxsize=DOCUMENT_CACHE_SIZE)),
        RequireViewer,
        MaskInternalErrors,
        RecordOperation,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if tracing.enabled():  # decided as the schema is built: see schema/telemetry.py
        extensions.append(Traced)
    query = merge_types("Query", (*QUERIES, NodeQuery))
    _describe(query, "What the viewer may read: their own graph, and only theirs.")
    return KindredSchema(
        query=query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map={datetime: DateTime, StrawberryJSON: JSON}),
        execution_context_class=FlatViewLists,  # the 3D view's long lists complete at once
    )


__all__ = ["build_schema"]

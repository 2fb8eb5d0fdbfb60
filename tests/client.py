"""A small GraphQL client for tests: posts an operation, returns the JSON answer."""

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        return (await self.post(query, variables, token=token)).json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Any:
        """The data of an operation that must succeed."""
        answer = await self.execute(query, variables, token=token)
        assert "errors" not in answer, answer
        return answer["data"]

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The one error of an operation that must fail."""
        answer = await self.execute(query, variables, token=token)
        assert answer.get("errors"), answer
        assert len(answer["errors"]) == 1, answer
        return answer["errors"][0]

    async def sign_up(self, email: str, password: str = "correct horse battery", name: str = "Ann") -> str:
        data = await self.data(SIGN_UP, {"email": email, "password": password, "name": name})
        return data["signUp"]["token"]


SIGN_UP = """
mutation SignUp($email: String!, $password: String!, $name: String!) {
  signUp(email: $email, password: $password, name: $name) { token user { id email name tier status } }
}
"""
LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token user { id email } }
}
"""
ME = "{ me { id email name } }"

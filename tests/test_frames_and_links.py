"""Two things noted in issue 27: no site frames Kindred's pages, and logOutEverywhere ends the app's
download links at once (not when they expire)."""

import pytest

from tests.client import LOG_IN, GraphQLClient
from tests.test_documents import (
    Instance,
    kindred,  # noqa: F401 -- the fixture (its users below: noqa F811)
    profile_pdf,
    recipient,
    upload,
)
from tests.test_sessions import LOG_OUT_EVERYWHERE

FRAMED_ONLY_BY_KINDRED = {
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
}


@pytest.mark.parametrize("path", ["/explore", "/graphql"])
async def test_kindreds_pages_cannot_be_framed_by_another_site(client: GraphQLClient, path: str) -> None:
    answer = await client.http.get(path, headers={"accept": "text/html"})
    for name, value in FRAMED_ONLY_BY_KINDRED.items():
        assert answer.headers.get(name) == value, (path, answer.status_code, dict(answer.headers))


async def test_log_out_everywhere_ends_the_download_links_handed_out_before(
    kindred: Instance,  # noqa: F811
) -> None:
    token = await kindred.client.sign_up("links@example.com")
    ann = await recipient(kindred, token)
    made = (await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf())).json()
    before = made["data"]["uploadDocument"]["url"]
    assert (await kindred.http.get(before)).status_code == 200
    await kindred.client.data(LOG_OUT_EVERYWHERE, token=token)
    answer = await kindred.http.get(before)
    assert answer.status_code == 403, answer.text
    assert answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A link asked for after logging in again works.
    login = {"email": "links@example.com", "password": "correct horse battery"}
    again = (await kindred.client.data(LOG_IN, login))["logIn"]["token"]
    query = "query ($id: ID!) { node(id: $id) { ... on Document { url } } }"
    document = made["data"]["uploadDocument"]["id"]
    after = (await kindred.client.data(query, {"id": document}, token=again))["node"]["url"]
    assert (await kindred.http.get(after)).status_code == 200

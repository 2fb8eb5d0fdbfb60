"""Couples: two accounts that consented to share part of their graphs (invite, accept, decline, leave),
and what each member shared with the other."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph.refs import Ref
from resolvers import couples as resolve
from schema.nodes import load
from schema.relay import Info, node_uid

Code = Annotated[str, strawberry.argument(description="The invite code the partner was given.")]
NodeId = Annotated[
    relay.GlobalID,
    strawberry.argument(description="The node: a conflict, occasion, document, conversation or memory."),
]


@strawberry.enum(description="How a member came into the couple.")
class CoupleRole(Enum):
    INVITER = strawberry.enum_value("inviter", description="Made the invite.")
    INVITEE = strawberry.enum_value("invitee", description="Accepted it.")


@strawberry.type(description="A member of a couple, as the other member sees them: their name only.")
class CoupleMember:
    name: str = strawberry.field(description="The member's name.")
    role: CoupleRole = strawberry.field(description="Whether they invited or accepted.")
    consented_at: datetime = strawberry.field(description="When they consented to the couple (UTC).")
    is_viewer: bool = strawberry.field(description="Whether this member is the viewer.")


@strawberry.type(
    description="A node one member shared with the couple: both read it, its author alone changes it."
)
class CoupleShare:
    ref: strawberry.Private[Ref]
    shared_at: datetime | None = strawberry.field(description="When it was shared (UTC).")
    by_viewer: bool = strawberry.field(description="Whether the viewer shared it (and may change it).")

    @strawberry.field(description="The node shared.")
    async def node(self, info: Info) -> relay.Node | None:
        return (await load(info, [(self.ref.label, self.ref.uid)]))[0]


@strawberry.type(description="The viewer's couple: two accounts that see what either shares with it.")
class Couple:
    since: datetime = strawberry.field(description="When the couple was made (UTC).")
    members: list[CoupleMember] = strawberry.field(description="Its two members, the inviter first.")
    shared: list[CoupleShare] = strawberry.field(description="What either member shared, newest first.")
    partner_recipient_id: relay.GlobalID | None = strawberry.field(
        description="The viewer's Recipient linked to the partner's account (linkPartner), if any."
    )

    @classmethod
    def of(cls, found: dict[str, Any], viewer: str) -> "Couple":
        linked = found["partner_recipients"]
        return cls(
            since=found["since"],
            members=[
                CoupleMember(
                    name=m["name"],
                    role=CoupleRole(m["role"]),
                    consented_at=m["consented_at"],
                    is_viewer=m["uid"] == viewer,
                )
                for m in found["members"]
            ],
            shared=[
                CoupleShare(
                    ref=Ref(s["label"], s["uid"]), shared_at=s["shared_at"], by_viewer=s["author"] == viewer
                )
                for s in found["shared"]
            ],
            partner_recipient_id=relay.GlobalID("Recipient", linked[0]) if linked else None,
        )


@strawberry.type(description="An invite to make a couple: its one-time code, shown this once.")
class CoupleInvite:
    code: str = strawberry.field(
        description="Give it to the partner: they accept (or decline) it once, within 24 hours."
    )
    expires_at: datetime = strawberry.field(description="When the code stops being accepted (UTC).")


def _couple(info: Info, found: dict[str, Any] | None) -> Couple | None:
    return Couple.of(found, info.context.viewer) if found else None


@strawberry.type
class CoupleQuery:
    @strawberry.field(description="The viewer's couple, or null when they are in none.")
    async def couple(self, info: Info) -> Couple | None:
        return _couple(info, await resolve.couple(info.context))


@strawberry.type
class CoupleMutation:
    @strawberry.mutation(
        description="A one-time code inviting someone to make a couple with the viewer: accepted once, "
        "within 24 hours (an earlier open invite is withdrawn). Refused (ALREADY_IN_COUPLE) when the "
        "viewer is in a couple."
    )
    async def invite_to_couple(self, info: Info) -> CoupleInvite:
        made = await resolve.invite(info.context)
        return CoupleInvite(code=made["code"], expires_at=made["expires_at"])

    @strawberry.mutation(
        description="Makes a couple of the viewer and whoever gave them this code. Refused: an unknown "
        "code (NOT_FOUND), one accepted or declined already (ALREADY_DECIDED), an expired one (EXPIRED), "
        "the viewer's own (BAD_USER_INPUT), either already in a couple (ALREADY_IN_COUPLE)."
    )
    async def accept_couple_invite(self, info: Info, code: Code) -> Couple | None:
        return _couple(info, await resolve.accept(info.context, code))

    @strawberry.mutation(
        description="Declines an invite: its code is refused from then on (refused as accept is)."
    )
    async def decline_couple_invite(self, info: Info, code: Code) -> bool:
        return await resolve.decline(info.context, code)

    @strawberry.mutation(
        description="Ends the viewer's couple, for both members: every share ends (each keeps what they "
        "authored), each member's messages in the other's joint mediation sessions are deleted, and the "
        "couple goes. NOT_FOUND when in none."
    )
    async def leave_couple(self, info: Info) -> bool:
        return await resolve.leave(info.context)

    @strawberry.mutation(
        description="Links one of the viewer's recipients to their partner's account (one at a time): it "
        "opens nothing of either graph by itself."
    )
    async def link_partner(
        self,
        info: Info,
        recipient_id: Annotated[relay.GlobalID, strawberry.argument(description="The viewer's Recipient.")],
    ) -> Couple | None:
        uid = node_uid(recipient_id, "Recipient", "recipientId")
        return _couple(info, await resolve.link_partner(info.context, uid))

    @strawberry.mutation(
        description="Shares one of the viewer's nodes with their couple: the partner reads it too, only "
        "the viewer changes it. NOT_SHAREABLE for a kind that is never shared; returns whether it changed."
    )
    async def share_with_couple(self, info: Info, node_id: NodeId) -> bool:
        return await resolve.share(info.context, node_id.type_name, node_id.node_id, True)

    @strawberry.mutation(
        description="Stops sharing one of the viewer's nodes: the partner no longer reads it. Returns "
        "whether it changed."
    )
    async def unshare_from_couple(self, info: Info, node_id: NodeId) -> bool:
        return await resolve.share(info.context, node_id.type_name, node_id.node_id, False)

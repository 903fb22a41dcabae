"""Dead letters of notify (API.md *Notifications*, DOMAIN.md §10: "a channel that is down must
not lose a notice … a dead-letter queue someone can see and replay"). Notify owns them; these
routes translate its gRPC answers to JSON. For `ops` and the `county_admin`, across the townships
they may see: notifications whose channel kept failing (`notification:<uuid>`) and events notify
kept failing to consume (`event:<n>`). Replaying a notification queues it again with its attempts
reset; replaying an event re-runs its consumer now."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.notify.v1 import notification_pb2 as npb
from bianmin.notify.v1 import notify_service_pb2 as pb
from fastapi import APIRouter, Path, Query

from services.gateway.entrypoints.http.deps import Authed, GatewayDep
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import calling, county_tz, json_word, local_time

router = APIRouter(tags=["notifications"])

DEAD_LETTERS = "/v1/notifications/dead-letters"
Source = Literal["notification", "event"]
_SOURCES = {"notification": npb.DEAD_LETTER_SOURCE_NOTIFICATION, "event": npb.DEAD_LETTER_SOURCE_EVENT}


def dead_letter_json(d: npb.DeadLetter, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": d.id,
        "source": "notification" if d.source == npb.DEAD_LETTER_SOURCE_NOTIFICATION else "event",
        "tenant": d.tenant_id,
        "notification_id": d.notification_id or None,
        "channel": json_word(npb.Channel, "CHANNEL_", d.channel),
        "event_type": d.event_type or None,
        "event_id": d.event_id or None,
        "consumer": d.consumer or None,
        "reason": d.reason,
        "attempts": d.attempts,
        "parked_at": local_time(d, "parked_at", tz),
        "replayed_at": local_time(d, "replayed_at", tz),
    }


@router.get(DEAD_LETTERS)
async def dead_letters(
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    source: Source | None = None,
    include_replayed: Annotated[bool, Query(description="also those already replayed")] = False,
) -> dict:
    """Dead letters (ops, county_admin), newest parked first: notifications whose channel kept
    failing and events notify could not process after all retries."""
    request = pb.ListDeadLettersRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        source=_SOURCES.get(source or "", npb.DEAD_LETTER_SOURCE_UNSPECIFIED),
        include_replayed=include_replayed,
    )
    with calling(c.token, None):
        reply = await gw.services.notify().ListDeadLetters(request)
    tz = county_tz(gw)
    return {
        "items": [dead_letter_json(d, tz) for d in reply.dead_letters],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.post(f"{DEAD_LETTERS}/{{dead_letter_id}}/replay")
async def replay_dead_letter(
    dead_letter_id: Annotated[
        str, Path(max_length=100, description="'notification:<uuid>' or 'event:<number>'")
    ],
    c: Authed,
    gw: GatewayDep,
) -> dict:
    """Replay a dead letter (ops, county_admin): a notification goes back to `queued` with its
    attempts reset (the dispatcher sends it again), an event is consumed again now."""
    with calling(c.token, None):
        reply = await gw.services.notify().ReplayDeadLetter(
            pb.ReplayDeadLetterRequest(dead_letter_id=dead_letter_id)
        )
    return dead_letter_json(reply.dead_letter, county_tz(gw))

"""The announcer, a scheduled job: an OccasionUpcoming event, once per occurrence, for each occasion
whose next occurrence comes within the notice (settings.py: occasion_notice_days) of today (UTC).

The event goes to the occasion's owner's log, so their live subscribers receive it (dispatch/live.py)
with the occasion updated in it; its data holds the date of the occurrence announced.
"""

from datetime import UTC, datetime

from dispatch import DAILY, Run, Services
from graph import occasions

NAME = "announce-occasions"
EVERY = DAILY
BATCH = 500
NOTICE_DAYS = 7  # the default; the app passes its setting (notice)


def job(notice_days: int = NOTICE_DAYS) -> Run:
    """The run of an announcer with this notice."""

    async def run(services: Services, now: float) -> int:
        today = datetime.fromtimestamp(now, UTC).date()
        total = 0
        while True:
            count = await services.graph.write(occasions.announce, today=today, days=notice_days, limit=BATCH)
            total += count
            if count < BATCH:
                return total

    return run


run = job()

"""The national calendar, imported per year from `holidays` and cross-checked against
`chinesecalendar`; a year not published yet is stored as provisional (weekends only)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.calendar import national_year
from services.gateway.adapters import tables


def import_national_year(sessions: sessionmaker[Session], year: int) -> dict:
    """Replace the stored national days of `year`; returns what was imported and disagreements."""
    data = national_year(year)
    days = [(d, False, "holiday") for d in data.off_days] + [
        (d, True, "adjusted working day") for d in data.work_days
    ]
    days = [(d, w, r) for d, w, r in days if d.year == year]
    disagreements = [
        {
            "date": d.day.isoformat(),
            "holidays": d.holidays_working,
            "chinesecalendar": d.chinesecalendar_working,
        }
        for d in data.disagreements
    ]
    with db.transaction(sessions, None) as s:
        s.execute(
            sa.delete(tables.calendar_day).where(
                tables.calendar_day.c.scope == "national",
                sa.extract("year", tables.calendar_day.c.day) == year,
            )
        )
        if days:
            s.execute(
                insert(tables.calendar_day),
                [
                    {"scope": "national", "day": d, "working": w, "reason": r, "source": "holidays"}
                    for d, w, r in days
                ],
            )
        stmt = insert(tables.calendar_year).values(
            scope="national", year=year, published=data.published, disagreements=disagreements
        )
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["scope", "year"],
                set_={
                    "published": stmt.excluded.published,
                    "disagreements": stmt.excluded.disagreements,
                    "imported_at": sa.func.now(),
                },
            )
        )
    return {"year": year, "published": data.published, "days": len(days), "disagreements": disagreements}

"""My day (SPEC section 3): the rep's book as one list, most urgent first,
with the counts on top. Pure data: rows of plain values, no HTTP."""

import datetime

from models import LOST_STAGE, Factory, Membership, Region
from scope import visible_factories
from metrics.stage_spans import current_stages
from metrics.visits import last_visits

NOT_VISITED_DAYS = 30
RENEWAL_WINDOW_DAYS = 90


def open_terms(factory_ids):
    """{factory id: the open membership term ending last}."""
    terms = {}
    query = (Membership.select()
             .where(Membership.factory.in_(factory_ids), Membership.outcome.is_null())
             .order_by(Membership.end))
    for term in query:
        terms[term.factory_id] = term
    return terms


def rep_day(user, today):
    """The rep's book: one row per factory with its stage, last visit, next
    action and open term, most urgent first; plus the counts on top."""
    factories = list(visible_factories(user, Factory.select(Factory, Region).join(Region))
                     .order_by(Factory.name))
    ids = [factory.id for factory in factories]
    stages = current_stages(ids)
    terms = open_terms(ids)
    visits = last_visits(ids)
    soon = today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
    stale_before = datetime.datetime.combine(
        today - datetime.timedelta(days=NOT_VISITED_DAYS), datetime.time())
    rows = []
    for factory in factories:
        stage = stages.get(factory.id)
        term = terms.get(factory.id)
        last_visit, next_action = visits.get(factory.id, (None, None))
        row = {
            "factory": factory,
            "stage": stage.stage if stage else None,
            "stage_since": stage.entered_on if stage else None,
            "last_visit": last_visit,
            "next_action_on": next_action,
            "term": term,
            "renewal_due": bool(term and today <= term.end <= soon),
            "not_visited": last_visit is None or last_visit < stale_before,
        }
        # A lost factory needs no more work: it goes to the end, never "due".
        row["lost"] = row["stage"] == LOST_STAGE
        if row["lost"]:
            row.update(renewal_due=False, not_visited=False)
        row["action_due"] = bool(not row["lost"] and row["next_action_on"]
                                 and row["next_action_on"] <= today)
        dates = [d for d in (row["next_action_on"], term.end if row["renewal_due"] else None) if d]
        row["urgent_on"] = min(dates) if dates and not row["lost"] else None
        rows.append(row)
    rows.sort(key=lambda r: (r["lost"], r["urgent_on"] is None, r["urgent_on"] or today,
                             r["factory"].name))
    counts = {
        "factories": len(rows),
        "actions_due": sum(1 for r in rows if r["action_due"]),
        "renewals_due": sum(1 for r in rows if r["renewal_due"]),
        "not_visited": sum(1 for r in rows if r["not_visited"]),
    }
    return rows, counts

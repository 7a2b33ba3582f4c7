"""Rankings shared by the onboarding, renewals and complaints dashboards:
the same KPI computation run per region, rep or factory, now and in the
previous period.

A dashboard module provides ``facts(ids, period)``: a dict of lists of
tuples whose first element is a factory id, and ``compute(facts, period)``
turning any such dict (all of it, or one group's share) into its KPIs.
"""

from models import Factory, Region, User
from metrics import rawrows
from metrics.numbers import change  # noqa: F401 (re-exported)

LEVELS = ("regions", "reps", "factories")


def split(facts, group_of):
    """``facts`` cut into one dict per group (``group_of``: a function of a
    fact row giving its group key)."""
    groups = {}
    for name, rows in facts.items():
        for row in rows:
            key = group_of(row)
            group = groups.get(key)
            if group is None:  # not setdefault: that would build a dict per row
                group = groups[key] = {n: [] for n in facts}
            group[name].append(row)
    return groups


def factory_labels(ids, level):
    """``({factory_id: group key}, {group key: (code, name, name_en)})``
    for the factories of the ``ids`` subquery."""
    # Raw rows of only the columns the level needs: peewee's per-value
    # conversion of 15,000 factories costs more than the query.
    def rows(*columns):
        return rawrows.rows(Factory.select(Factory.id, *columns).where(Factory.id.in_(ids)))

    if level == "factories":
        named = rows(Factory.code, Factory.name)
        return ({row[0]: row[0] for row in named},
                {row[0]: (row[1], row[2], row[2]) for row in named})
    if level == "regions":
        group_of = dict(rows(Factory.region))
        labels = {region.id: (region.code, region.name_zh, region.name_en)
                  for region in Region.select().where(Region.id.in_(set(group_of.values())))}
        return group_of, labels
    if level == "reps":
        group_of = dict(rows(Factory.rep))
        keys = [key for key in set(group_of.values()) if key is not None]
        labels = {user.id: (user.username, user.display_name, user.display_name)
                  for user in User.select(User.id, User.username, User.display_name)
                  .where(User.id.in_(keys))}
        labels[None] = (None, "", "")
        return group_of, labels
    raise ValueError(f"unknown level {level!r}")


def rank(ids, period, level, facts, compute, kinds, sort_by):
    """One row per group of the scope's factories (every group appears,
    even with nothing in the period)::

        [{"id": group id, "key": code/username, "name": str, "name_en": str,
          "factories": int, "kpis": {...}, "previous": {...},
          "change": {name: change}}, ...]

    sorted by ``kpis[sort_by]`` descending (``None`` last), then key."""
    group_of, labels = factory_labels(ids, level)
    now = split(facts(ids, period), lambda row: group_of.get(row[0]))
    before = split(facts(ids, period.previous()), lambda row: group_of.get(row[0]))
    empty = {name: [] for name in facts_names(now, before)}
    counts = {}
    for key in group_of.values():
        counts[key] = counts.get(key, 0) + 1
    result = []
    for key, count in counts.items():
        current = compute(now.get(key) or dict(empty), period)
        previous = compute(before.get(key) or dict(empty), period.previous())
        code, name, name_en = labels.get(key, (None, "", ""))
        result.append({
            "id": key, "key": code, "name": name, "name_en": name_en, "factories": count,
            "kpis": current, "previous": previous,
            "change": {n: change(current[n], previous[n], kinds.get(n, "count"))
                       for n in current},
        })
    result.sort(key=lambda row: (row["kpis"][sort_by] is None,
                                 -(row["kpis"][sort_by] or 0), row["key"] or ""))
    return result


def facts_names(*splits):
    """The fact list names present in any of the split results."""
    names = set()
    for groups in splits:
        for facts in groups.values():
            names.update(facts)
    return names

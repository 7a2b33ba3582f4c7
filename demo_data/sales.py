"""Daily sales of every member factory, day by day over the sales window.

A factory's day: its annual run-rate for the tier it holds that day (grown
or shrunk by its own yearly growth), times the season of its trade, the
platform's shopping festivals (Double 11, Double 12, 618), the Chinese New
Year shutdown and the stocking-up before it, the day of the week, a ramp-up
after going live, and day-to-day noise. Orders follow from the wholesale
order value; the rest of the row (new buyers, repeat orders, 一件代发 orders,
shipments and the 48-hour pickups) from the factory's own mix.

Each factory draws from its own ``random.Random`` seeded from the demo seed
and its code, so its rows do not depend on any other factory.
"""

import datetime
import math
import multiprocessing
import os
import random

DAY = datetime.timedelta(days=1)

# Chinese New Year (Spring Festival) day by Gregorian year.
CHINESE_NEW_YEAR = {
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1),
    2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6),
    2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11),
    2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}

# Month-of-year demand by trade (January first); each is scaled to mean 1.
SEASON_PROFILES = {
    "apparel": (0.8, 0.6, 1.15, 1.1, 1.0, 0.95, 0.8, 0.9, 1.2, 1.2, 1.25, 1.05),
    "winter": (0.9, 0.5, 0.6, 0.5, 0.45, 0.45, 0.6, 0.9, 1.4, 1.75, 1.9, 1.5),
    "gifts": (0.95, 0.6, 0.85, 0.85, 0.9, 0.9, 0.85, 0.9, 1.05, 1.25, 1.45, 1.45),
    "appliances": (0.95, 0.6, 0.85, 0.95, 1.15, 1.3, 1.2, 1.0, 0.9, 1.0, 1.2, 1.1),
    "electronics": (0.95, 0.65, 0.95, 0.95, 1.0, 1.2, 1.0, 0.95, 1.05, 1.05, 1.25, 1.05),
    "toys": (0.85, 0.55, 0.8, 0.95, 1.35, 1.2, 0.9, 0.95, 1.0, 1.25, 1.3, 1.15),
    "furniture": (0.8, 0.5, 1.15, 1.2, 1.05, 0.95, 0.85, 0.9, 1.15, 1.25, 1.2, 1.1),
    "building": (0.7, 0.45, 1.2, 1.3, 1.2, 1.0, 0.85, 0.9, 1.2, 1.3, 1.15, 0.95),
    "textiles": (0.85, 0.55, 0.9, 0.9, 1.0, 1.05, 0.85, 0.9, 1.1, 1.25, 1.4, 1.25),
    "food": (1.45, 0.6, 0.75, 0.8, 0.85, 0.85, 0.8, 1.05, 1.6, 1.05, 1.1, 1.25),
    "snow": (1.5, 0.8, 0.4, 0.3, 0.3, 0.35, 0.45, 0.6, 0.9, 1.6, 2.3, 2.5),
    "lighting": (0.9, 0.6, 1.05, 1.05, 1.0, 1.0, 0.95, 0.95, 1.05, 1.15, 1.2, 1.1),
    "hardware": (0.9, 0.6, 1.1, 1.1, 1.05, 1.0, 0.95, 0.95, 1.05, 1.1, 1.15, 1.05),
    "school": (0.8, 0.75, 1.1, 0.9, 0.85, 0.9, 1.1, 1.5, 1.35, 0.9, 0.95, 0.9),
}

WEEKDAY = (1.0, 1.02, 1.03, 1.0, 0.97, 0.86, 0.72)  # Monday first


def festival_factor(day):
    """The platform's shopping festivals and the Spring Festival shutdown."""
    factor = 1.0
    month, dom = day.month, day.day
    if month == 10 and dom >= 20:
        factor *= 1.25  # stocking up for Double 11
    elif month == 11 and dom <= 11:
        factor *= 1.6 + 0.09 * dom  # Double 11, peaking on the 11th
    elif month == 11 and dom <= 18:
        factor *= 0.85
    elif month == 12 and dom <= 12:
        factor *= 1.25  # Double 12
    elif (month == 5 and dom >= 25) or (month == 6 and dom <= 18):
        factor *= 1.4 if month == 6 and dom >= 10 else 1.2  # 618
    # Spring Festival: 年货 stocking-up, then factories close for two weeks.
    for year in (day.year, day.year + 1):
        if year not in CHINESE_NEW_YEAR:
            continue
        cny = datetime.date(year, *CHINESE_NEW_YEAR[year])
        offset = (day - cny).days
        if -30 <= offset <= -16:
            factor *= 1.3
        elif -15 <= offset <= -8:
            factor *= 0.6
        elif -7 <= offset <= 6:
            factor *= 0.15
        elif 7 <= offset <= 20:
            factor *= 0.35 + 0.65 * (offset - 7) / 14
    return factor


def in_spring_festival(day):
    for year in (day.year, day.year + 1):
        if year in CHINESE_NEW_YEAR:
            offset = (day - datetime.date(year, *CHINESE_NEW_YEAR[year])).days
            if -10 <= offset <= 12:
                return True
    return False


class Calendar:
    """Per-day multipliers for the sales window, computed once."""

    def __init__(self, first_day, last_day):
        self.first_day = first_day
        self.days = []
        day = first_day
        while day <= last_day:
            self.days.append(day)
            day += DAY
        self.iso = [day.isoformat() for day in self.days]
        self.pickup_dip = [0.72 if in_spring_festival(day) else 1.0 for day in self.days]
        base = [festival_factor(day) * WEEKDAY[day.weekday()] for day in self.days]
        self.season = {}
        for key, profile in SEASON_PROFILES.items():
            mean = sum(profile) / 12
            self.season[key] = [b * profile[day.month - 1] / mean
                                for b, day in zip(base, self.days)]

    def index(self, day):
        return (day - self.first_day).days


def segments(world, factory, calendar):
    """(first index, last index, tier) spans of days the factory sells in."""
    if factory.live_date is None or factory.sales_end is None:
        return []
    first = max(factory.live_date, world.sales_start)
    last = min(factory.sales_end, world.last_day)
    spans = []
    for term in factory.terms:
        start, end = max(term.start, first), min(term.end, last)
        if start <= end:
            spans.append((calendar.index(start), calendar.index(end), term.tier))
    return spans


def factory_rows(world, factory, calendar, seed):
    """Yield one factory's sales rows (without id): factory_id, date,
    gmv_fen, orders, new_buyers, repeat_orders, dropship_orders, shipments,
    shipments_picked_48h."""
    spans = segments(world, factory, calendar)
    if not spans:
        return
    rng = random.Random(f"{seed}:sales:{factory.code}")
    rand, gauss, exp, sqrt = rng.random, rng.gauss, math.exp, math.sqrt
    season = calendar.season[factory.belt.season]
    iso, dip = calendar.iso, calendar.pickup_dip
    live_index = calendar.index(factory.live_date)
    today = world.today
    growth = math.log(1.0 + factory.growth) / 365.0
    aov = factory.aov
    new_share, repeat_rate = factory.new_share, factory.repeat_rate
    dropship, pickup = factory.dropship, factory.pickup
    noise = 0.22 if factory.super_level > 1_000_000 else 0.35
    fid = factory.id
    for first, last, tier in spans:
        level = factory.super_level if tier == "super" else factory.cxt_level
        for i in range(first, last + 1):
            days_from_today = (calendar.days[i] - today).days
            lam = level / 365.0 / aov * season[i] * exp(growth * days_from_today + gauss(0, noise))
            age = i - live_index
            if age < 60:
                lam *= 0.3 + 0.7 * age / 60.0
            if lam < 12.0:
                # Poisson by inversion: small factories skip many days.
                limit, k, p = exp(-lam), 0, rand()
                while p > limit:
                    k += 1
                    p *= rand()
                orders = k
            else:
                orders = int(lam + sqrt(lam) * gauss(0, 0.5) + 0.5)
            if orders <= 0:
                continue
            gmv_fen = int(orders * aov * (0.8 + 0.4 * rand()) * 100)
            new_buyers = int(orders * new_share + rand())
            repeat_orders = min(orders - new_buyers, int(orders * repeat_rate + rand()))
            if repeat_orders < 0:
                repeat_orders = 0
            dropship_orders = min(orders, int(orders * dropship + rand()))
            shipments = orders + int(orders * 0.06 * rand())
            picked = min(shipments, int(shipments * pickup * dip[i] + rand()))
            yield (fid, iso[i], gmv_fen, orders, new_buyers, repeat_orders, dropship_orders,
                   shipments, picked)


def estimate_rows(world, calendar):
    """Roughly how many sales rows the factories will have (for progress)."""
    total = 0
    for factory in world.factories:
        for first, last, _tier in segments(world, factory, calendar):
            total += last - first + 1
    return total


# Below this many rows the sales are generated in-process; above it, worker
# processes generate them while this process writes (the two overlap).
PARALLEL_THRESHOLD = 300_000
FACTORIES_PER_TASK = 40
_STATE = None  # (world, calendar, seed) inherited by forked workers


def _generate(span):
    world, calendar, seed = _STATE
    rows = []
    for factory in world.factories[span[0]:span[1]]:
        rows.extend(factory_rows(world, factory, calendar, seed))
    return rows


def all_rows(world, calendar, seed, expected_rows=0):
    """Every factory's rows, in factory order (the same rows and order
    whether or not worker processes generate them)."""
    use_workers = (expected_rows >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1
                   and "fork" in multiprocessing.get_all_start_methods())
    if not use_workers:
        for factory in world.factories:
            yield from factory_rows(world, factory, calendar, seed)
        return
    global _STATE
    _STATE = (world, calendar, seed)
    count = len(world.factories)
    spans = [(i, min(i + FACTORIES_PER_TASK, count))
             for i in range(0, count, FACTORIES_PER_TASK)]
    processes = max(1, min(int(os.environ.get("DEMO_DATA_WORKERS", 0)) or os.cpu_count() or 2, 4))
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for rows in pool.imap(_generate, spans, chunksize=2):
                yield from rows
    finally:
        _STATE = None

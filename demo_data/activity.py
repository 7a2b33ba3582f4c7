"""Complaints (吐槽) with their status history, and the reps' visits.

Complaints follow the SLA targets of SPEC section 4: most get a first
response and a resolution well inside their targets, some do not, and a few
are forgotten altogether, so the complaint board always has breaches to show.
Their threads hold the staff's replies, internal notes and the owners'
follow-ups; critical ones are handed to the region's manager (an assignee
change); some resolved ones are reopened by the owner asking again (and
resolved a second time, or still open); ratings carry the owner's words.

The thread's extras (hand-overs, reopens, rating comments) draw from a
random stream of their own per complaint, so adding them left every other
row of the seed as it was.
"""

import datetime
import math
import random

from models import FIRST_RESPONSE_TARGET_HOURS, RESOLUTION_TARGET_HOURS

from . import texts
from .world import DAY, Obj, shanghai_to_utc

HOUR = datetime.timedelta(hours=1)

CATEGORY_WEIGHTS = {
    "traffic": 24, "service": 15, "fees": 11, "after_sales": 13, "logistics": 13,
    "rules": 9, "tools": 7, "payment": 5, "other": 3,
}
WEAK_CATEGORY_WEIGHTS = dict(CATEGORY_WEIGHTS, traffic=34, fees=26, service=18)
SEVERITY_WEIGHTS = {"critical": 5, "high": 20, "normal": 55, "low": 20}
CHANNEL_WEIGHTS = {"board": 45, "group": 25, "visit": 15, "phone": 15}
# Hours of the day (Shanghai) complaints come in, by weight.
HOURS = list(range(7, 24))
HOUR_WEIGHTS = [1, 3, 6, 8, 8, 6, 5, 7, 8, 7, 6, 5, 5, 6, 6, 4, 2]
REOPEN_SHARE = 0.07  # of resolved complaints, the owner asks again
RATING_COMMENT_SHARE = 0.6


def poisson(rng, lam):
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _fill(rng, text, factory):
    return text.format(
        product=rng.choice(factory.belt.products), pct=rng.choice((20, 30, 35, 40, 50, 60)),
        days=rng.randint(3, 20), amount=rng.choice((8, 12, 15, 20, 35, 60, 90)),
        months=rng.randint(2, 7), n=rng.randint(2, 9))


def _pick(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]


class Activity:
    def __init__(self, world, seed):
        self.world = world
        self.seed = seed
        self.rng = random.Random(f"{seed}:activity")
        self.complaints = []
        self.events = []
        self.visits = []
        self.owner_of = {u.factory.id: u for u in world.users
                         if u.role == "owner" and u.factory is not None}
        self.manager_of = {}
        for user in world.users:
            if user.role == "manager":
                for region in user.regions:
                    self.manager_of.setdefault(region.id, user)
        self.manager_all = next(u for u in world.users if u.username == "manager_all")

    # -------------------------------------------------------------- complaints
    def active_window(self, factory):
        """(first day, last day) the factory is a member within the window."""
        if not factory.terms:
            return None
        first = max(factory.terms[0].start, self.world.sales_start)
        last = self.world.last_day
        if factory.terms[-1].outcome == "churned":
            last = min(last, factory.terms[-1].end)
        return (first, last) if first <= last else None

    def build_complaints(self):
        world, rng = self.world, self.rng
        drafts = []
        for factory in world.factories:
            window = self.active_window(factory)
            if window is None:
                continue
            first, last = window
            days = (last - first).days + 1
            if factory.showcase == "high":
                count = 4
            elif factory.showcase == "low":
                count = 7
            else:
                is_super = any(t.tier == "super" for t in factory.terms)
                rate = world.scale.complaint_rate * (1.0 if is_super else 0.25)
                if factory.weak and is_super:
                    rate *= 2.2
                count = poisson(rng, rate * days / 365.0)
            for index in range(count):
                day = first + rng.randrange(days) * DAY
                if factory.showcase == "low" and index >= count - 2:
                    day = world.last_day - rng.randint(4, 25) * DAY  # recent, still open
                created = shanghai_to_utc(day, rng.choices(HOURS, HOUR_WEIGHTS)[0],
                                          rng.randint(0, 59), rng.randint(0, 59))
                drafts.append((created, factory, index))
        drafts.sort(key=lambda d: (d[0], d[1].id, d[2]))
        for created, factory, index in drafts:
            self.make_complaint(created, factory, index)

    def make_complaint(self, created, factory, index):
        world, rng = self.world, self.rng
        now = world.now
        weights = WEAK_CATEGORY_WEIGHTS if factory.weak else CATEGORY_WEIGHTS
        category = _pick(rng, weights)
        if factory.showcase == "low":
            category = ("fees", "traffic", "service", "traffic", "after_sales", "fees",
                        "traffic")[index % 7]
        severity = _pick(rng, SEVERITY_WEIGHTS)
        channel = _pick(rng, CHANNEL_WEIGHTS)
        title, body = rng.choice(texts.COMPLAINTS[category])
        body = _fill(rng, body, factory)
        owner = self.owner_of.get(factory.id)
        rep = factory.rep
        manager = self.manager_of.get(factory.region.id, self.manager_all)
        if channel == "board":
            filed_by = owner
        else:
            filed_by = rep
            if rep is None:
                channel = "board"
                filed_by = owner
        assignee = manager if severity == "critical" or rep is None else rep

        fr_target = FIRST_RESPONSE_TARGET_HOURS[severity]
        res_target = RESOLUTION_TARGET_HOURS[severity]
        if rng.random() < 0.86:
            fr_hours = fr_target * rng.uniform(0.03, 0.9)
        else:
            fr_hours = fr_target * rng.uniform(1.1, 4.0)
        if rng.random() < 0.82:
            res_hours = res_target * rng.uniform(0.08, 0.95)
        else:
            res_hours = res_target * rng.uniform(1.05, 3.2)
        res_hours = max(res_hours, fr_hours + rng.uniform(0.5, 6))
        first_response = created + datetime.timedelta(seconds=int(fr_hours * 3600))
        resolved = created + datetime.timedelta(seconds=int(res_hours * 3600))
        forgotten = rng.random() < 0.03
        if factory.showcase == "low" and index >= 5:
            forgotten = True
            severity = "high"
        if factory.showcase == "high":
            forgotten = False
        if forgotten:
            resolved = None
            if rng.random() < 0.5 or (factory.showcase == "low" and index == 6):
                first_response = None
        if first_response is not None and first_response >= now:
            first_response = None
        if resolved is not None and (resolved >= now or first_response is None):
            resolved = None
        if first_response is None:
            resolved = None
        satisfaction = None
        if resolved is not None and (rng.random() < 0.65 or factory.showcase):
            on_time = res_hours <= res_target
            satisfaction = rng.choice((5, 5, 4, 4, 4, 3) if on_time else (1, 2, 2, 3, 3, 4))
        if assignee is None and first_response is None:
            assignee = None
        number = len(self.complaints) + 1
        extra = random.Random(f"{self.seed}:thread:{number}")
        reopen = self.plan_reopen(extra, resolved, satisfaction)
        final_resolved, satisfaction = reopen["resolved"], reopen["satisfaction"]
        rating_comment, rated_at = "", None
        if satisfaction is not None:
            rated_at = final_resolved + (now - final_resolved) * extra.uniform(0.01, 0.3)
            if extra.random() < RATING_COMMENT_SHARE:
                rating_comment = extra.choice(texts.RATING_COMMENTS[satisfaction])
        complaint = Obj(
            id=number, code=f"TC{number:06d}",
            factory=factory, category=category, severity=severity, channel=channel,
            title=title, body=body,
            status=("resolved" if final_resolved
                    else "in_progress" if first_response else "open"),
            assignee=assignee, filed_by=filed_by, created_at=created,
            first_response_at=first_response, resolved_at=final_resolved,
            satisfaction=satisfaction, rating_comment=rating_comment, rated_at=rated_at)
        self.complaints.append(complaint)
        factory.complaints.append(complaint)

        responder = assignee or manager
        self.event(complaint, filed_by, created, None, "open", "")
        if assignee is not None and assignee is not rep:
            # Filed to the factory's rep (or nobody); the manager takes it over.
            stop = first_response or min(created + HOUR, now)
            self.event(complaint, manager, created + (stop - created) * extra.uniform(0.2, 0.8),
                       None, None, extra.choice(texts.ESCALATION_NOTES), internal=True,
                       from_assignee=rep, to_assignee=assignee)
        if first_response is not None:
            self.event(complaint, responder, first_response, "open", "in_progress",
                       rng.choice(texts.FIRST_REPLIES))
            end = resolved or now
            span = (end - first_response).total_seconds()
            if span > 7200 and rng.random() < 0.45:
                at = first_response + datetime.timedelta(seconds=int(span * rng.uniform(0.1, 0.6)))
                self.event(complaint, rng.choice([responder, manager]), at, None, None,
                           rng.choice(texts.INTERNAL_NOTES), internal=True)
            if span > 7200 and rng.random() < 0.25:
                at = first_response + datetime.timedelta(seconds=int(span * rng.uniform(0.65, 0.9)))
                self.event(complaint, owner, at, None, None, rng.choice(texts.OWNER_FOLLOWUPS))
        if resolved is not None:
            self.event(complaint, responder, resolved, "in_progress", "resolved",
                       rng.choice(texts.RESOLUTIONS))
        if reopen["asked_at"] is not None:
            self.event(complaint, owner, reopen["asked_at"], None, None,
                       extra.choice(texts.REOPEN_REQUESTS))
            self.event(complaint, responder, reopen["reopened_at"], "resolved", "in_progress",
                       extra.choice(texts.REOPEN_NOTES))
            if final_resolved is not None:
                self.event(complaint, responder, final_resolved, "in_progress", "resolved",
                           extra.choice(texts.RESOLUTIONS))
        if satisfaction is not None:
            self.event(complaint, owner, rated_at, None, None, rating_comment,
                       satisfaction=satisfaction)
        if channel == "visit" and rep is not None and factory.rep is rep:
            self.add_visit(factory, rep, created, "complaint",
                           exact=True)

    def plan_reopen(self, extra, resolved, satisfaction):
        """Whether the owner asks again after ``resolved`` (``asked_at``),
        when staff reopen it (``reopened_at``), the final ``resolved`` (a
        second resolution, or ``None``: still open) and the ``satisfaction``
        left (a reopen clears the first rating)."""
        plan = {"asked_at": None, "reopened_at": None, "resolved": resolved,
                "satisfaction": satisfaction}
        if resolved is None or extra.random() >= REOPEN_SHARE:
            return plan
        now = self.world.now
        asked = resolved + datetime.timedelta(seconds=int(extra.uniform(4, 72) * 3600))
        reopened = asked + datetime.timedelta(seconds=int(extra.uniform(0.2, 6) * 3600))
        if reopened >= now:
            return plan
        again = reopened + datetime.timedelta(seconds=int(extra.uniform(6, 120) * 3600))
        plan.update(asked_at=asked, reopened_at=reopened, resolved=None, satisfaction=None)
        if again < now and extra.random() < 0.7:
            plan["resolved"] = again
            if satisfaction is not None:
                plan["satisfaction"] = extra.choice((2, 3, 3, 4, 4, 5))
        return plan

    def event(self, complaint, author, at, from_status, to_status, body, internal=False,
              from_assignee=None, to_assignee=None, satisfaction=None):
        self.events.append(Obj(id=len(self.events) + 1, complaint=complaint, author=author,
                               created_at=at, from_status=from_status, to_status=to_status,
                               body=body, internal=internal, from_assignee=from_assignee,
                               to_assignee=to_assignee, satisfaction=satisfaction))

    # ------------------------------------------------------------------ visits
    def add_visit(self, factory, rep, when, purpose, exact=False, day=None):
        """A visit at ``when`` (UTC), or on ``day`` in working hours."""
        rng = self.rng
        world = self.world
        if not exact:
            if day.weekday() == 5:
                day -= DAY
            elif day.weekday() == 6:
                day += DAY
            if day > world.last_day or day < world.sales_start:
                return
            when = shanghai_to_utc(day, rng.randint(9, 17), rng.choice((0, 10, 15, 20, 30, 40, 45)))
        if when >= world.now:
            return
        notes = _fill(rng, rng.choice(texts.VISIT_NOTES[purpose]), factory)
        next_action = None
        if rng.random() < 0.4:
            local_day = (when + 8 * HOUR).date()
            next_action = local_day + rng.randint(3, 21) * DAY
        factory.visits.append(Obj(factory=factory, rep=rep, visited_at=when, purpose=purpose,
                                  notes=notes, next_action_on=next_action))

    def build_visits(self):
        world, rng = self.world, self.rng
        for factory in world.factories:
            rep = factory.rep
            if rep is None:
                continue
            stages = dict(factory.stages)
            for stage, purpose in (("contacted", "onboarding"), ("visited", "onboarding"),
                                   ("signed", "onboarding"), ("trained", "training")):
                if stage in stages and (stage != "contacted" or rng.random() < 0.3):
                    self.add_visit(factory, rep, None, purpose, day=stages[stage])
            window = self.active_window(factory)
            if window is not None and factory.live_date is not None:
                first = max(window[0], factory.live_date)
                day = first + rng.randint(3, factory.visit_every) * DAY
                while day <= window[1]:
                    self.add_visit(factory, rep, None, "routine", day=day)
                    gap = int(factory.visit_every * rng.uniform(0.6, 1.4))
                    day += max(7, gap) * DAY
            for term in factory.terms:
                if term.outcome is not None or term.end <= world.last_day + 60 * DAY:
                    day = term.end - rng.randint(15, 45) * DAY
                    self.add_visit(factory, rep, None, "renewal", day=day)
        visits = []
        for factory in world.factories:
            seen = set()
            for visit in sorted(factory.visits, key=lambda v: v.visited_at):
                key = (visit.rep.id, visit.visited_at)
                if key not in seen:
                    seen.add(key)
                    visits.append(visit)
        visits.sort(key=lambda v: (v.visited_at, v.factory.id))
        for index, visit in enumerate(visits, start=1):
            visit.id = index
        self.visits = visits


def build_activity(world, seed):
    activity = Activity(world, seed)
    activity.build_complaints()
    activity.build_visits()
    return activity

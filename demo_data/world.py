"""The demo world in memory: regions, staff, factories with their onboarding
history, membership terms and renewal cases, and the factory owners.

Everything is drawn from one ``random.Random`` in a fixed order, so the same
seed and the same anchor date give the same world. Ids are assigned here
(1, 2, 3, ... per table) so rows can reference each other before they are
written.
"""

import datetime
import math

from models import CHURN_REASONS, TIER_FEES_FEN

from . import catalog, texts

DAY = datetime.timedelta(days=1)
SUPER_FEE = TIER_FEES_FEN["super"]
CXT_FEE = TIER_FEES_FEN["cxt"]

# Shanghai is UTC+8 all year (no daylight saving).
SHANGHAI_OFFSET = datetime.timedelta(hours=8)


def shanghai_to_utc(day, hour, minute=0, second=0):
    """A naive UTC datetime for ``day`` at ``hour:minute`` in Asia/Shanghai."""
    local = datetime.datetime(day.year, day.month, day.day) + datetime.timedelta(
        hours=hour, minutes=minute, seconds=second)
    return local - SHANGHAI_OFFSET


def add_year(day):
    """The same date a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def term_end(start):
    """A one-year term starting on ``start`` ends the day before its anniversary."""
    return add_year(start) - DAY


class Scale:
    """Sizes of one scale."""

    def __init__(self, name, belts, factories, sales_days, history_days, book,
                 extra_owners, complaint_rate):
        self.name = name
        self.belts = belts
        self.factories = factories
        self.sales_days = sales_days
        self.history_days = history_days
        self.book = book  # target factories per rep
        self.extra_owners = extra_owners
        self.complaint_rate = complaint_rate  # complaints per super factory-year


SCALES = {
    "demo": Scale("demo", belts=[b for b in catalog.BELTS if b.code in catalog.DEMO_BELT_CODES],
                  factories=320, sales_days=730, history_days=1100, book=25,
                  extra_owners=4, complaint_rate=2.4),
    "programme": Scale("programme", belts=list(catalog.BELTS), factories=14_800,
                       sales_days=730, history_days=1460, book=100,
                       extra_owners=8, complaint_rate=1.1),
}

# The stages a pipeline can stall in (neither live nor lost).
OPEN_STAGES = ("lead", "contacted", "visited", "signed", "store_ready", "trained")

# Every demo user's password (format_logins prints it).
DEMO_PASSWORD = "demo1688"


class Obj:
    """A plain record with attributes."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


class World:
    def __init__(self, scale, seed, today, rng):
        self.scale = scale
        self.seed = seed
        self.today = today
        self.last_day = today - DAY
        self.sales_start = today - datetime.timedelta(days=scale.sales_days)
        # The moment the data ends: the start of today in Shanghai, as UTC.
        self.now = shanghai_to_utc(today, 0)
        self.rng = rng
        self.regions = []
        self.users = []
        self.user_regions = []
        self.factories = []
        self.stage_events = []
        self.memberships = []
        self.renewal_cases = []
        self._names = set()

    # ------------------------------------------------------------------ names
    def person_name(self):
        rng = self.rng
        given = rng.choice(catalog.GIVEN_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(catalog.GIVEN_CHARS)
        return rng.choice(catalog.SURNAMES) + given

    def company_name(self, belt, district):
        rng = self.rng
        prefix = belt.city + "市"
        if district.endswith(("区", "县")) and not district.endswith("市"):
            prefix += district
        elif district.endswith("市"):
            prefix = district
        for _ in range(50):
            brand = rng.choice(catalog.BRAND_CHARS) + rng.choice(catalog.BRAND_CHARS)
            if brand[0] == brand[1]:
                continue
            name = prefix + brand + rng.choice(belt.suffixes)
            if name not in self._names:
                self._names.add(name)
                return name
        name = f"{prefix}{brand}{len(self._names)}号{belt.suffixes[0]}"
        self._names.add(name)
        return name

    def phone(self, belt):
        code = catalog.AREA_CODES.get(belt.city, "0571")
        digits = 8 if len(code) == 3 else 7
        first = self.rng.randint(3, 8)
        rest = "".join(str(self.rng.randint(0, 9)) for _ in range(digits - 1))
        return f"{code}-{first}{rest}"

    def address(self, belt, district):
        """A street address: 广东省广州市白云区兴业路88号, 上海市松江区..."""
        if belt.province in ("上海", "北京", "天津", "重庆"):
            place = belt.province + "市"
        else:
            place = belt.province + "省" + belt.city + "市"
        if district.endswith("市"):  # a county-level city under the prefecture
            place = belt.province + "省" + district
        else:
            place += district
        return f"{place}{self.rng.choice(catalog.STREETS)}{self.rng.randint(1, 388)}号"

    def mobile(self):
        prefix = self.rng.choice(("138", "139", "136", "137", "150", "158", "186", "189", "177"))
        return prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    # ---------------------------------------------------------------- regions
    def build_regions(self):
        for index, belt in enumerate(self.scale.belts, start=1):
            self.regions.append(Obj(
                id=index, code=belt.code, name_zh=belt.name_zh, name_en=belt.name_en,
                province=belt.province, city=belt.city, industry_zh=belt.industry_zh,
                industry_en=belt.industry_en, belt=belt, reps=[]))

    def region(self, code):
        return next(region for region in self.regions if region.code == code)

    # ------------------------------------------------------------------ users
    def add_user(self, username, role, display_name=None, regions=(), factory=None,
                 email=None):
        user = Obj(id=len(self.users) + 1, username=username, role=role,
                   display_name=display_name or self.person_name(), factory=factory,
                   email=email or f"{username}@demo.1688.example", phone=self.mobile(),
                   created_at=shanghai_to_utc(
                       self.sales_start - datetime.timedelta(days=self.rng.randint(30, 400)),
                       self.rng.randint(9, 18), self.rng.randint(0, 59)),
                   regions=list(regions))
        self.users.append(user)
        for region in regions:
            self.user_regions.append(Obj(id=len(self.user_regions) + 1, user_id=user.id,
                                         region_id=region.id))
        return user

    # -------------------------------------------------------------- factories
    def build_factories(self):
        rng = self.rng
        belts = self.scale.belts
        weights = [belt.weight for belt in belts]
        total = sum(weights)
        counts = [max(12, round(self.scale.factories * w / total)) for w in weights]
        code = 100_000
        for region, count in zip(self.regions, counts):
            belt = region.belt
            for index in range(count):
                code += rng.randint(1, 9)
                district = rng.choice(belt.districts)
                profile = rng.choices(("member", "pipeline", "lost"), (0.78, 0.15, 0.07))[0]
                # The first few of each region cover every open stage, stalled
                # in it, and a loss, so every region's pipeline shows them all.
                stuck_in = None
                if 1 <= index <= len(OPEN_STAGES):
                    profile, stuck_in = "pipeline", OPEN_STAGES[index - 1]
                elif index == len(OPEN_STAGES) + 1:
                    profile = "lost"
                kind = "trader" if profile == "member" and rng.random() < 0.12 else "factory"
                showcase = None
                if index == 0 and belt.code in ("GZ-WOMENSWEAR", "ST-TOYS"):
                    showcase = "high" if belt.code == "GZ-WOMENSWEAR" else "low"
                    profile, kind = "member", "factory"
                    district = "白云区" if showcase == "high" else "澄海区"
                factory = Obj(
                    id=len(self.factories) + 1, code=f"F{code}", region=region, belt=belt,
                    name=self.company_name(belt, district), kind=kind, rep=None,
                    specialized=rng.random() < 0.07, little_giant=False,
                    phone=self.phone(belt),
                    address=self.address(belt, district),
                    profile=profile, stages=[], terms=[], showcase=showcase, stuck_in=stuck_in,
                    complaints=[], visits=[],
                )
                factory.little_giant = factory.specialized and rng.random() < 0.25
                self.factories.append(factory)

    # ------------------------------------------------------------ economics
    def draw_economics(self, factory):
        """Annual GMV levels (CNY), growth and order mix of one factory."""
        rng = self.rng
        belt = factory.belt
        weak = rng.random() < 0.15
        if weak:
            super_level = math.exp(rng.uniform(math.log(40_000), math.log(260_000)))
        else:
            super_level = math.exp(rng.gauss(math.log(5_600_000), 0.95))
            super_level = min(max(super_level, 350_000), 160_000_000)
        factory.weak = weak
        factory.super_level = super_level
        # As a CXT member the same factory sells less (no super-factory support).
        factory.cxt_level = super_level / rng.uniform(1.6, 3.2)
        if factory.kind == "trader" or rng.random() < 0.35:
            factory.cxt_level = math.exp(rng.gauss(math.log(520_000), 1.0))
            factory.cxt_level = min(max(factory.cxt_level, 15_000), 9_000_000)
        factory.growth = max(-0.45, min(1.2, rng.gauss(0.14, 0.28)))
        factory.aov = belt.aov_cny * math.exp(rng.gauss(0, 0.3))
        factory.new_share = rng.uniform(0.12, 0.4)
        factory.repeat_rate = rng.uniform(0.25, 0.65)
        factory.dropship = min(0.9, belt.dropship * math.exp(rng.gauss(0, 0.35)))
        factory.pickup = min(0.98, max(0.6, rng.gauss(0.88, 0.05)))
        factory.visit_every = rng.choice((21, 28, 35, 45, 60, 75, 120))

    def level_on(self, factory, tier, day):
        """The factory's annual GMV run-rate (CNY) in ``tier`` on ``day``."""
        base = factory.super_level if tier == "super" else factory.cxt_level
        years = (day - self.today).days / 365.0
        return base * (1.0 + factory.growth) ** years

    def expected_roi(self, factory, term):
        middle = term.start + (term.end - term.start) / 2
        return self.level_on(factory, term.tier, middle) / (term.fee / 100)

    # ------------------------------------------------------------------ terms
    def renewal_probability(self, roi, tier):
        if tier == "cxt":
            return 0.4 if roi < 3 else 0.73
        if roi < 1:
            return 0.22
        if roi < 4:
            return 0.48
        if roi < 12:
            return 0.64
        if roi < 35:
            return 0.74
        return 0.8

    def add_term(self, factory, tier, start, fee=None):
        term = Obj(id=len(self.memberships) + 1, factory=factory, tier=tier,
                   fee=TIER_FEES_FEN[tier] if fee is None else fee, start=start,
                   end=term_end(start), outcome=None, case=None, next_plan=None)
        self.memberships.append(term)
        factory.terms.append(term)
        return term

    def simulate_terms(self, factory, first_start, first_tier):
        """Consecutive yearly terms from ``first_start`` until one is open
        on the last day of data or the factory churns."""
        rng = self.rng
        tier, start, fee = first_tier, first_start, None
        while True:
            term = self.add_term(factory, tier, start, fee)
            if term.end >= self.last_day:
                return
            if term.end >= self.last_day - 12 * DAY and rng.random() < 0.35:
                return  # ended a few days ago; the decision is still pending
            roi = self.expected_roi(factory, term)
            if rng.random() >= self.renewal_probability(roi, tier):
                term.outcome = "churned"
                return
            term.outcome = "renewed"
            next_tier, fee, plan = tier, None, "same"
            if tier == "cxt" and factory.kind == "factory" and rng.random() < 0.16:
                next_tier, plan = "super", "upgrade"
            elif tier == "super" and roi < 2 and rng.random() < 0.3:
                next_tier, plan = "cxt", "downgrade"
            elif tier == "super" and roi < 12 and rng.random() < 0.45:
                discount, plan = rng.choice(((0.9, "discount"), (0.85, "deep_discount")))
                fee = int(round(SUPER_FEE * discount / 100) * 100)
            term.next_plan = (plan, next_tier, TIER_FEES_FEN[next_tier] if fee is None else fee)
            tier, start = next_tier, term.end + DAY

    # ----------------------------------------------------------------- stages
    def add_stages(self, factory, lead, upto, lost=False):
        """Stage history from ``lead`` through the stage ``upto``."""
        rng = self.rng
        gaps = {"contacted": (1, 9), "visited": (2, 20), "signed": (5, 45),
                "store_ready": (3, 14), "trained": (2, 10), "live": (1, 7)}
        day = lead
        factory.stages = [("lead", lead)]
        for stage in ("contacted", "visited", "signed", "store_ready", "trained", "live"):
            if factory.stages[-1][0] == upto:
                break
            day = day + rng.randint(*gaps[stage]) * DAY
            factory.stages.append((stage, day))
        if lost:
            factory.stages.append(("lost", factory.stages[-1][1] + rng.randint(5, 40) * DAY))

    def build_histories(self):
        rng = self.rng
        history = self.scale.history_days
        for factory in self.factories:
            self.draw_economics(factory)
            if factory.showcase:
                self.showcase_history(factory)
            elif factory.profile == "member":
                # Older members are fewer: the programme has been growing.
                ago = int(history * (1 - rng.random() ** 0.8)) + 20
                first_start = self.today - ago * DAY
                first_tier = "cxt" if factory.kind == "trader" else rng.choices(
                    ("super", "cxt"), (0.66, 0.34))[0]
                self.member_stages(factory, first_start)
                self.simulate_terms(factory, first_start, first_tier)
            elif factory.profile == "pipeline":
                lead = self.last_day - (3 + int(200 * rng.random() ** 2)) * DAY
                upto = factory.stuck_in or rng.choices(
                    ("lead", "contacted", "visited", "signed", "store_ready", "trained", "live"),
                    (8, 12, 14, 10, 8, 6, 20))[0]
                self.add_stages(factory, lead, upto)
                # Stage dates must not run past the last day of data; a stuck
                # factory entered its stage 15 to 60 days before it.
                latest = self.last_day
                if factory.stuck_in:
                    latest -= rng.randint(15, 60) * DAY
                if factory.stages[-1][1] > latest:
                    shift = factory.stages[-1][1] - latest
                    factory.stages = [(s, d - shift) for s, d in factory.stages]
                stages = dict(factory.stages)
                if "signed" in stages:
                    self.simulate_terms(factory, stages["signed"],
                                        "super" if rng.random() < 0.8 else "cxt")
            else:
                lead = self.last_day - rng.randint(20, 600) * DAY
                upto = rng.choice(("lead", "contacted", "contacted", "visited", "visited"))
                self.add_stages(factory, lead, upto, lost=True)
                if factory.stages[-1][1] > self.last_day:
                    shift = factory.stages[-1][1] - self.last_day
                    factory.stages = [(s, d - shift) for s, d in factory.stages]
            self.finish_factory(factory)

    def finish_factory(self, factory):
        stages = dict(factory.stages)
        factory.live_date = stages.get("live")
        if factory.terms:
            last = factory.terms[-1]
            factory.sales_end = min(self.last_day, last.end) if last.outcome == "churned" \
                else self.last_day
        else:
            factory.sales_end = None
        factory.active_term = next(
            (t for t in factory.terms if t.start <= self.last_day <= t.end), None)

    def member_stages(self, factory, signed):
        """Stage history of a member whose first term started on ``signed``;
        stages not reached by the last day of data are left out."""
        rng = self.rng
        visited = signed - rng.randint(5, 45) * DAY
        contacted = visited - rng.randint(2, 20) * DAY
        lead = contacted - rng.randint(1, 9) * DAY
        store_ready = signed + rng.randint(3, 14) * DAY
        trained = store_ready + rng.randint(2, 10) * DAY
        live = trained + rng.randint(1, 7) * DAY
        stages = [("lead", lead), ("contacted", contacted), ("visited", visited),
                  ("signed", signed), ("store_ready", store_ready), ("trained", trained),
                  ("live", live)]
        factory.stages = [(s, d) for s, d in stages if d <= self.last_day]

    # -------------------------------------------------------------- showcases
    def showcase_history(self, factory):
        """The two printed owners' factories, with rich data: one earning its
        fee many times over, one below 1x with its renewal due."""
        if factory.showcase == "high":
            factory.specialized = True
            factory.weak, factory.super_level, factory.cxt_level = False, 6_200_000, 1_900_000
            factory.growth, factory.aov, factory.visit_every = 0.32, 460, 28
            plans = [("cxt", "upgrade"), ("super", "same"), ("super", None)]
            start = self.today - (365 * 2 + 290) * DAY
        else:
            factory.weak, factory.super_level, factory.cxt_level = True, 72_000, 55_000
            factory.growth, factory.aov, factory.visit_every = -0.18, 380, 75
            plans = [("cxt", "same"), ("cxt", "upgrade"), ("super", None)]
            start = self.today - (365 * 2 + 320) * DAY
        self.member_stages(factory, start)
        for index, (tier, plan) in enumerate(plans):
            term = self.add_term(factory, tier, start)
            if plan is not None:
                term.outcome = "renewed"
                next_tier = plans[index + 1][0]
                term.next_plan = (plan, next_tier, TIER_FEES_FEN[next_tier])
                start = term.end + DAY

    # ------------------------------------------------------------------- staff
    def build_staff(self):
        south = [r for r in self.regions if r.province == "广东"]
        east = [r for r in self.regions if r.province in ("浙江", "江苏", "上海")]
        self.add_user("admin", "admin", "平台运营 · 周敏")
        self.add_user("admin_data", "admin", "数据组 · 孙浩")
        self.add_user("manager_south", "manager", "华南区域经理 · 陈盛", regions=south)
        self.add_user("manager_all", "manager", "商贸发展中心 · 王强")
        if east:
            self.add_user("manager_east", "manager", "华东区域经理 · 汤丽华", regions=east)
        others = [r for r in self.regions if r not in south and r not in east]
        if others:
            self.add_user("manager_north", "manager", "华北及其他区域经理 · 韩立新", regions=others)

        # Reps per region, sized to the factories they will serve.
        served = {}
        for factory in self.factories:
            if self.wants_rep(factory):
                served.setdefault(factory.region.id, []).append(factory)
        for region in self.regions:
            book = served.get(region.id, [])
            count = max(1, round(len(book) / self.scale.book))
            place, trade = region.code.lower().split("-")
            short = f"{place}_{trade[:4]}"
            for index in range(count):
                if region.code == "GZ-WOMENSWEAR" and index == 0:
                    username = "rep_guangzhou"
                elif region.code == "YW-COMMODITIES" and index == 0:
                    username = "rep_yiwu"
                else:
                    username = f"rep_{short}{index + 1}"
                rep = self.add_user(username, "rep", regions=[region])
                region.reps.append(rep)
            # Deal the book out to the region's reps, in turn.
            for index, factory in enumerate(book):
                factory.rep = region.reps[index % len(region.reps)]

    def wants_rep(self, factory):
        if factory.showcase:
            return True
        if factory.profile == "lost":
            return self.rng.random() < 0.6
        if factory.profile == "pipeline":
            return True
        if any(t.tier == "super" for t in factory.terms):
            return True
        return self.rng.random() < 0.35

    def build_owners(self, high, low):
        """The two printed owners, and a few more on other super factories."""
        rng = self.rng
        self.add_user("owner_baiyun", "owner", self.person_name(), factory=high)
        self.add_user("owner_chenghai", "owner", self.person_name(), factory=low)
        candidates = [f for f in self.factories
                      if f.active_term is not None and f.active_term.tier == "super"
                      and not f.showcase and f.live_date]
        for factory in rng.sample(candidates, min(self.scale.extra_owners, len(candidates))):
            self.add_user(f"owner_{factory.code.lower()}", "owner", factory=factory)

    # --------------------------------------------------------------- renewals
    def build_renewal_cases(self):
        """Renewal work on terms ending from the start of the sales window up
        to 90 days ahead: decided cases for the past, live ones ahead."""
        rng = self.rng
        horizon = self.today + 90 * DAY
        managers = {}
        for user in self.users:
            if user.role == "manager":
                for region in user.regions:
                    managers.setdefault(region.id, user)
        fallback = next(u for u in self.users if u.username == "manager_all")
        for term in self.memberships:
            if not (self.sales_start <= term.end <= horizon):
                continue
            factory = term.factory
            if term.start > self.last_day:
                continue
            rep = factory.rep
            manager = managers.get(factory.region.id, fallback)
            roi = self.expected_roi(factory, term)
            risk = ""
            if term.tier == "super" and roi < 3:
                risk = texts.RISK_NOTES["low_roi"].format(roi=max(1, math.ceil(roi)))
            elif factory.growth < -0.1:
                risk = texts.RISK_NOTES["traffic"]
            case = Obj(id=len(self.renewal_cases) + 1, membership=term, status="open",
                       risk_note=risk, proposed_tier=None, proposed_fee=None,
                       proposal_note="", proposed_by=None, proposed_at=None, decision=None,
                       decision_note="", decided_by=None, decided_at=None, churn_reason=None,
                       updated_at=None, events=[])
            created = shanghai_to_utc(term.end - rng.randint(80, 100) * DAY, 9, rng.randint(0, 59))
            case.updated_at = created
            if term.outcome is not None:
                self.decided_case(case, term, roi, rep, manager)
            else:
                self.open_case(case, term, roi, rep, manager)
            term.case = case
            self.renewal_cases.append(case)
        self.ensure_coverage(managers, fallback)

    def ensure_coverage(self, managers, fallback):
        """Small data sets can miss a rare value by chance; make sure every
        churn reason and every renewal status appears, so each filter and
        chart of the renewals pages has something to show."""
        churned = [c for c in self.renewal_cases if c.status == "churned"]
        present = {c.churn_reason for c in churned}
        for reason in CHURN_REASONS:
            if reason in present:
                continue
            counts = {}
            for case in churned:
                counts.setdefault(case.churn_reason, []).append(case)
            largest = max(counts.values(), key=len)
            if len(largest) > 1:
                largest[-1].churn_reason = reason
                present.add(reason)
        open_cases = [c for c in self.renewal_cases
                      if c.membership.outcome is None and c.membership.factory.rep is not None
                      and not c.membership.factory.showcase]
        statuses = {c.status for c in open_cases}
        for status in ("open", "proposed", "approved", "rejected"):
            if status in statuses:
                continue
            donors = [c for c in open_cases if c.status == max(
                statuses, key=lambda s: sum(1 for c in open_cases if c.status == s))]
            if len(donors) < 2:
                continue
            case = donors[-1]
            term = case.membership
            manager = managers.get(term.factory.region.id, fallback)
            when = self.now - datetime.timedelta(hours=50)
            case.status, case.decision, case.decided_by, case.decided_at = "open", None, None, None
            case.proposed_tier = case.proposed_fee = case.proposed_by = case.proposed_at = None
            case.proposal_note = case.decision_note = ""
            case.events = []
            if status != "open":
                self._propose(case, term.factory.rep, term.tier, TIER_FEES_FEN[term.tier],
                              texts.PROPOSAL_NOTES["same"], when)
                if status != "proposed":
                    self._decide(case, manager, status, when + datetime.timedelta(hours=20))
            statuses.add(status)

    def _propose(self, case, rep, tier, fee, note, when):
        case.proposed_tier, case.proposed_fee = tier, fee
        case.proposal_note = note
        case.proposed_by = rep
        case.proposed_at = when
        case.status = "proposed"
        case.updated_at = when
        case.events.append(Obj(kind="proposed", actor=rep, at=when, tier=tier, fee=fee,
                               note=note, risk_note=case.risk_note, churn_reason=None))

    def _decide(self, case, manager, decision, when):
        case.decision = decision
        case.decision_note = self.rng.choice(texts.DECISION_NOTES[decision])
        case.decided_by = manager
        case.decided_at = when
        case.status = decision
        case.updated_at = when
        case.events.append(Obj(kind=decision, actor=manager, at=when, tier=None, fee=None,
                               note=case.decision_note, risk_note="", churn_reason=None))

    def decided_case(self, case, term, roi, rep, manager):
        rng = self.rng
        proposed_day = term.end - rng.randint(15, 50) * DAY
        proposed_at = shanghai_to_utc(proposed_day, rng.randint(9, 20), rng.randint(0, 59))
        decided_at = proposed_at + datetime.timedelta(hours=rng.randint(3, 96))
        closed_at = shanghai_to_utc(term.end + rng.randint(-10, 3) * DAY, rng.randint(9, 18),
                                    rng.randint(0, 59))
        closed_at = max(closed_at, decided_at + datetime.timedelta(hours=1))
        closed_at = min(closed_at, self.now - datetime.timedelta(hours=1))
        if term.outcome == "renewed":
            plan, tier, fee = term.next_plan
            if rep is not None and (plan != "same" or rng.random() < 0.6):
                self._propose(case, rep, tier, fee, texts.PROPOSAL_NOTES[plan], proposed_at)
                self._decide(case, manager, "approved", decided_at)
            case.status = "renewed"
        else:
            if roi < 3:
                reason = rng.choice(("low_roi", "low_roi", "fee_too_high", "traffic"))
            else:
                reason = rng.choices(("service", "competitor", "business_closed", "traffic",
                                      "fee_too_high", "other"), (3, 3, 2, 2, 1, 1))[0]
            case.churn_reason = reason
            case.risk_note = case.risk_note or catalog.CHURN_REASON_NOTES[reason]
            if rep is not None and rng.random() < 0.55:
                plan = "deep_discount" if term.tier == "super" else "same"
                fee = int(SUPER_FEE * 0.85) if term.tier == "super" else CXT_FEE
                self._propose(case, rep, term.tier, fee, texts.PROPOSAL_NOTES[plan], proposed_at)
                self._decide(case, manager, rng.choice(("approved", "approved", "rejected")),
                             decided_at)
            case.status = "churned"
        case.updated_at = closed_at
        case.events.append(Obj(kind=case.status, actor=rep or manager, at=closed_at, tier=None,
                               fee=None, note="", risk_note="",
                               churn_reason=case.churn_reason))

    def open_case(self, case, term, roi, rep, manager):
        rng = self.rng
        days_left = (term.end - self.last_day).days
        if days_left > 60:
            weights = (70, 30, 0, 0)
        elif days_left > 30:
            weights = (30, 40, 20, 10)
        else:
            weights = (15, 35, 40, 10)
        status = rng.choices(("open", "proposed", "approved", "rejected"), weights)[0]
        if term.factory.showcase:
            status = "proposed" if term.factory.showcase == "low" else "open"
        if rep is None or status == "open":
            return
        if term.tier == "cxt":
            plan = "upgrade" if roi > 60 and rng.random() < 0.3 else "same"
        elif roi < 2:
            plan = rng.choice(("deep_discount", "downgrade"))
        elif roi < 12:
            plan = rng.choice(("discount", "same"))
        else:
            plan = "same"
        if term.factory.showcase == "low":
            plan = "deep_discount"
        tier = {"upgrade": "super", "downgrade": "cxt"}.get(plan, term.tier)
        fee = {"discount": int(SUPER_FEE * 0.9), "deep_discount": int(SUPER_FEE * 0.85)}.get(
            plan, TIER_FEES_FEN[tier])
        latest = self.now - datetime.timedelta(hours=rng.randint(30, 24 * 20))
        proposed_at = min(latest, shanghai_to_utc(term.end - rng.randint(20, 75) * DAY,
                                                  rng.randint(9, 20), rng.randint(0, 59)))
        proposed_at = max(proposed_at, case.updated_at + datetime.timedelta(hours=2))
        self._propose(case, rep, tier, fee, texts.PROPOSAL_NOTES[plan], proposed_at)
        if status in ("approved", "rejected"):
            decided_at = proposed_at + datetime.timedelta(hours=rng.randint(2, 28))
            if decided_at < self.now:
                self._decide(case, manager, status, decided_at)


def build_world(scale_name, seed, today, rng):
    """Everything but sales, complaints and visits."""
    world = World(SCALES[scale_name], seed, today, rng)
    world.build_regions()
    world.build_factories()
    world.build_histories()
    high = next(f for f in world.factories if f.showcase == "high")
    low = next(f for f in world.factories if f.showcase == "low")
    world.build_staff()
    world.build_owners(high, low)
    world.build_renewal_cases()
    world.showcases = (high, low)
    for factory in world.factories:
        for stage, day in factory.stages:
            note = (texts.LOST_NOTES[factory.id % len(texts.LOST_NOTES)]
                    if stage == "lost" else "")
            world.stage_events.append(Obj(id=len(world.stage_events) + 1, factory_id=factory.id,
                                          stage=stage, entered_on=day, note=note))
    return world

"""The renewal health score (0-100) of a factory with an open term: one pure
function of named drivers with fixed weights, so a rep, a manager and a test
can all work out why a factory scores what it does.

Drivers, their weights and how each turns its value into a fraction 0..1:

=================  ======  ==================================================
driver             weight  fraction of its weight earned
=================  ======  ==================================================
membership_roi       30    log10 of the ROI's pace (ROI / share of the term
                           elapsed), clipped to 0..1: covering the fee once
                           earns 0, ten times over earns all of it
gmv_yoy_growth       20    (growth + 30 %) / 50 %, clipped: -30 % earns 0,
                           +20 % or more earns all
pickup_48h_rate      10    (rate - 70 %) / 25 %, clipped: 70 % earns 0, 95 %
                           all (the programme's benchmark 88 % earns 0.72)
complaints           15    1 - 0.2 per open complaint - 0.3 more per breached
                           one, clipped at 0
days_since_visit     10    all within 30 days, nothing from 90 days (or
                           never visited), linear between
csat                 15    (mean rating - 1) / 4
=================  ======  ==================================================

A driver without a value (no fee, no sales a year earlier, no shipments, no
rated complaint) is left out and the others' weights are scaled up to 100.
Each driver's ``points`` are its scaled weight times its fraction; the score
is their sum, rounded; its ``share`` is points / score. A driver's
``effect`` is how far it pulls the score away from the midpoint of its
weight (positive helps); the two strongest drivers are the two with the
largest absolute effect: what a list shows next to the score.
"""

import math
from dataclasses import dataclass

DRIVERS = ("membership_roi", "gmv_yoy_growth", "pickup_48h_rate", "complaints",
           "days_since_visit", "csat")
WEIGHTS = {"membership_roi": 30, "gmv_yoy_growth": 20, "pickup_48h_rate": 10,
           "complaints": 15, "days_since_visit": 10, "csat": 15}
BANDS = ("healthy", "watch", "at_risk")
HEALTHY_FROM = 70
WATCH_FROM = 40
OPEN_PENALTY = 0.2
BREACHED_PENALTY = 0.3
VISIT_FULL_DAYS = 30
VISIT_NONE_DAYS = 90


@dataclass(frozen=True)
class HealthInputs:
    """The raw values of the drivers. ``membership_roi``: GMV over the term
    so far / fee (``None``: no fee); ``term_elapsed``: share 0..1 of the
    term's days gone by; ``gmv_yoy_growth``, ``pickup_48h_rate``: fractions
    or ``None``; ``open_complaints`` / ``breached_complaints`` (breached are
    among the open); ``days_since_visit`` (``None``: never visited);
    ``csat``: mean 1-5 rating or ``None``."""

    membership_roi: object = None
    term_elapsed: float = 1.0
    gmv_yoy_growth: object = None
    pickup_48h_rate: object = None
    open_complaints: int = 0
    breached_complaints: int = 0
    days_since_visit: object = None
    csat: object = None


@dataclass(frozen=True)
class Driver:
    name: str
    value: object
    weight: float  # the driver's scaled weight: the most points it can earn
    points: float
    share: object  # points / score, None when the score is 0
    effect: float


@dataclass(frozen=True)
class Health:
    score: int
    band: str
    drivers: tuple  # Driver, in DRIVERS order, only those with a value

    @property
    def strongest(self):
        """The two drivers that move the score most (largest |effect|)."""
        return tuple(sorted(self.drivers, key=lambda d: (-abs(d.effect),
                                                         DRIVERS.index(d.name)))[:2])

    def driver(self, name):
        return next((d for d in self.drivers if d.name == name), None)


def _clip(value):
    return max(0.0, min(1.0, value))


def fraction(name, inputs):
    """The fraction 0..1 of its weight driver ``name`` earns, or ``None``
    when it has no value (see the module's table)."""
    if name == "membership_roi":
        if inputs.membership_roi is None:
            return None
        pace = float(inputs.membership_roi) / max(float(inputs.term_elapsed or 0), 1e-9)
        return 0.0 if pace <= 1 else _clip(math.log10(pace))
    if name == "gmv_yoy_growth":
        growth = inputs.gmv_yoy_growth
        return None if growth is None else _clip((float(growth) + 0.3) / 0.5)
    if name == "pickup_48h_rate":
        rate = inputs.pickup_48h_rate
        return None if rate is None else _clip((float(rate) - 0.7) / 0.25)
    if name == "complaints":
        return _clip(1 - OPEN_PENALTY * inputs.open_complaints
                     - BREACHED_PENALTY * inputs.breached_complaints)
    if name == "days_since_visit":
        days = inputs.days_since_visit
        if days is None:
            return 0.0
        return _clip((VISIT_NONE_DAYS - days) / (VISIT_NONE_DAYS - VISIT_FULL_DAYS))
    if name == "csat":
        rating = inputs.csat
        return None if rating is None else _clip((float(rating) - 1) / 4)
    raise KeyError(name)


def value_of(name, inputs):
    """The value a driver shows (complaints: ``(open, breached)``)."""
    if name == "complaints":
        return (inputs.open_complaints, inputs.breached_complaints)
    return getattr(inputs, name)


def band_of(score):
    """``healthy`` (70+), ``watch`` (40-69) or ``at_risk`` (below 40)."""
    if score >= HEALTHY_FROM:
        return "healthy"
    return "watch" if score >= WATCH_FROM else "at_risk"


def score(inputs):
    """The ``Health`` of one factory from its ``HealthInputs``."""
    fractions = {name: fraction(name, inputs) for name in DRIVERS}
    present = [name for name in DRIVERS if fractions[name] is not None]
    total_weight = sum(WEIGHTS[name] for name in present)
    scaled = {name: 100.0 * WEIGHTS[name] / total_weight for name in present}
    points = {name: scaled[name] * fractions[name] for name in present}
    total = sum(points.values())
    drivers = tuple(Driver(name=name, value=value_of(name, inputs), weight=scaled[name],
                           points=points[name],
                           share=points[name] / total if total else None,
                           effect=points[name] - scaled[name] / 2)
                    for name in present)
    rounded = int(math.floor(total + 0.5))
    return Health(score=rounded, band=band_of(rounded), drivers=drivers)


def owner_summary(inputs):
    """The owner's membership health in plain facts, no score, no staff
    words, nobody else's figures: ``[(kind, value)]`` for the page to say
    in the owner's language, e.g. ``("roi_covered", 3.2)`` -> "会员费已回本
    3.2 倍", ``("gmv_yoy", 0.12)``, ``("complaints_open", 2)``."""
    facts = []
    roi = inputs.membership_roi
    if roi is not None:
        facts.append(("roi_covered" if roi >= 1 else "roi_share", float(roi)))
    if inputs.gmv_yoy_growth is not None:
        facts.append(("gmv_yoy", float(inputs.gmv_yoy_growth)))
    if inputs.pickup_48h_rate is not None:
        facts.append(("pickup_48h", float(inputs.pickup_48h_rate)))
    facts.append(("complaints_open", inputs.open_complaints))
    if inputs.csat is not None:
        facts.append(("csat", float(inputs.csat)))
    return facts

"""Renewal case actions on one membership term (SPEC section 9):
``POST /renewals/<id>/proposal``, ``.../decision`` and ``.../outcome``.

Each form validates its fields; each ``perform`` function runs inside
``actions.submit``'s transaction, claims the case's ``version`` first
(``bump_version``), re-checks the case's rules on what it reads then, writes
one ``RenewalEvent`` (the history, never updated) and returns the audit
``Change``. Rules kept here, once:

* a proposal only on an open term whose case is not ``proposed`` or
  ``approved``; the case becomes ``proposed`` and the region's managers are
  told;
* a decision only on a ``proposed`` case, never by its proposer (the view
  answers 403), a note required to reject; the proposer is told;
* an outcome only on an open term whose case is not waiting for a decision;
  ``renewed`` closes the term and creates its successor (the approved
  proposal's tier and fee, or the same tier at its list fee), ``churned``
  needs a reason; both close the case with the factory's health then.
"""

import datetime
from decimal import Decimal, InvalidOperation

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from peewee import IntegrityError
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from actions.complaints import region_managers
from actions.core import Change, FieldError, bump_version
from actions.fields import VersionField
from actions.notifications import notify, register
from metrics.health_data import health_for_factory
from metrics.period import shanghai_today
from models import (CHURN_REASONS, TIER_FEES_FEN, TIERS, Factory, Membership, RenewalCase,
                    RenewalEvent, User, db, utcnow)

NOTE_MAX = 2000
FEE_MAX_CNY = Decimal("100000000")  # ¥1 亿: far above any real fee, below BIGINT trouble
OPEN_FOR_PROPOSAL = ("open", "rejected")
TIER_LABELS = {"cxt": _l("CXT"), "super": _l("Super factory")}
DECISION_LABELS = {"approved": _l("Approve"), "rejected": _l("Reject")}
OUTCOME_LABELS = {"renewed": _l("Renewed"), "churned": _l("Churned")}

register("renewal_proposed", _l("%(who)s proposed renewal terms for %(factory)s"))
register("renewal_decided", _l("%(who)s decided your renewal proposal for %(factory)s: "
                               "%(decision)s"), decision=DECISION_LABELS)


def _note_field(label):
    return TextAreaField(label, validators=[
        Length(max=NOTE_MAX, message=_l("At most %(max)d characters."))])


class ProposalForm(FlaskForm):
    """``tier``, ``fee_cny`` (> 0, at most 2 decimals), ``note``,
    ``risk_note`` and the case's ``version``."""

    tier = SelectField(_l("Tier"), validate_choice=False)
    fee_cny = StringField(_l("Fee (¥)"))
    note = _note_field(_l("Note"))
    risk_note = _note_field(_l("Risk note"))
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice(tier, TIER_LABELS[tier]) for tier in TIERS]

    def validate_tier(self, field):
        if field.data not in TIERS:
            raise ValidationError(_l("Choose a tier."))

    def validate_fee_cny(self, field):
        text = (field.data or "").strip().replace(",", "")
        try:
            fee = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_l("Enter the fee in yuan, e.g. 98000 or 98000.50.")) from None
        if not fee.is_finite() or fee <= 0 or fee >= FEE_MAX_CNY:
            raise ValidationError(_l("The fee must be more than ¥0."))
        if fee != fee.quantize(Decimal("0.01")):
            raise ValidationError(_l("At most 2 decimals (fen)."))
        self.fee_fen = int(fee * 100)

    def validate_note(self, field):
        field.data = (field.data or "").strip()

    def validate_risk_note(self, field):
        field.data = (field.data or "").strip()


class DecisionForm(FlaskForm):
    """``decision`` (approved / rejected), ``note`` (required to reject) and
    the case's ``version``."""

    decision = RadioField(_l("Decision"), validate_choice=False,
                          choices=[SelectChoice(code, label)
                                   for code, label in DECISION_LABELS.items()])
    note = _note_field(_l("Note"))
    version = VersionField()

    def validate_decision(self, field):
        if field.data not in DECISION_LABELS:
            raise ValidationError(_l("Choose approve or reject."))

    def validate_note(self, field):
        field.data = (field.data or "").strip()
        if self.decision.data == "rejected" and not field.data:
            raise ValidationError(_l("Say why the proposal is rejected."))


class OutcomeForm(FlaskForm):
    """``outcome`` (renewed / churned), ``churn_reason`` (required when
    churned) and the case's ``version``."""

    outcome = RadioField(_l("Outcome"), validate_choice=False,
                         choices=[SelectChoice(code, label)
                                  for code, label in OUTCOME_LABELS.items()])
    churn_reason = SelectField(_l("Why did the factory leave?"), validate_choice=False)
    version = VersionField()

    def __init__(self, reason_labels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.churn_reason.choices = [SelectChoice("", "—")] + [
            SelectChoice(code, reason_labels[code]) for code in CHURN_REASONS]

    def validate_outcome(self, field):
        if field.data not in OUTCOME_LABELS:
            raise ValidationError(_l("Choose renewed or churned."))

    def validate_churn_reason(self, field):
        if self.outcome.data != "churned":
            field.data = None
        elif field.data not in CHURN_REASONS:
            raise ValidationError(_l("Choose why the factory left."))


# --- reading ------------------------------------------------------------------------

def case_of(term):
    """The renewal case of ``term``, or an unsaved one (status ``open``,
    version 0) when no work has started on it."""
    return (RenewalCase.get_or_none(RenewalCase.membership == term.id)
            or RenewalCase(membership=term.id, status="open", version=0))


def list_fee_fen(tier):
    return TIER_FEES_FEN[tier]


def discount(tier, fee_fen):
    """The share below ``tier``'s list fee (negative: above it), or None."""
    if tier not in TIER_FEES_FEN or fee_fen is None:
        return None
    return (Decimal(TIER_FEES_FEN[tier]) - Decimal(fee_fen)) / Decimal(TIER_FEES_FEN[tier])


def next_term_dates(end):
    """The successor of a term ending ``end``: from the day after to the day
    before the same date a year later (29 February: to 28 February)."""
    start = end + datetime.timedelta(days=1)
    try:
        year_later = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        year_later = datetime.date(start.year + 1, 3, 1)
    return start, year_later - datetime.timedelta(days=1)


# --- writing ------------------------------------------------------------------------

def _claim(term, version):
    """The case of ``term`` claimed for this write (created when missing),
    read again inside the transaction; ``Stale`` when someone else won."""
    if not RenewalCase.select().where(RenewalCase.membership == term.id).exists():
        try:
            with db.atomic():  # a savepoint: someone else may create it meanwhile
                RenewalCase.create(membership=term.id, status="open", version=0)
        except IntegrityError:
            pass
    case = RenewalCase.get(RenewalCase.membership == term.id)
    bump_version(RenewalCase, case.id, version)
    return RenewalCase.get_by_id(case.id)


def _term_state(term):
    return {"tier": term.tier, "fee_fen": term.fee_fen, "start": term.start, "end": term.end,
            "outcome": term.outcome}


def _case_state(case):
    return {"status": case.status, "proposed_tier": case.proposed_tier,
            "proposed_fee_fen": case.proposed_fee_fen, "proposal_note": case.proposal_note,
            "risk_note": case.risk_note, "proposed_by": case.proposed_by_id,
            "decision": case.decision, "decision_note": case.decision_note,
            "decided_by": case.decided_by_id, "churn_reason": case.churn_reason,
            "health_score": case.health_score, "health_band": case.health_band}


def _event(case, kind, user, now, **fields):
    RenewalEvent.create(case=case.id, kind=kind, actor=user.id, actor_name=user.display_name,
                        at=now, **fields)


def _link(term):
    return url_for("renewals.case", term_id=term.id)


def _open_term(term, field):
    """The term read again; a closed one refuses the write on ``field``."""
    fresh = Membership.get_by_id(term.id)
    if fresh.outcome is not None:
        raise FieldError(field, _l("This term is already closed."))
    return fresh


def propose(term, form, user):
    """The proposal of ``form`` on ``term``'s case (it becomes proposed)."""
    case = _claim(term, form.version.data)
    term = _open_term(term, "tier")
    if case.status not in OPEN_FOR_PROPOSAL:
        raise FieldError("tier", _l("A proposal is already waiting or approved."))
    before = _case_state(case)
    now = utcnow()
    fee_fen = form.fee_fen
    RenewalCase.update(status="proposed", proposed_tier=form.tier.data, proposed_fee_fen=fee_fen,
                       proposal_note=form.note.data, risk_note=form.risk_note.data,
                       proposed_by=user.id, proposed_at=now, decision=None, decision_note="",
                       decided_by=None, decided_at=None, updated_at=now
                       ).where(RenewalCase.id == case.id).execute()
    _event(case, "proposed", user, now, tier=form.tier.data, fee_fen=fee_fen,
           note=form.note.data, risk_note=form.risk_note.data)
    factory = Factory.get_by_id(term.factory_id)
    for manager in region_managers(factory):
        notify(manager, "renewal_proposed", _link(term), actor=user, who=user.display_name,
               factory=factory.name)
    return Change("renewal.proposed", "membership", term.id, before,
                  _case_state(RenewalCase.get_by_id(case.id)))


def decide(term, form, user):
    """Approve or reject the waiting proposal of ``term``'s case."""
    case = _claim(term, form.version.data)
    if case.status != "proposed":
        raise FieldError("decision", _l("There is no proposal waiting for a decision."))
    if case.proposed_by_id == user.id:
        raise FieldError("decision", _l("You cannot decide your own proposal."))
    before = _case_state(case)
    now = utcnow()
    decision = form.decision.data
    RenewalCase.update(status=decision, decision=decision, decision_note=form.note.data,
                       decided_by=user.id, decided_at=now, updated_at=now
                       ).where(RenewalCase.id == case.id).execute()
    _event(case, decision, user, now, tier=case.proposed_tier, fee_fen=case.proposed_fee_fen,
           note=form.note.data)
    factory = Factory.get_by_id(term.factory_id)
    proposer = User.get_or_none(User.id == case.proposed_by_id) if case.proposed_by_id else None
    notify(proposer, "renewal_decided", _link(term), actor=user, who=user.display_name,
           factory=factory.name, decision=decision)
    return Change(f"renewal.{decision}", "membership", term.id, before,
                  _case_state(RenewalCase.get_by_id(case.id)))


def close(term, form, user):
    """Record ``term``'s outcome: renewed (with its successor) or churned."""
    case = _claim(term, form.version.data)
    term = _open_term(term, "outcome")
    if case.status == "proposed":
        raise FieldError("outcome", _l("A proposal is waiting for a decision: decide it first."))
    outcome = form.outcome.data
    before = {"term": _term_state(term), "case": _case_state(case)}
    found = health_for_factory(term.factory_id, shanghai_today())
    health = found[2] if found and found[0].id == term.id else None
    now = utcnow()
    Membership.update(outcome=outcome).where(Membership.id == term.id).execute()
    RenewalCase.update(status=outcome, churn_reason=form.churn_reason.data, updated_at=now,
                       health_score=health.score if health else None,
                       health_band=health.band if health else None
                       ).where(RenewalCase.id == case.id).execute()
    after = {"term": _term_state(Membership.get_by_id(term.id))}
    if outcome == "renewed":
        approved = case.status == "approved"
        tier = case.proposed_tier if approved else term.tier
        fee_fen = case.proposed_fee_fen if approved else TIER_FEES_FEN[term.tier]
        start, end = next_term_dates(term.end)
        try:
            with db.atomic():
                successor = Membership.create(factory=term.factory_id, tier=tier, fee_fen=fee_fen,
                                              start=start, end=end)
        except IntegrityError:
            raise FieldError("outcome", _l("The factory already has a term from %(day)s.",
                                           day=start.isoformat())) from None
        after["successor"] = dict(_term_state(successor), id=successor.id)
    _event(case, outcome, user, now, churn_reason=form.churn_reason.data,
           health_score=health.score if health else None,
           tier=after.get("successor", {}).get("tier"),
           fee_fen=after.get("successor", {}).get("fee_fen"))
    after["case"] = _case_state(RenewalCase.get_by_id(case.id))
    return Change(f"renewal.{outcome}", "membership", term.id, before, after)


__all__ = ["DecisionForm", "OutcomeForm", "ProposalForm", "case_of", "close", "decide",
           "discount", "list_fee_fen", "next_term_dates", "propose"]

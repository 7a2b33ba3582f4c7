"""The schema's constraints hold on both SQLite and PostgreSQL."""

import datetime

import pytest
from peewee import IntegrityError

from models import (Complaint, Membership, SalesDaily, StageEvent, User, db, fen_to_cny)
from tests.builders import (make_complaint, make_factory, make_membership, make_region,
                            make_sales, make_user)

DAY = datetime.date(2026, 3, 1)


def _violates(action):
    """True when ``action`` is refused by the database (and rolled back)."""
    try:
        with db.atomic():
            action()
    except IntegrityError:
        return True
    return False


def test_money_is_exact_integer_fen(app):
    factory = make_factory()
    term = make_membership(factory, DAY, fee_fen=10_680_001)
    assert Membership.get_by_id(term.id).fee_fen == 10_680_001
    assert str(fen_to_cny(10_680_001)) == "106800.01"
    assert fen_to_cny(None) is None


@pytest.mark.parametrize("field, value", [
    ("gmv_fen", -1), ("orders", -1), ("new_buyers", -1), ("repeat_orders", -1),
    ("dropship_orders", -1), ("shipments", -1), ("shipments_picked_48h", -1),
])
def test_sales_counts_cannot_be_negative(app, field, value):
    factory = make_factory()
    assert _violates(lambda: make_sales(factory, DAY, **{field: value}))


def test_pickups_cannot_exceed_shipments(app):
    factory = make_factory()
    assert _violates(lambda: make_sales(factory, DAY, shipments=3, shipments_picked_48h=4))
    make_sales(factory, DAY, shipments=4, shipments_picked_48h=4)
    assert SalesDaily.select().count() == 1


def test_one_sales_row_per_factory_and_day(app):
    factory = make_factory()
    make_sales(factory, DAY, orders=1)
    assert _violates(lambda: make_sales(factory, DAY, orders=2))


def test_term_must_end_after_it_starts(app):
    factory = make_factory()
    assert _violates(lambda: make_membership(factory, DAY, end=DAY))


@pytest.mark.parametrize("field, value", [
    ("tier", "gold"), ("outcome", "maybe"),
])
def test_term_enumerations_are_checked(app, field, value):
    factory = make_factory()

    def create():
        values = dict(factory=factory, tier="super", fee_fen=1, start=DAY,
                      end=DAY + datetime.timedelta(days=364), outcome=None)
        values[field] = value
        Membership.create(**values)

    assert _violates(create)


def test_one_term_per_factory_and_start(app):
    factory = make_factory()
    make_membership(factory, DAY)
    assert _violates(lambda: make_membership(factory, DAY, tier="cxt"))


def test_stage_once_per_factory_and_only_known_stages(app):
    factory = make_factory()
    StageEvent.create(factory=factory, stage="lead", entered_on=DAY)
    assert _violates(lambda: StageEvent.create(factory=factory, stage="lead", entered_on=DAY))
    assert _violates(lambda: StageEvent.create(factory=factory, stage="dreaming", entered_on=DAY))


@pytest.mark.parametrize("field, value", [
    ("severity", "urgent"), ("category", "weather"), ("channel", "fax"), ("satisfaction", 6),
    ("satisfaction", 0),
])
def test_complaint_enumerations_and_rating_are_checked(app, field, value):
    factory = make_factory()
    created = datetime.datetime(2026, 3, 1, 1, 0)
    assert _violates(lambda: make_complaint(factory, created, **{field: value}))


def test_complaint_status_follows_timestamps(app):
    factory = make_factory()
    created = datetime.datetime(2026, 3, 1, 1, 0)
    fresh = make_complaint(factory, created)
    answered = make_complaint(factory, created, first_response_at=created)
    done = make_complaint(factory, created, first_response_at=created, resolved_at=created)
    assert [Complaint.get_by_id(c.id).status for c in (fresh, answered, done)] == [
        "open", "in_progress", "resolved"]


def test_usernames_are_unique_and_roles_known(app):
    make_user(username="li.lei")
    assert _violates(lambda: make_user(username="li.lei"))
    assert _violates(lambda: make_user(role="superuser"))


def test_passwords_are_stored_as_scrypt_hashes(app):
    user = make_user(password="s3cret-password")
    stored = User.get_by_id(user.id)
    assert stored.password_hash.startswith("scrypt:")
    assert "s3cret-password" not in stored.password_hash
    assert stored.check_password("s3cret-password")
    assert not stored.check_password("wrong")


def test_user_without_password_cannot_log_in(app):
    user = make_user(password=None)
    assert not user.check_password("")


def test_factory_region_cannot_be_deleted_while_used(app):
    region = make_region()
    make_factory(region=region)
    assert _violates(lambda: region.delete_instance())

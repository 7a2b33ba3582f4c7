"""Stand-ins for the accounts branch's ``users`` and ``client_as`` fixtures,
until it lands on main (then this file goes)."""

from types import SimpleNamespace

import pytest
from flask import g, session

from models import User
from tests.builders import make_factory, make_region, make_user


@pytest.fixture
def users(app):
    region, other_region = make_region(code="GZ-WOMEN"), make_region(code="ST-UNDER")
    rep = make_user("rep", username="rep", regions=[region], password=None)
    other_rep = make_user("rep", username="other_rep", regions=[other_region], password=None)
    factory = make_factory(region=region, rep=rep, code="F-OWN")
    other_factory = make_factory(region=other_region, rep=other_rep, code="F-OTHER")
    team = SimpleNamespace(
        region=region, other_region=other_region, factory=factory, other_factory=other_factory,
        rep=rep, other_rep=other_rep,
        manager=make_user("manager", username="manager", regions=[region], password=None),
        admin=make_user("admin", username="admin", password=None),
        owner=make_user("owner", username="owner", factory=factory, password=None),
        other_owner=make_user("owner", username="other_owner", factory=other_factory,
                              password=None))

    @app.before_request
    def _sign_in():
        user_id = session.get("interim_user")
        g.user = User.get_by_id(user_id) if user_id else None

    return team


@pytest.fixture
def client_as(app, users):
    def make(role):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["interim_user"] = getattr(users, role).id
        return client

    return make

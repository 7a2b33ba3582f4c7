"""The command line of SPEC section 8 that the foundation provides."""

import database
from models import User
from tests.builders import make_user


def test_init_db_is_safe_to_run_twice(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "up to date" in second.output
    assert database.migrate_schema() == []


def test_set_password_reads_standard_input(runner):
    make_user(username="wang.fang", password=None)
    result = runner.invoke(args=["set-password", "wang.fang"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert User.get(User.username == "wang.fang").check_password("a-long-password")


def test_set_password_refuses_short_passwords(runner):
    make_user(username="wang.fang", password=None)
    result = runner.invoke(args=["set-password", "wang.fang"], input="short\n")
    assert result.exit_code != 0
    assert "at least 8" in result.output
    assert User.get(User.username == "wang.fang").password_hash is None


def test_set_password_names_an_unknown_user(runner):
    result = runner.invoke(args=["set-password", "nobody"], input="a-long-password\n")
    assert result.exit_code != 0
    assert "nobody" in result.output

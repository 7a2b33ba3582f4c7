"""Each role's home: real numbers from the database, through the scope rule."""

import datetime

from tests.builders import make_factory, make_membership, make_stage
from tests.helpers import page_soup, tiles_of


def _tiles(response):
    return tiles_of(page_soup(response))


def test_region_overview_counts_live_and_super_factories(client_as, users):
    day = datetime.date(2026, 1, 1)
    make_stage(users.factory, "lead", day)
    make_stage(users.factory, "live", day + datetime.timedelta(days=30))
    make_membership(users.factory, day, tier="super")
    went_live_then_lost = make_factory(region=users.region, rep=users.rep)
    make_stage(went_live_then_lost, "live", day)
    make_stage(went_live_then_lost, "lost", day + datetime.timedelta(days=60))
    lost_same_day = make_factory(region=users.region)
    make_stage(lost_same_day, "live", day)
    make_stage(lost_same_day, "lost", day)
    churned = make_factory(region=users.region)
    make_membership(churned, day.replace(year=2025), tier="super", outcome="churned")
    assert _tiles(client_as("manager").get("/regions")) == {
        "regions": "1", "factories": "4", "live_factories": "1", "super_members": "1"}
    # the admin sees the other region too, with its factory
    assert _tiles(client_as("admin").get("/regions"))["factories"] == "5"


def test_manager_without_regions_sees_all(client_as, users):
    from models import UserRegion

    UserRegion.delete().where(UserRegion.user == users.manager.id).execute()
    assert _tiles(client_as("manager").get("/regions"))["regions"] == "2"


def test_owner_without_a_factory_gets_a_clear_message(client_as, users):
    from models import User

    User.update(factory=None).where(User.id == users.owner.id).execute()
    response = client_as("owner").get("/my-factory")
    assert response.status_code == 200
    assert "尚未关联工厂" in response.get_data(as_text=True)


def test_region_rows_link_to_the_regions_filtered_sales(client_as, users):
    client = client_as("manager")
    soup = page_soup(client.get("/regions"))
    link = soup.select_one("table.regions-table tbody th a")["href"]
    assert link == f"/sales/?region={users.region.code}"
    assert client.get(link).status_code == 200

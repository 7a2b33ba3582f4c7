"""The admin's data page and the export downloads, over real HTTP."""

import csv
import datetime
import io
import json
import re

import pytest
from bs4 import BeautifulSoup

from exchange import jobs
from models import AuditLog, Factory, ImportJob, Region, SalesDaily
from tests.builders import make_sales
from tests.helpers import CSRF_INPUT
from tests.exchange_files import FULL_LOAD, load_everything, write_csv

CSRF = CSRF_INPUT


def upload(client, kind, path, name=None):
    page = client.get("/admin/data")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    with open(path, "rb") as handle:
        return client.post("/admin/data/imports", data={
            "csrf_token": token, "kind": kind, "file": (handle, name or path.name)},
            content_type="multipart/form-data")


def job_id_of(response):
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def finished(client, job_id):
    jobs.wait(job_id)
    return client.get(f"/admin/data/imports/{job_id}")


def post(client, url, page_url):
    token = CSRF.search(client.get(page_url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token})


def counts(page):
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    return {dd["data-count"]: dd.get_text(strip=True) for dd in soup.select("[data-count]")}


def test_upload_preview_then_commit(client_as, tmp_path):
    admin = client_as("admin")
    before = Region.select().count()
    rows = [["N1", "南通家纺", "Nantong home textiles", "江苏", "南通", "家纺", "Home textiles"],
            ["N2", "佛山瓷砖", "Foshan tiles", "广东", "佛山", "瓷砖", "Tiles"]]
    path = write_csv(tmp_path / "regions.csv", "regions", rows)
    response = upload(admin, "regions", path)
    assert response.status_code == 303
    job_id = job_id_of(response)
    page = finished(admin, job_id)
    assert page.status_code == 200
    assert counts(page)["inserted"] == "2"
    assert Region.select().count() == before  # a preview writes nothing
    assert "hx-trigger" not in page.get_data(as_text=True)
    response = post(admin, f"/admin/data/imports/{job_id}/commit", f"/admin/data/imports/{job_id}")
    assert response.status_code == 303
    page = finished(admin, job_id)
    assert counts(page)["inserted"] == "2"
    assert Region.select().count() == before + 2
    job = ImportJob.get_by_id(job_id)
    assert job.state == "imported" and job.payload is None
    entry = AuditLog.get(AuditLog.action == "import")
    assert json.loads(entry.after)["file"] == "regions.csv" and entry.user_id is not None
    # a second commit of the same job does nothing
    post(admin, f"/admin/data/imports/{job_id}/commit", f"/admin/data/imports/{job_id}")
    assert ImportJob.get_by_id(job_id).state == "imported"


def test_a_bad_file_lists_every_bad_row_and_cannot_be_committed(client_as, tmp_path):
    admin = client_as("admin")
    path = write_csv(tmp_path / "r.csv", "regions", [
        ["A", "", "A", "", "", "", ""], ["B", "乙", "B", "", "", "", ""],
        ["C", "<b>丙</b>", "", "", "", "", ""]])
    job_id = job_id_of(upload(admin, "regions", path))
    page = finished(admin, job_id)
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    rows = [[td.get_text(strip=True) for td in tr.select("td")]
            for tr in soup.select("table.problems tbody tr")]
    assert rows == [["2", "name_zh", "必填"], ["4", "name_en", "必填"]]
    assert ImportJob.get_by_id(job_id).state == "rejected"
    post(admin, f"/admin/data/imports/{job_id}/commit", f"/admin/data/imports/{job_id}")
    assert not Region.select().where(Region.code.in_(["A", "B", "C"])).exists()


def test_the_progress_panel_polls_while_the_job_runs(client_as, users):
    admin = client_as("admin")
    job = ImportJob.create(kind="sales", filename="big.csv", state="checking", progress=420,
                           rows=12345, uploaded_by=users.admin)
    page = admin.get(f"/admin/data/imports/{job.id}", headers={"HX-Request": "true"})
    html = page.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="job-panel"')
    assert 'hx-trigger="every 1s"' in html and "<html" not in html
    assert 'value="420"' in html and "12,345" in html


def test_file_names_and_text_are_escaped(client_as, tmp_path):
    admin = client_as("admin")
    path = write_csv(tmp_path / "x.csv", "regions", [["<i>X</i>", "<script>", "x", "", "", "", ""]])
    job_id = job_id_of(upload(admin, "regions", path, name="<img src=x onerror=alert(1)>.csv"))
    html = finished(admin, job_id).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


@pytest.mark.parametrize("form,field", [({"kind": "nonsense"}, "kind"), ({"kind": "sales"}, "file")])
def test_upload_form_errors_are_shown_next_to_the_field(client_as, form, field):
    admin = client_as("admin")
    token = CSRF.search(admin.get("/admin/data").get_data(as_text=True)).group(1)
    response = admin.post("/admin/data/imports", data=dict(form, csrf_token=token))
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.select_one(f"#{field}-error")


def test_upload_needs_a_csrf_token(client_as, tmp_path):
    admin = client_as("admin")
    path = write_csv(tmp_path / "r.csv", "regions", FULL_LOAD[0][1])
    with open(path, "rb") as handle:
        response = admin.post("/admin/data/imports", data={"kind": "regions",
                                                           "file": (handle, "r.csv")})
    assert response.status_code == 400
    assert ImportJob.select().count() == 0


@pytest.mark.parametrize("role", ["rep", "owner", "manager"])
def test_only_admins_may_import(client_as, role):
    assert client_as(role).get("/admin/data").status_code == 403


def test_export_csv_download(client_as, runner, tmp_path):
    load_everything(runner, tmp_path)
    admin = client_as("admin")
    response = admin.get("/export/sales.csv")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="sales-\d{8}-\d{4}\.csv"', disposition)
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "factory_code" and len(rows) == 1 + SalesDaily.select().count()


def test_export_xlsx_download(client_as, runner, tmp_path):
    from openpyxl import load_workbook

    load_everything(runner, tmp_path)
    response = client_as("admin").get("/export/factories.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet["A1"].value == "code"
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == \
        [factory.code for factory in Factory.select().order_by(Factory.id)]


def test_an_owners_export_holds_only_their_factory(client_as, users):
    make_sales(users.factory, datetime.date(2025, 3, 1), gmv_fen=100, orders=1)
    make_sales(users.other_factory, datetime.date(2025, 3, 1), gmv_fen=999, orders=9)
    owner = client_as("owner")
    for kind in ("sales", "factories"):
        data = owner.get(f"/export/{kind}.csv").get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(data)))[1:]
        assert [row[0] for row in rows] == [users.factory.code], kind
        assert users.other_factory.code not in data


def test_unknown_export_kind_is_404(client_as):
    assert client_as("admin").get("/export/secrets.csv").status_code == 404


def test_unconfirmed_uploads_are_forgotten_after_two_days(app):
    from models import utcnow

    old = ImportJob.create(kind="regions", filename="old.csv", state="checked", payload=b"x",
                           created_at=utcnow() - datetime.timedelta(days=3))
    new = ImportJob.create(kind="regions", filename="new.csv", state="checked", payload=b"y")
    assert jobs.forget_old_uploads() == 1
    assert ImportJob.get_by_id(old.id).payload is None
    assert ImportJob.get_by_id(old.id).state == "cancelled"
    assert bytes(ImportJob.get_by_id(new.id).payload) == b"y"

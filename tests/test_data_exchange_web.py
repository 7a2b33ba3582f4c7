"""The admin's data page and the export downloads, over real HTTP."""

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from bs4 import BeautifulSoup

from exchange import jobs
from exchange.kinds import KINDS
from models import (AuditLog, ComplaintEvent, Factory, ImportJob, Region, RenewalCase,
                    SalesDaily)
from tests.builders import make_complaint, make_membership, make_sales, make_user, make_visit
from tests.exchange_files import FULL_LOAD, load_everything, write_csv

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


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
    assert not polling(page)
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


STAFF_ONLY = "仅内部可见-STAFF-ONLY"


def _export_text(client, kind, fmt):
    """The text of one export download, CSV or every part of the XLSX."""
    data = client.get(f"/export/{kind}.{fmt}").get_data()
    if fmt == "csv":
        return data.decode("utf-8-sig")
    book = zipfile.ZipFile(io.BytesIO(data))
    return "".join(book.read(name).decode("utf-8") for name in book.namelist())


def test_an_owners_exports_hold_no_staff_only_text_and_no_other_users(client_as, users):
    day = datetime.datetime(2025, 3, 3, 2, 0)
    make_visit(users.factory, users.rep, day, notes=f"{STAFF_ONLY} visit note")
    complaint = make_complaint(users.factory, day, body="运费太高")
    ComplaintEvent.create(complaint=complaint, author=users.rep, body=f"{STAFF_ONLY} internal",
                          internal=True)
    term = make_membership(users.factory, datetime.date(2025, 1, 1))
    RenewalCase.create(membership=term, risk_note=f"{STAFF_ONLY} risk",
                       proposal_note=f"{STAFF_ONLY} proposal")
    make_user("owner", username="co_owner", factory=users.factory, email="co@example.com")
    users.rep.email, users.rep.phone = "rep@example.com", "020-1234 5678"
    users.rep.save()
    owner = client_as("owner")
    for kind in KINDS:
        for fmt in ("csv", "xlsx"):
            text = _export_text(owner, kind, fmt)
            assert STAFF_ONLY not in text, (kind, fmt)
            assert "co_owner" not in text and "other_owner" not in text, (kind, fmt)
    rows = list(csv.DictReader(io.StringIO(_export_text(owner, "users", "csv"))))
    assert sorted(row["username"] for row in rows) == ["owner", "rep"]
    rep = next(row for row in rows if row["username"] == "rep")
    assert (rep["email"], rep["phone"], rep["regions"]) == ("rep@example.com", "020-1234 5678", "")
    visits = list(csv.DictReader(io.StringIO(_export_text(owner, "visits", "csv"))))
    assert [(row["factory_code"], row["notes"]) for row in visits] == [("F-OWN", "")]
    # Staff still get the notes and every user of the factories they see.
    assert STAFF_ONLY in _export_text(client_as("rep"), "visits", "csv")
    assert "co_owner" in _export_text(client_as("rep"), "users", "csv")


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


@pytest.mark.parametrize("role, path", [("admin", "/admin/data"), ("manager", "/sales/")])
def test_export_links_say_that_xlsx_keeps_codes_exactly(client_as, role, path):
    soup = BeautifulSoup(client_as(role).get(path).get_data(as_text=True), "html.parser")
    note = soup.select_one(".export-note").get_text(strip=True)
    assert "XLSX" in note and "00123" in note and "编码" in note
    formats = {link.get_text(strip=True) for link in soup.select("a[download]")}
    assert formats == {"CSV", "XLSX"}


def polling(page):
    """The elements of ``page`` that poll, but for the header's bell (which
    always does)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    return [tag for tag in soup.select("[hx-trigger]") if tag.get("id") != "bell"]

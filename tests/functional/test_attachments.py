"""Issue 14, acceptance 3: attachments — EXIF and GPS stripped, size and type limits from
configuration, only for those who may see the order (and the caller's side of a confidential
order only for the hotline), in a folder and in S3-compatible storage (a local moto server)."""
from __future__ import annotations

import io
import os
import random
import re

import pytest
from PIL import Image

from tests.conftest import TEST_SECRET, _make_app
from tests.functional.test_open311_api import file_one

GPS_IFD = 0x8825


def jpeg_with_gps(target_bytes: int = 1024 * 1024) -> bytes:
    """A photo of about `target_bytes` (noise compresses badly) carrying camera and GPS EXIF."""
    rng = random.Random(14)
    side = 600
    while True:
        image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=95, exif=exif)
        if out.tell() >= target_bytes * 0.9:
            return out.getvalue()
        side += 100


def upload(api, number: str, data: bytes, filename: str = "photo.jpg", **form):
    return api.client.post(f"/api/v1/orders/{number}/attachments", headers=api._headers(),
                           data={"file": (io.BytesIO(data), filename), **form},
                           content_type="multipart/form-data")


def fetch(api, path: str):
    return api.client.get(path, headers=api._headers())


def dispatched(desk, **fields) -> str:
    number = desk["agent"].create(**fields)["number"]
    assert desk["agent"].act(number, "dispatch", {"department": "housing"}).status_code == 200
    return number


@pytest.fixture(scope="module")
def photo() -> bytes:
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture really has GPS
    return data


def test_a_photo_with_gps_uploads_and_comes_back_without_exif(desk, photo):
    number = dispatched(desk)
    assert len(photo) >= 900 * 1024
    r = upload(desk["agent"], number, photo)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["content_type"], body["source"], body["kind"]) == ("image/jpeg", "order", "file")

    back = fetch(desk["housing"], body["download"])
    assert back.status_code == 200 and back.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(back.data))
    assert image.size == Image.open(io.BytesIO(photo)).size
    assert len(image.getexif()) == 0 and b"Exif" not in back.data[:4096]
    thumb = Image.open(io.BytesIO(fetch(desk["housing"], body["thumbnail"]).data))
    assert max(thumb.size) <= 320

    listed = fetch(desk["housing"], f"/api/v1/orders/{number}/attachments").get_json()
    assert [a["id"] for a in listed["attachments"]] == [body["id"]] and listed["withheld"] == 0


def test_a_file_over_the_limit_is_413_and_a_disguised_executable_422(desk):
    number = dispatched(desk)
    r = upload(desk["agent"], number, b"\xff\xd8" + os.urandom(30 * 1024 * 1024))
    assert r.status_code == 413 and "at most" in r.get_json()["error"]
    elf = b"\x7fELF\x02\x01\x01" + bytes(9) + os.urandom(4096)
    r = upload(desk["agent"], number, elf, filename="holiday.jpg")
    assert r.status_code == 422 and "not accepted" in r.get_json()["error"]
    r = desk["agent"].client.post(f"/api/v1/orders/{number}/attachments", headers=desk["agent"]._headers(),
                                  data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "'file'" in r.get_json()["error"]
    assert fetch(desk["agent"], f"/api/v1/orders/{number}/attachments").get_json()["attachments"] == []


def test_a_department_not_on_the_order_may_neither_upload_nor_see(desk, photo):
    number = dispatched(desk)
    r = upload(desk["urban"], number, photo)
    assert r.status_code == 403
    own = upload(desk["agent"], number, photo).get_json()
    assert fetch(desk["urban"], f"/api/v1/orders/{number}/attachments").status_code == 403
    assert fetch(desk["urban"], own["download"]).status_code == 403
    assert upload(desk["agent"], "20990101-99999", photo).status_code == 404


def test_a_confidential_orders_citizen_photos_are_for_the_hotline_only(desk, photo):
    number = dispatched(desk, confidential=True)
    citizen_side = upload(desk["agent"], number, photo).get_json()
    desk["housing"].act(number, "sign")
    reply_photo = upload(desk["housing"], number, photo)
    assert reply_photo.status_code == 201 and reply_photo.get_json()["source"] == "reply"

    seen = fetch(desk["housing"], f"/api/v1/orders/{number}/attachments").get_json()
    assert [a["source"] for a in seen["attachments"]] == ["reply"] and seen["withheld"] == 1
    assert fetch(desk["housing"], citizen_side["download"]).status_code == 403
    hotline = fetch(desk["supervisor"], f"/api/v1/orders/{number}/attachments").get_json()
    assert len(hotline["attachments"]) == 2 and hotline["withheld"] == 0
    # Both uploads are events; only the department's own file is named in the history it reads.
    events = [e for e in fetch(desk["housing"], f"/api/v1/orders/{number}").get_json()["events"]
              if e["action"] == "attach"]
    assert [e["inputs"] for e in events] == [{"source": "order"}, {"source": "reply", "file": "photo.jpg"}]


def test_the_order_page_lists_and_uploads(app, desk, make_user, photo):
    from tests.web_support import WebSession

    number = dispatched(desk)
    user, _ = make_user("department", "housing")
    web = WebSession(app, user.username)
    r = web.post(f"/orders/{number}/attachments", {"file": (io.BytesIO(photo), "现场.jpg")},
                 content_type="multipart/form-data")
    assert r.status_code == 302
    page = web.page(f"/orders/{number}")
    assert 'class="thumbnail"' in page and 'data-source="reply"' in page
    # The upload is in the order's history: who, what, from where.
    [added] = re.findall(r'<li class="event" data-action="attach">(.*?)</li>', page, flags=re.S)
    assert "上传附件" in added and "现场.jpg" in added and "承办单位回复" in added
    r = web.post(f"/orders/{number}/attachments", {"file": (io.BytesIO(b"MZ" + bytes(200)), "a.jpg")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "action-error" in r.get_data(as_text=True)
    assert web.page(f"/orders/{number}").count('data-action="attach"') == 1  # the refused one wrote nothing
    other = WebSession(app, make_user("department", "urban")[0].username)
    assert other.client.get(f"/orders/{number}/attachments/1").status_code in (403, 404)


def test_an_open311_media_url_is_kept_as_a_link_never_fetched(client, desk, runner):
    result = runner.invoke(args=["open311", "key", "create", "--name", "城市随手拍"])
    key = result.output.strip().splitlines()[-1]
    token = file_one(client, key, media_url="https://photos.example.cn/p/123.jpg")["token"]
    number = client.get(f"/open311/v2/tokens/{token}.json").get_json()[0]["service_request_id"]
    listed = fetch(desk["agent"], f"/api/v1/orders/{number}/attachments").get_json()["attachments"]
    assert [(a["kind"], a["source"], a["url"]) for a in listed] == [
        ("link", "open311", "https://photos.example.cn/p/123.jpg")]


# --- S3-compatible storage: a local moto server ---------------------------------------------------

@pytest.fixture
def s3(monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    url = f"http://{host}:{port}"
    import boto3

    boto3.client("s3", endpoint_url=url, region_name="us-east-1").create_bucket(Bucket="hotline-attachments")
    yield url
    server.stop()


@pytest.fixture
def app(request, connection, clock, tmp_path, monkeypatch):
    """The suite's app; with the `s3` fixture in use, storing attachments in the moto server."""
    monkeypatch.setenv("HOTLINE_INSTANCE", str(tmp_path))
    from hotline.db import database

    overrides = {}
    if "s3" in request.fixturenames:
        overrides = {"ATTACHMENTS_STORAGE": "s3", "S3_BUCKET": "hotline-attachments",
                     "S3_ENDPOINT_URL": request.getfixturevalue("s3")}
    app = _make_app(connection.engine.url.render_as_string(hide_password=False), tmp_path, clock)
    if overrides:
        from hotline import create_app

        app = create_app({**app.config, **overrides, "SECRET_KEY": TEST_SECRET})
    database(app).dispose()
    database(app).bind_for_tests(connection)
    return app


def test_attachments_go_to_s3_compatible_storage_when_configured(s3, desk, photo):
    import boto3

    number = dispatched(desk)
    body = upload(desk["agent"], number, photo).get_json()
    objects = boto3.client("s3", endpoint_url=s3, region_name="us-east-1").list_objects_v2(
        Bucket="hotline-attachments")["Contents"]
    assert sorted(o["Key"].rsplit(".", 1)[-1] for o in objects) == ["jpg", "jpg"]  # the photo and its thumbnail
    assert all(o["Key"].startswith(f"{number}/") for o in objects)
    back = fetch(desk["housing"], body["download"])
    assert back.status_code == 200 and len(Image.open(io.BytesIO(back.data)).getexif()) == 0


def test_a_portal_letter_brings_its_photo_cleaned_and_a_bad_file_writes_nothing(client, session, desk, photo):
    from sqlalchemy import func, select

    from tests.functional.portal_support import Citizen
    from workorders.citizen import mailboxes
    from workorders.models import WorkOrder

    mailboxes.install_defaults(session)
    session.commit()
    citizen = Citizen(client)
    number, _code = citizen.written(file=(io.BytesIO(photo), "门口.jpg"))
    listed = fetch(desk["agent"], f"/api/v1/orders/{number}/attachments").get_json()["attachments"]
    assert [(a["source"], a["content_type"]) for a in listed] == [("portal", "image/jpeg")]
    assert len(Image.open(io.BytesIO(fetch(desk["agent"], listed[0]["download"]).data)).getexif()) == 0

    orders = session.scalar(select(func.count(WorkOrder.id)))
    r = citizen.write(file=(io.BytesIO(b"MZ\x90\x00" + bytes(500)), "photo.jpg"))
    assert r.status_code == 422
    assert session.scalar(select(func.count(WorkOrder.id))) == orders  # the letter was not half-written

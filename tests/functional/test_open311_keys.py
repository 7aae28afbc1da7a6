"""Open311 api_keys: issued by an admin on a page or by the CLI, shown once, revocable."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.functional.portal_support import Staff
from workorders.citizen.models import Open311Key

FILING = {"service_code": "help-municipal", "address_string": "人民路口", "description": "井盖缺失",
          "attribute[public_consent]": "no"}


def test_an_admin_issues_a_key_that_files_and_revokes_it(app, make_user, client, session):
    admin, _ = make_user("admin")
    staff = Staff(app.test_client()).login(admin.username)
    page = staff.post("/portal/manage/open311-keys", {"name": "城市随手拍"}).get_data(as_text=True)
    key = re.search(r"<code>([^<]+)</code>", page).group(1)
    stored = session.scalar(select(Open311Key).where(Open311Key.name == "城市随手拍"))
    assert stored.key_hash != key and key not in stored.key_hash  # only the digest is kept
    assert key not in staff.get("/portal/manage/open311-keys").get_data(as_text=True)  # shown once

    assert client.post("/open311/v2/requests.json", data={"api_key": key, **FILING}).status_code == 201
    revoked = staff.post(f"/portal/manage/open311-keys/{stored.id}/revoke", {},
                         token_from="/portal/manage/open311-keys")
    assert revoked.status_code == 302
    refused = client.post("/open311/v2/requests.json", data={"api_key": key, **FILING})
    assert refused.status_code == 403 and "revoked" in refused.get_json()[0]["description"]


def test_only_admins_manage_keys(app, make_user):
    supervisor, _ = make_user("supervisor")
    assert Staff(app.test_client()).login(supervisor.username).get("/portal/manage/open311-keys").status_code == 403


def test_the_cli_prints_the_key_alone_on_its_last_line(runner, client):
    result = runner.invoke(args=["open311", "key", "create", "--name", "partner"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and " " not in lines[-1] and len(lines[-1]) >= 40
    assert client.post("/open311/v2/requests.json", data={"api_key": lines[-1], **FILING}).status_code == 201
    assert runner.invoke(args=["open311", "key", "create", "--name", ""]).exit_code != 0

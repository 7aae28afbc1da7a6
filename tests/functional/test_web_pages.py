"""Issue 6, acceptance 2: every form refuses a missing CSRF token, every page renders in zh_CN and
in English, and hostile text (`<script>` in an order) is escaped wherever it appears."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import func, select, text

from hotline.web.security import BROWSER_BLUEPRINTS
from tests.web_support import WebSession, people
from workorders.models import Category, Department, Policy, User

# Machine interfaces authenticate otherwise (bearer token, Twilio signature, Open311 api_key) and
# take no browser forms; everything else that accepts a POST is a form.
MACHINE_PREFIXES = ("/api/", "/ivr/", "/open311/")
# The staff pages of issue 6 (the citizen portal's pages are tested with the portal).
# Endpoints that answer with data, not a page (JSON, the Excel export).
STAFF_BLUEPRINTS = {"auth", "desk", "orders", "inbox", "supervisor", "admin", "phone", "staffing"}
JSON_ENDPOINTS = {"desk.incoming_calls", "desk.suggest", "orders.export", "phone.state", "phone.token"}
TABLES = ["users", "work_orders", "order_events", "departments", "categories", "policies", "api_tokens",
          "calendar_days"]
HOSTILE = '<script>alert("x")</script>'
TRANSLATIONS = Path(__file__).resolve().parents[2] / "hotline" / "translations"


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def counts(session) -> dict[str, int]:
    return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


def url_for_rule(rule, values: dict) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[^:>]+:)?{argument}>", str(values[argument]), url)
    return url


def sample_values(session, number: str) -> dict:
    return {
        "number": number,
        "action": "sign",
        "user_id": session.scalar(select(func.min(User.id))),
        "token_id": 1,
        "code": session.scalar(select(Department.code).limit(1)),
        "name": session.scalar(select(Policy.name).limit(1)),
        "rating_id": 1,
        "article_id": 1,
        "group_id": 1,
        "entry_id": 1,
        "kind": "mon",
        "month": "2026-02",
        "inspection_id": 1,
    }


def form_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith(MACHINE_PREFIXES):
            yield rule


def test_every_form_of_the_app_refuses_a_post_without_its_csrf_token(app, web, desk, session):
    number = desk["agent"].create()["number"]
    values = sample_values(session, number)
    rules = list(form_rules(app))
    assert {"/login", "/desk/orders", "/orders/<number>/<action>", "/admin/policy/<name>"} <= {r.rule for r in rules}
    people_by_role = {"anonymous": WebSession(app), "admin": web("admin"), "agent": web("agent")}
    before = counts(session)
    for rule in rules:
        for who, person in people_by_role.items():
            url = url_for_rule(rule, values)
            response = person.post(url, {"username": "x", "password": "y", "reason": "z"}, csrf=False)
            assert response.status_code == 400, (who, url, response.status_code)
            assert 'data-error="csrf"' in response.get_data(as_text=True), (who, url)
    session.expire_all()
    assert counts(session) == before


def test_the_same_form_with_its_token_is_accepted(web, desk, session):
    number = desk["agent"].create()["number"]
    response = web("agent").act(number, "classify", {"district": "西城区"})
    assert response.status_code == 302


def staff_pages(app, session, number: str) -> list[str]:
    values = sample_values(session, number)
    urls = ["/"]
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if "GET" not in rule.methods or blueprint not in STAFF_BLUEPRINTS or rule.endpoint in JSON_ENDPOINTS:
            continue
        if rule.endpoint == "supervisor.queue":
            from hotline.web.supervisor import QUEUES

            urls += [f"/supervisor/{name}" for name in QUEUES]
        elif rule.endpoint == "inbox.index":
            from hotline.web.inbox import TABS

            urls += [f"/inbox?tab={tab}" for tab in TABS]
        else:
            urls.append(url_for_rule(rule, values))
    return urls


def test_the_staff_pages_are_all_the_browser_blueprints_of_issue_6(app):
    assert STAFF_BLUEPRINTS <= BROWSER_BLUEPRINTS


@pytest.mark.parametrize("locale,lang,marker", [("zh_CN", "zh-CN", "12345热线"), ("en", "en", "12345 Hotline")])
def test_every_page_renders_in_each_language(app, web, desk, session, locale, lang, marker):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    roles = {"anonymous": WebSession(app), "admin": web("admin"), "supervisor": web("supervisor"),
             "agent": web("agent"), "leader": web("leader"), "department": web("department", "housing")}
    for person in roles.values():
        person.post("/locale", {"locale": locale})
    rendered = {}
    for url in staff_pages(app, session, number):
        for who, person in roles.items():
            response = person.get(url, follow_redirects=True)
            if response.status_code == 200 and response.mimetype == "text/html" and "/login" not in response.request.path:
                rendered[url] = who
                page = response.get_data(as_text=True)
                assert f'<html lang="{lang}">' in page, url
                assert marker in page, url
                break
        else:
            if url not in ("/login",):
                pytest.fail(f"no role could open {url}")
    assert len(rendered) >= 25, rendered


def _key(value) -> tuple:
    """Singular and plural messages alike, as a tuple of strings."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_the_chinese_catalogue_translates_every_text_and_the_compiled_files_are_current():
    for locale in ("zh_CN", "en"):
        folder = TRANSLATIONS / locale / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as f:
            po = read_po(f, locale=locale)
        with (folder / "messages.mo").open("rb") as f:
            mo = read_mo(f)
        translated = {_key(m.id): _key(m.string) for m in po if m.id and any(_key(m.string)) and not m.fuzzy}
        compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
        assert compiled == translated, f"{locale}: run pybabel compile -d hotline/translations"
        if locale == "zh_CN":
            untranslated = [m.id for m in po if m.id and not all(_key(m.string))]
            assert not untranslated, untranslated
    # Every text in the code and the templates today, not only those extracted last time: extracted as
    # `pybabel extract -F babel.cfg` does, so the domain's refusals (workorders/, ivr/, knowledge_base/)
    # are in it too.
    with (TRANSLATIONS / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    in_source = {
        _key(message[2]) for message in extract_from_dir(
            TRANSLATIONS.parents[1], method_map, options_map,
            keywords={**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None})
    }
    assert ("unknown department '%(code)s'",) in in_source  # a refusal of the domain
    assert ("article %(id)s is already published",) in in_source  # one of the knowledge base
    with (TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        missing = in_source - {_key(m.id) for m in read_po(f) if m.id}
    assert not missing, f"texts not in the catalogue (run the pybabel extract/update/compile steps): {missing}"


def test_hostile_text_is_escaped_everywhere_it_appears(app, web, desk, session, clock):
    hostile_order = desk["agent"].create(content=f"路灯坏了{HOSTILE}", caller_name=f"张{HOSTILE}",
                                         address=f"幸福路{HOSTILE}", district=f"东城区{HOSTILE}")
    number = hostile_order["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing", "note": HOSTILE})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "request_extension", {"reason": HOSTILE, "working_days": 2})
    intake = desk["agent"].create(content=f"新诉求{HOSTILE}", type="help")["number"]
    admin = web("admin")
    admin.post("/admin/departments", {"code": "evil", "name": f"坏单位{HOSTILE}", "kind": "bureau"})
    admin.post("/admin/users", {"username": "evil.user", "display_name": HOSTILE, "role": "agent",
                                "password": "long-enough-1"})
    agent, supervisor, housing = web("agent"), web("supervisor"), web("department", "housing")
    pages = {
        (agent, "/desk"), (agent, "/desk/intake"), (agent, f"/orders/{number}"), (agent, f"/orders/{intake}"),
        (agent, "/orders?q=路灯"), (supervisor, "/supervisor/extensions"), (supervisor, f"/orders/{number}"),
        (housing, "/inbox?tab=in_progress"), (housing, f"/orders/{number}"), (admin, "/admin/departments"),
        (admin, "/admin/users"), (agent, f"/orders/{intake}"),
    }
    for person, url in pages:
        page = person.page(url)
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, url  # shown, as text
    # Refusal messages repeat what was typed: escaped too.
    refused = agent.post("/desk/orders", {"type": "complaint", "channel": "phone", "caller_phone": "13800000000",
                                          "content": HOSTILE, "disposition": "dispatch", "department": HOSTILE})
    assert refused.status_code == 422
    assert "<script>alert" not in refused.get_data(as_text=True)
    # The live suggestions and calls are JSON, which the page inserts as text (see app.js).
    assert agent.get(f"/desk/suggest?q={HOSTILE}").mimetype == "application/json"
    assert session.scalar(select(Category).where(Category.name.contains("<script>"))) is None


def test_the_clock_banner_reads_with_chinese_punctuation_in_chinese_and_english_in_english(client):
    """Issue 13: the frozen clock's banner in Chinese, punctuation included (非真实时间：…（时钟已冻结）)."""
    import html
    import re

    def banner(page: str) -> str:
        found = re.search(r'<div class="banner banner-clock"[^>]*>(.*?)</div>', page, re.S).group(1)
        return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found)).split())  # tags add no space

    chinese = banner(client.get("/login").get_data(as_text=True))
    assert chinese.startswith("非真实时间：系统时钟为 2026-03-02 09:00（") and "：" in chinese
    assert not re.search(r"[():]", chinese.replace("09:00", "")), chinese
    with client.session_transaction() as cookie_session:
        cookie_session["locale"] = "en"
    english = banner(client.get("/login").get_data(as_text=True))
    assert english.startswith("Not the real time: the system clock reads 2026-03-02 09:00 ("), english

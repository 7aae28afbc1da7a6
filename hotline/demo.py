"""The demo city for `hotline seed-demo`: departments, categories, users and ~200 orders.

Orders are built from ../shared/data/citizen_messages.csv when it is there (real citizen
messages; never copied into the repository) and from a small built-in sample otherwise. They go
through the real operations, back-dated, so every state, light and event is genuine.
"""
from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.seed import seed_demo_articles
from knowledge_base.usage import record_use
from workorders import actions
from workorders.calendar_store import load_calendar
from workorders.citizen.mailboxes import install_defaults as install_default_mailboxes
from workorders.context import Actor, Context
from workorders.intake import create_order
from workorders.models import Category, Department, User, WorkOrder
from workorders.people import create_user
from workorders.policy_store import install_presets

from .auth import hash_password
from .runtime import clock, timezone

DEMO_PASSWORD = "hotline12345"

DEPARTMENTS = [
    # code, name, short name (what agents call it), kind, parent
    ("hotline", "12345热线办", "热线办", "hotline", None),
    ("housing", "市住房和城乡建设局", "住建局", "bureau", None),
    ("urban", "市城市管理局", "城管局", "bureau", None),
    ("ecology", "市生态环境局", "生态环境局", "bureau", None),
    ("transport", "市交通运输局", "交通运输局", "bureau", None),
    ("education", "市教育局", "教育局", "bureau", None),
    ("hrss", "市人力资源和社会保障局", "人社局", "bureau", None),
    ("commerce", "市商务局", "商务局", "bureau", None),
    ("health", "市卫生健康委员会", "卫健委", "bureau", None),
    ("police", "市公安局", "公安局", "bureau", None),
    ("market", "市市场监督管理局", "市场监管局", "bureau", None),
    ("dongcheng", "东城区人民政府", "东城区", "district", None),
    ("dongcheng.xinhe", "东城区新河街道办事处", "新河街道", "street", "dongcheng"),
    ("dongcheng.chengnan", "东城区城南街道办事处", "城南街道", "street", "dongcheng"),
    ("xicheng", "西城区人民政府", "西城区", "district", None),
    ("xicheng.huayuan", "西城区花园街道办事处", "花园街道", "street", "xicheng"),
    ("gaoxin", "高新区管委会", "高新区", "district", None),
    ("gaoxin.keji", "高新区科技街道办事处", "科技街道", "street", "gaoxin"),
]

CATEGORIES = [
    # code, name, parent, default department
    ("illegal_construction", "违章建设", None, "urban"),
    ("public_service", "公共服务", None, None),
    ("property", "物业管理", None, "housing"),
    ("municipal", "市政建设", None, "housing"),
    ("environment", "环保", None, "ecology"),
    ("public_security", "公共治安", None, "police"),
    ("labour", "劳动社保", None, "hrss"),
    ("business", "工商管理", None, "market"),
    ("city_management", "城市管理", None, "urban"),
    ("digital_city", "数字城管", "city_management", "urban"),
    ("housing", "城乡住房", None, "housing"),
    ("traffic", "交通管理", None, "transport"),
    ("education", "教育文体", None, "education"),
    ("health", "卫生计生", None, "health"),
    ("commerce", "商贸旅游", None, "commerce"),
    ("other", "其他", None, None),
]

# The data set's labels and the category each falls in.
LABEL_CATEGORY = {
    "城乡建设": "housing", "环境保护": "environment", "交通运输": "traffic", "教育文体": "education",
    "劳动和社会保障": "labour", "商贸旅游": "commerce", "卫生计生": "health",
}

USERS = [
    # username, role, department, display name
    ("agent", "agent", None, "话务员 王芳"),
    ("agent2", "agent", None, "话务员 李娜"),
    ("supervisor", "supervisor", None, "督办员 张伟"),
    ("leader", "leader", None, "分管领导 刘强"),
    ("admin", "admin", None, "系统管理员"),
    ("housing", "department", "housing", "住建局 承办人"),
    ("urban", "department", "urban", "城管局 承办人"),
    ("ecology", "department", "ecology", "生态环境局 承办人"),
    ("transport", "department", "transport", "交通运输局 承办人"),
    ("hrss", "department", "hrss", "人社局 承办人"),
    ("dongcheng", "department", "dongcheng", "东城区 承办人"),
]

SAMPLE = [
    ("小区垃圾清运不及时", "我住在东城区新河街道幸福小区，垃圾已经三天没有清运，气味很大，请尽快处理。", "环境保护"),
    ("公交线路调整咨询", "请问12路公交车下个月是否调整线路？家门口的站点还保留吗？", "交通运输"),
    ("工资被拖欠", "我在高新区一家建筑公司工作，老板拖欠了两个月工资，请帮忙协调。", "劳动和社会保障"),
    ("学校周边交通拥堵", "实验小学门口每天放学时段严重拥堵，希望增派交警疏导。", "交通运输"),
    ("医保报销比例咨询", "想咨询一下今年门诊医保报销比例和起付线是多少。", "卫生计生"),
    ("夜间施工噪音扰民", "西城区花园路工地每天晚上十一点后还在施工，噪音很大无法休息。", "环境保护"),
    ("小区电梯长期故障", "幸福家园3号楼电梯坏了一个月，物业一直不修，老人上下楼很困难。", "城乡建设"),
    ("入学报名材料咨询", "孩子今年上一年级，需要准备哪些报名材料？户口不在本区可以吗？", "教育文体"),
]


def _messages(app: Flask, count: int) -> list[tuple[str, str, str]]:
    path = Path(app.config["DEMO_DATA_DIR"]) / "citizen_messages.csv"
    if not path.exists():
        return [SAMPLE[i % len(SAMPLE)] for i in range(count)]
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("body")]
    rng = random.Random(12345)
    picked = rng.sample(rows, min(count, len(rows)))
    return [(r["title"].strip(), r["body"].strip()[:1500], r["label"]) for r in picked]


def seed(session: Session, app: Flask) -> list[str]:
    report = []
    install_presets(session, app.config["POLICY_PRESET"])
    report.append(_seed_departments(session))
    report.append(_seed_categories(session))
    report.append(install_default_mailboxes(session))
    report.append(_seed_users(session))
    report.append(_seed_orders(session, app))
    report.append(seed_demo_articles(session, clock(app).now()))
    return report


def _seed_departments(session: Session) -> str:
    have = {d.code: d for d in session.scalars(select(Department))}
    added = 0
    for code, name, short_name, kind, parent in DEPARTMENTS:
        if code not in have:
            have[code] = Department(code=code, name=name, short_name=short_name, kind=kind, active=True,
                                    parent=have[parent] if parent else None)
            session.add(have[code])
            added += 1
        elif have[code].short_name is None:  # a demo city from before short names (issue 13)
            have[code].short_name = short_name
    session.flush()
    return f"departments: {added} added, {len(have)} in all"


def _seed_categories(session: Session) -> str:
    depts = {d.code: d for d in session.scalars(select(Department))}
    have = {c.code: c for c in session.scalars(select(Category))}
    added = 0
    for code, name, parent, dept in CATEGORIES:
        if code not in have:
            have[code] = Category(code=code, name=name, parent=have[parent] if parent else None,
                                  default_department=depts.get(dept) if dept else None)
            session.add(have[code])
            added += 1
    session.flush()
    return f"categories: {added} added, {len(have)} in all"


def _seed_users(session: Session) -> str:
    now = clock().now()
    added = 0
    for username, role, dept, name in USERS:
        if session.scalar(select(User).where(User.username == username)) is None:
            create_user(session, username=username, password_hash=hash_password(DEMO_PASSWORD), role=role,
                        department_code=dept, display_name=name, now=now)
            added += 1
    return f"users: {added} added (password for every demo user: {DEMO_PASSWORD})"


def _seed_orders(session: Session, app: Flask, count: int = 200) -> str:
    existing = session.scalar(select(func.count(WorkOrder.id)))
    if existing:
        return f"orders: {existing} present, none added"
    users = {u.username: Actor.of(u) for u in session.scalars(select(User))}
    categories = {c.code: c for c in session.scalars(select(Category))}
    calendar, tz, now = load_calendar(session), timezone(app), clock(app).now()
    secret = app.config["SECRET_KEY"].encode()
    rng = random.Random(2026)
    types = ["complaint"] * 5 + ["help"] * 4 + ["consultation"] * 3 + ["report", "suggestion", "praise", "other"]
    for title, body, label in _messages(app, count):
        at = now - timedelta(days=rng.uniform(0.2, 40))
        ctx = Context(session, at, calendar, tz, secret, record_article_use=record_use)
        category = categories[LABEL_CATEGORY.get(label, "other")]
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        created = create_order(ctx, users["agent"], {
            "type": rng.choice(types), "channel": rng.choice(["phone"] * 6 + ["sms", "voicemail"]),
            "content": f"{title}。{body}", "caller_name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["先生", "女士"]),
            "caller_phone": phone, "category": category.code,
            "district": rng.choice(["东城区", "西城区", "高新区"]),
            "public_consent": rng.random() < 0.6, "confidential": rng.random() < 0.1,
        })
        _walk(ctx, created.order, category, users, rng, now)
    return f"orders: {count} added"


def _walk(ctx: Context, order: WorkOrder, category: Category, users: dict, rng: random.Random, now) -> None:
    """Take an order some way along its life, each step a few hours after the last."""
    def step(actor: str, name: str, data: dict) -> bool:
        ctx.now = ctx.now + timedelta(hours=rng.uniform(0.5, 30))
        if ctx.now >= now:
            return False
        actions.perform(ctx, users[actor], order, name, data)
        return True

    dept = category.default_department.code if category.default_department else "dongcheng"
    if dept not in users:
        dept = "dongcheng"
    fate = rng.random()
    if fate < 0.08:
        return  # stays in the intake queue
    if fate < 0.12:
        step("agent", "mark_invalid", {"reason_code": "empty", "note": "内容不具备答复条件"})
        return
    if fate < 0.15:
        step("agent", "request_instruction", {"note": "涉及多个部门，请领导批示承办单位"})
        return
    if fate < 0.5 and order.type == "consultation":
        step("agent", "answer", {"text": "已根据知识库标准答案答复来电人。"})
        return
    if not step("agent", "dispatch", {"department": dept}):
        return
    if rng.random() < 0.1:
        if order.return_deadline_at and ctx.now + timedelta(hours=1) < order.return_deadline_at:
            ctx.now += timedelta(minutes=30)
            if ctx.now < now:
                actions.perform(ctx, users[dept], order, "return", {"reason": "不属于本单位职责范围"})
        return
    if rng.random() < 0.15 or not step(dept, "sign", {}):
        return
    if rng.random() < 0.2:
        return  # in progress; its light depends on how long ago it was dispatched
    if not step(dept, "reply", {"text": "经核查，已安排人员现场处理，问题已解决。", "resolved": rng.random() < 0.9}):
        return
    if order.state != "replied":
        return  # archived straight away: its type needs no callback
    satisfaction = rng.choice(["satisfied"] * 6 + ["basically_satisfied"] * 2 + ["dissatisfied", "unreachable"])
    data = {"satisfaction": satisfaction}
    if satisfaction != "unreachable":
        data["resolved"] = satisfaction != "dissatisfied"
    step("agent", "callback", data)

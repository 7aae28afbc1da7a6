"""Seeded orders for the learned suggestions' tests: four categories, each with its own words and
the department its orders were dispatched to (not always the routing table's)."""
from __future__ import annotations

PLACES = ("新河街道", "城南小区", "花园路", "科技街", "东湖社区")
TOPICS = {
    # category: (department the agents dispatched to, what callers say)
    "municipal": ("dongcheng", ("{}路灯晚上不亮，行人很危险", "{}井盖缺失，请尽快修复", "{}道路坑洼破损严重，车辆难行")),
    "environment": ("ecology", ("{}餐馆油烟扰民，气味刺鼻", "{}工厂夜间噪音太大睡不着", "{}河道污水直排发臭")),
    "education": ("education", ("{}学校乱收补课费", "{}幼儿园入园报名难", "{}校车超载接送学生")),
    "labour": ("hrss", ("{}公司拖欠工资三个月", "{}单位不给缴纳社保", "{}工伤认定迟迟不办")),
}
NEW_STREET_LIGHT = "花园小区门口的路灯坏了好几天，晚上一片漆黑"


def seed_orders(agent_api) -> dict[str, list[str]]:
    """Create and dispatch the seeded orders through the API; their numbers by category."""
    numbers: dict[str, list[str]] = {}
    for category, (department, sayings) in TOPICS.items():
        for place in PLACES:
            for saying in sayings:
                order = agent_api.create(content=saying.format(place), category=category)
                response = agent_api.act(order["number"], "dispatch", {"department": department})
                assert response.status_code == 200, response.get_json()
                numbers.setdefault(category, []).append(order["number"])
    return numbers

"""The learner alone: no database, no clock (issue 15)."""
from __future__ import annotations

import pickle

from workorders.suggest.features import split_order
from workorders.suggest.learner import Example, Learner

LIGHTS = [Example(f"{p}路灯不亮", f"{p}的路灯坏了，晚上很黑", "municipal", "urban", "complaint")
          for p in ("东街", "西街", "南街", "北街", "新河")]
NOISE = [Example(f"{p}工地夜间施工噪音", f"{p}工地半夜还在施工", "environment", None, "report")
         for p in ("东街", "西街", "南街", "北街", "新河")]


def test_two_categories_are_told_apart_and_each_keeps_its_own_department():
    learner = Learner().fit(LIGHTS + NOISE)
    lights = learner.suggest("花园路路灯坏了", "")
    assert [s.category.code for s in lights] == ["municipal", "environment"]
    assert lights[0].department.code == "urban" and lights[0].type.code == "complaint"
    assert lights[1].department is None  # never dispatched with a department: the routing table decides
    assert abs(sum(s.category.confidence for s in lights) - 1) < 1e-6


def test_a_target_seen_with_one_value_is_that_value_with_full_confidence():
    learner = Learner().fit(LIGHTS + NOISE)
    department = learner.suggest("工地噪音", "")[0]
    assert department.category.code == "environment"
    assert learner.targets["department"].classes.tolist() == ["urban"]


def test_texts_without_known_letters_get_no_suggestion():
    learner = Learner().fit(LIGHTS + NOISE)
    assert learner.suggest("", "") == []
    assert learner.suggest("，。！？", "  ") == []
    assert learner.suggest("ΩΩΩ", "") == []


def test_a_learner_survives_pickling_as_it_is_stored():
    learner = pickle.loads(pickle.dumps(Learner().fit(LIGHTS + NOISE)))
    assert learner.suggest("路灯", "")[0].category.code == "municipal"


def test_an_orders_first_sentence_stands_in_for_the_title():
    assert split_order("路灯坏了！已经三天。") == ("路灯坏了", "路灯坏了!已经三天。")  # full width folded
    assert split_order("   ") == ("", "")


def _many(examples, copies):
    return [Example(f"{e.title}{i}号", f"{e.body}{i}" if i % 2 else "", e.category, e.department, e.type)
            for i in range(copies) for e in examples]


def test_on_enough_examples_member_weights_and_class_biases_are_learned_on_inner_folds():
    learner = Learner().fit(_many(LIGHTS + NOISE, 40))
    model = learner.targets["category"]
    assert model.offsets is not None and model.sharpness == 1.0
    # Department and type keep the fixed weights (training time: see docs/suggestions.md).
    assert learner.targets["department"].offsets is None and learner.targets["department"].sharpness is None
    assert learner.counts["category"] == 400  # the titles taught alone are not counted as examples
    best = learner.suggest("花园路路灯坏了", "")[0]
    assert best.category.code == "municipal" and best.category.confidence > 0.5


def test_a_model_stored_before_learned_weights_still_serves_with_the_fixed_ones():
    learner = Learner().fit(_many(LIGHTS + NOISE, 40))
    for model in learner.targets.values():  # as unpickled from a version without these attributes
        model.__dict__.pop("offsets", None)
        model.__dict__.pop("sharpness", None)
    lights = learner.suggest("花园路路灯坏了", "")
    assert lights[0].category.code == "municipal"
    assert abs(sum(s.category.confidence for s in lights) - 1) < 1e-6

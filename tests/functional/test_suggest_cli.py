"""`hotline suggest import | train | evaluate` and the training claim (issue 15)."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from hotline.cli import main
from hotline.jobs import real_now
from hotline.suggest.retraining import train_now
from tests.suggest_support import NEW_STREET_LIGHT, PLACES, TOPICS
from workorders.suggest import training
from workorders.suggest.models import SuggestExample, SuggestModel

HEADER = "title,body,label,department,type\n"


def history_csv(tmp_path, extra: str = "") -> str:
    lines = [HEADER]
    for category, (department, sayings) in TOPICS.items():
        for place in PLACES:
            for saying in sayings:
                text = saying.format(place)
                lines.append(f"{text},{text}，请尽快处理。,{category},{department},complaint\n")
    path = tmp_path / "history.csv"
    path.write_text("".join(lines) + extra, encoding="utf-8")
    return str(path)


def imported(session) -> int:
    return session.scalar(select(func.count(SuggestExample.id)))


def test_importing_history_then_training_makes_a_model_that_suggests(runner, session, app, tmp_path):
    result = runner.invoke(main, ["suggest", "import", history_csv(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "imported 60 rows from history.csv" in result.output
    assert imported(session) == 60

    result = runner.invoke(main, ["suggest", "train"])

    assert result.exit_code == 0, result.output
    assert "trained on 60 examples" in result.output
    model = session.scalar(select(SuggestModel))
    assert model.examples == 60 and model.summary["last_example_id"] > 0
    with app.app_context():
        from hotline.suggest.serving import suggestions_for

        _, suggestions = suggestions_for(session, NEW_STREET_LIGHT)
    assert (suggestions[0].category.code, suggestions[0].department.code) == ("municipal", "dongcheng")


def test_an_import_file_with_a_bad_row_names_the_row_and_imports_nothing(runner, session, tmp_path):
    for bad, message in (
        ("路灯不亮,,no_such_category,,\n", "line 62: unknown category 'no_such_category'"),
        ("路灯不亮,,市政建设,nowhere,\n", "line 62: unknown department 'nowhere'"),
        ("路灯不亮,,municipal,urban,grumble\n", "line 62: unknown type 'grumble'"),
        (",,municipal,,\n", "line 62: the title and the body are both empty"),
        ("路灯不亮,,,,\n", "line 62: unknown category ''"),
        ("路灯不亮,,municipal,urban,complaint,extra\n", "line 62: more fields than the header names"),
    ):
        result = runner.invoke(main, ["suggest", "import", history_csv(tmp_path, bad)])
        assert result.exit_code != 0, bad
        assert message in result.output, result.output
        assert imported(session) == 0


def test_an_import_file_without_the_columns_or_not_utf8_is_refused(runner, session, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("subject,text\n路灯,不亮\n", encoding="utf-8")
    result = runner.invoke(main, ["suggest", "import", str(path)])
    assert result.exit_code != 0 and "no column(s) title, body, label" in result.output
    path.write_bytes("title,body,label\n路灯,不亮,municipal\n".encode("gbk"))
    result = runner.invoke(main, ["suggest", "import", str(path)])
    assert result.exit_code != 0 and "is not UTF-8 text" in result.output
    assert imported(session) == 0


def test_training_with_too_little_history_says_so_and_writes_no_model(runner, session):
    result = runner.invoke(main, ["suggest", "train"])
    assert result.exit_code != 0
    assert "too few to learn from" in result.output
    assert session.scalar(select(func.count(SuggestModel.id))) == 0


def test_two_processes_never_train_at_once_and_the_old_version_serves_until_the_new_commits(
        runner, session, app, tmp_path):
    assert runner.invoke(main, ["suggest", "import", history_csv(tmp_path)]).exit_code == 0
    assert runner.invoke(main, ["suggest", "train"]).exit_code == 0
    cache = app.extensions["hotline.suggest_cache"]
    cache.refresh_seconds = 0
    serving = cache.current(session).version

    # Another process is in the middle of training: it holds the claim.
    assert training.claim(session, "job:elsewhere:1", real_now())
    session.commit()
    trained = train_now(app, "cli:here:2")
    assert trained.version is None and "another process is training (job:elsewhere:1)" in trained.note
    assert session.scalar(select(func.count(SuggestModel.id))) == 1
    assert cache.current(session).version == serving

    # Its claim runs out (the process died): the next one may train, and is served once committed.
    training.release(session, "job:elsewhere:1")
    assert training.claim(session, "job:elsewhere:1", real_now() - training.CLAIM_TTL - timedelta(minutes=1))
    session.commit()
    trained = train_now(app, "cli:here:2")
    assert trained.version is not None and trained.version > serving
    assert training.holder(session) is None  # released with the commit
    assert cache.current(session).version == trained.version


def test_evaluate_trains_on_one_file_and_judges_on_the_other_without_a_database(runner, tmp_path):
    train = history_csv(tmp_path)
    test = tmp_path / "test.csv"
    test.write_text("title,body,label\n东湖社区路灯不亮,,municipal\n花园路工厂噪音扰民,,environment\n"
                    "科技街学校乱收费,,education\n城南小区公司拖欠工资,,labour\n", encoding="utf-8")

    result = runner.invoke(main, ["suggest", "evaluate", "--train", train, "--test", str(test)])

    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert {"macro_f1", "accuracy", "ms_per_suggestion_p95", "train_seconds"} <= set(figures)
    assert figures["macro_f1"] == 1.0 and figures["accuracy"] == 1.0
    assert figures["train_rows"] == 60 and figures["test_rows"] == 4


def test_evaluate_refuses_a_file_without_labels(runner, tmp_path):
    test = tmp_path / "test.csv"
    test.write_text("title,body\n路灯不亮,\n", encoding="utf-8")
    result = runner.invoke(main, ["suggest", "evaluate", "--train", str(test), "--test", str(test)])
    assert result.exit_code != 0 and "has no column(s) label" in result.output

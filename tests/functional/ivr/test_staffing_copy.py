"""/ivr/voice answers from its process's copy of the staffing schedule (ivr/staffing.py).

An edit made in this process is heard on the next call; one made by another process (another web
worker, the CLI) within HOTLINE_STAFFING_COPY_SECONDS.
"""
from __future__ import annotations

from datetime import time

from sqlalchemy import delete, insert

from tests.ivr_support import Twilio, bound_app, call_params, new_sid, twiml
from workorders import process_copy
from workorders.callcenter import schedule
from workorders.callcenter.models import StaffingHours


def menu_offered(twilio) -> bool:
    root = twiml(twilio.post("/ivr/voice", call_params(new_sid())))
    return root.find("Gather") is not None


def another_process_staffs_nobody_on_mondays(session):
    """What another process's edit leaves in the table; this process is not told."""
    session.execute(delete(StaffingHours).where(StaffingHours.day_kind == "mon"))
    session.execute(insert(StaffingHours).values(day_kind="mon", starts=None, ends=None))
    session.commit()


def test_an_edit_by_another_process_is_heard_once_the_copy_is_older_than_its_seconds(
        twilio, session, monkeypatch):
    now = [5000.0]
    monkeypatch.setattr(process_copy, "monotonic", lambda: now[0])
    assert menu_offered(twilio)  # Monday 09:00, hours 08:30-17:30
    another_process_staffs_nobody_on_mondays(session)
    now[0] += 4
    assert menu_offered(twilio)  # still the copy this process read
    now[0] += 1
    assert not menu_offered(twilio)


def test_an_edit_in_this_process_is_heard_on_the_next_call(twilio, session):
    assert menu_offered(twilio)
    schedule.save(session, "mon", [(time(18, 0), None)], seed=None)
    session.commit()
    assert not menu_offered(twilio)


def test_with_no_copy_seconds_every_call_reads_the_schedule(connection, clock, session):
    twilio = Twilio(bound_app(connection, clock, CC_STAFFING_COPY_SECONDS=0).test_client())
    assert menu_offered(twilio)
    another_process_staffs_nobody_on_mondays(session)
    assert not menu_offered(twilio)


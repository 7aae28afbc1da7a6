"""The transition table itself: complete, consistent, and refusing with the rule's name."""
from __future__ import annotations

import pytest

from workorders import actions, lifecycle
from workorders.errors import Conflict, Forbidden
from workorders.vocabulary import TERMINAL_STATES, State


def test_every_action_in_the_table_has_an_operation_and_vice_versa():
    assert set(lifecycle.ACTIONS) == set(actions.HANDLERS)


# A closed order still takes annotations (SPEC §12 notes, the repeat link on an archived original).
ANNOTATIONS = {"note", "repeat_linked"}


def test_terminal_states_allow_no_action_but_annotations():
    for rule in lifecycle.LIFECYCLE:
        if rule.action in ANNOTATIONS:
            assert not rule.targets, rule.action
        else:
            assert not (rule.sources & TERMINAL_STATES), rule.action


def test_every_state_is_reachable_from_new():
    reached, frontier = {State.new}, [State.new]
    while frontier:
        state = frontier.pop()
        for rule in lifecycle.LIFECYCLE:
            if state in rule.sources:
                for target in rule.targets - reached:
                    reached.add(target)
                    frontier.append(target)
    assert reached == set(State)


def test_a_refused_role_is_told_who_may():
    with pytest.raises(Forbidden, match="role 'agent' may not sign; it is for: department"):
        lifecycle.check_role("sign", "agent")


def test_a_refused_state_is_told_where_the_action_starts():
    with pytest.raises(Conflict, match="cannot sign an order in state 'new'; sign is allowed from: dispatched"):
        lifecycle.check_state("sign", "new")

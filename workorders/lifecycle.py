"""The whole lifecycle of a work order in one table (SPEC §3).

Each row says: this action, by these roles, from these states, leads to these states. The
operations consult it before doing anything; the UI asks it which buttons to show. Rules that
depend on the order itself (whose department, which window) are checked in `guards`.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import Conflict, Forbidden
from .vocabulary import DEADLINE_STATES, TERMINAL_STATES, WAITING_STATES, Role, State

S = State
R = Role
NON_TERMINAL = frozenset(State) - TERMINAL_STATES


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[Role]
    sources: frozenset[State]
    # Possible next states; empty means the order stays in its state.
    targets: frozenset[State]
    label_zh: str


def rule(action, roles, sources, targets, label_zh) -> Rule:
    return Rule(action, frozenset(roles), frozenset(sources), frozenset(targets), label_zh)


STAYS: tuple[State, ...] = ()
STAFF = {R.agent, R.supervisor, R.leader, R.department, R.admin}

LIFECYCLE: tuple[Rule, ...] = (
    #    action               who                            from                            to
    rule("create",            {R.agent, R.supervisor, R.system}, {},                         {S.new}, "登记"),
    rule("classify",          {R.agent, R.supervisor},      {S.new},                         STAYS, "分类"),
    rule("mark_invalid",      {R.agent, R.supervisor},      {S.new},                         {S.invalid}, "不予受理"),
    rule("merge",             {R.agent, R.supervisor},      {S.new},                         {S.merged}, "合并重复件"),
    rule("answer",            {R.agent},                    {S.new},                         {S.answered}, "直办"),
    rule("request_instruction", {R.agent},                  {S.new},                         {S.awaiting_instruction}, "报请批办"),
    rule("instruct",          {R.leader, R.supervisor},     {S.awaiting_instruction},        {S.dispatched}, "批示"),
    rule("dispatch",          {R.agent, R.supervisor},      {S.new, S.returned, S.under_review}, {S.dispatched}, "交办"),
    rule("sign",              {R.department},               {S.dispatched},                  {S.in_progress}, "签收"),
    # A sub-unit returns a forwarded order to its parent (in_progress), not to the hotline.
    rule("return",            {R.department},               {S.dispatched, S.in_progress},   {S.returned, S.in_progress}, "退件"),
    rule("interim_reply",     {R.department},               {S.in_progress},                 {S.committed}, "阶段回复"),
    rule("opinion",           {R.department},               {S.in_progress},                 STAYS, "会签意见"),
    rule("request_extension", {R.department},               {S.in_progress, S.committed},    STAYS, "申请延期"),
    rule("decide_extension",  {R.supervisor},               {S.in_progress, S.committed},    STAYS, "审批延期"),
    rule("reply",             {R.department},               {S.in_progress, S.committed},    {S.replied, S.reply_review}, "回复"),
    # Department handling in depth (issue 14): down the tree, across it, and the reply's check.
    rule("forward",           {R.department},               {S.in_progress},                 {S.dispatched}, "下派"),
    rule("take_back",         {R.department},               {S.dispatched, S.in_progress},   {S.in_progress}, "收回"),
    rule("reassign",          {R.supervisor},               DEADLINE_STATES,                 {S.dispatched}, "改派"),
    rule("approve_reply",     {R.supervisor},               {S.reply_review},                {S.replied}, "审核通过"),
    rule("send_back",         {R.supervisor},               {S.reply_review},                {S.in_progress}, "退回重办"),
    rule("urge",              {R.supervisor, R.system},     DEADLINE_STATES,                 STAYS, "催办"),
    rule("supervise",         {R.supervisor, R.system},     DEADLINE_STATES,                 STAYS, "督办"),
    rule("callback",          {R.agent, R.system},          {S.answered, S.replied},         {S.archived, S.under_review}, "回访"),
    rule("review",            {R.supervisor},               {S.under_review},                {S.dispatched, S.archived}, "复核"),
    rule("archive",           {R.supervisor, R.system},     NON_TERMINAL,                    {S.archived}, "归档"),
    # The scheduler's own steps: recorded as events like any other, never offered to people.
    rule("report_severe",     {R.system},                   DEADLINE_STATES,                 STAYS, "严重超期通报"),
    rule("recompute_deadline", {R.system},                  DEADLINE_STATES,                 STAYS, "重算期限"),
    rule("place_callback",    {R.system},                   {S.answered, S.replied},         STAYS, "自动回访外呼"),
    # Issue 13 (worklists): timers on waiting states, notes, repeat calls and repeat requests.
    rule("urge_waiting",      {R.system},                   WAITING_STATES,                  STAYS, "超时催办"),
    rule("note",              STAFF,                        frozenset(State),                STAYS, "备注"),
    rule("called_again",      {R.agent, R.supervisor},      NON_TERMINAL,                    STAYS, "催单"),
    rule("link_original",     {R.agent, R.supervisor},      NON_TERMINAL,                    STAYS, "关联原工单"),
    # Written on the archived original when a new order is linked to it (never offered to people).
    rule("repeat_linked",     {R.system},                   {S.archived},                    STAYS, "重复诉求"),
)

RULES: dict[str, Rule] = {r.action: r for r in LIFECYCLE}
ACTIONS: tuple[str, ...] = tuple(r.action for r in LIFECYCLE if r.action != "create")


def rule_for(action: str) -> Rule:
    try:
        return RULES[action]
    except KeyError:
        raise Conflict("unknown action '%(name)s'; actions are: %(actions)s", name=action, actions=list(ACTIONS)) from None


def check_role(action: str, role: str) -> None:
    r = rule_for(action)
    if role not in r.roles:
        allowed = sorted(r.roles - {Role.system})
        if not allowed:
            raise Forbidden("role '%(role)s' may not %(action)s; it is for: the scheduler alone", role=role,
                            action=action)
        raise Forbidden("role '%(role)s' may not %(action)s; it is for: %(roles)s", role=role, action=action,
                        roles=allowed)


def check_state(action: str, state: str) -> None:
    r = rule_for(action)
    if state not in r.sources:
        raise Conflict(
            "cannot %(action)s an order in state '%(state)s'; %(action)s is allowed from: %(states)s",
            action=action, state=state, states=sorted(r.sources),
        )


def is_allowed(action: str, role: str, state: str) -> bool:
    r = RULES.get(action)
    return r is not None and role in r.roles and state in r.sources

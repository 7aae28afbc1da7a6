"""Which policy is active, and installing the presets."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .errors import Invalid, NotFound
from .models import Policy
from .policies import DEFAULT_PRESET, PRESETS, PolicyRules


def install_presets(session: Session, active: str = DEFAULT_PRESET) -> None:
    """Create the presets that are missing; make `active` the active one if none is."""
    if active not in PRESETS:
        raise Invalid("unknown policy preset '%(name)s'; presets: %(presets)s", name=active, presets=list(PRESETS))
    have = {p.name: p for p in session.scalars(select(Policy))}
    for name, (title, rules) in PRESETS.items():
        if name not in have:
            have[name] = Policy(name=name, title=title, rules=rules.to_json(), active=False)
            session.add(have[name])
    if not any(p.active for p in have.values()):
        have[active].active = True
    session.flush()


def active_policy(session: Session) -> Policy:
    policy = session.scalar(select(Policy).where(Policy.active.is_(True)))
    if policy is None:
        install_presets(session)
        policy = session.scalar(select(Policy).where(Policy.active.is_(True)))
    return policy


def active_rules(session: Session) -> PolicyRules:
    return PolicyRules.from_json(active_policy(session).rules)


def activate(session: Session, name: str) -> Policy:
    policy = session.scalar(select(Policy).where(Policy.name == name))
    if policy is None:
        raise NotFound("no policy named '%(name)s'", name=name)
    session.execute(update(Policy).values(active=False))
    policy.active = True
    session.flush()
    return policy


def save_rules(session: Session, name: str, rules_json: dict) -> Policy:
    rules = PolicyRules.from_json(rules_json)
    policy = session.scalar(select(Policy).where(Policy.name == name))
    if policy is None:
        raise NotFound("no policy named '%(name)s'", name=name)
    policy.rules = rules.to_json()
    session.flush()
    return policy

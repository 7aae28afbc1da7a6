"""Sending the outbox after the commit, with retries and backoff (the `notifications` job).

Each message is read in one short transaction, sent outside any transaction, and marked in
another: a send that fails is tried again later (1, 2, 4 … minutes, at most an hour apart) and
given up after `MAX_ATTEMPTS`; the order it is about is never touched. A process killed between
sending and marking may send that one message twice — never lose it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)

SmsSender = Callable[[str, str], str]  # (to, body) -> reference
MailSender = Callable[[str, str, str], str]  # (to, subject, body) -> reference


@dataclass(frozen=True)
class Senders:
    sms: SmsSender
    email: MailSender


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    recipient: str
    subject: str
    body: str


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def due(session: Session, now: datetime, limit: int) -> list[Outgoing]:
    rows = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.status == "pending", OutboundMessage.next_attempt_at <= now)
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(limit)
    )
    return [Outgoing(m.id, m.channel, m.recipient, m.subject, m.body) for m in rows]


def send_one(senders: Senders, message: Outgoing) -> str:
    if message.channel == "sms":
        return senders.sms(message.recipient, message.body)
    return senders.email(message.recipient, message.subject, message.body)


def mark(session: Session, message_id: int, now: datetime, reference: str | None, error: str | None) -> None:
    row = session.get(OutboundMessage, message_id)
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.reference, row.last_error = "sent", now, reference, None
        return
    row.last_error = error[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        log.error("notification %s to %s given up after %d attempts: %s", row.id, row.recipient, row.attempts, error)
    else:
        row.next_attempt_at = now + retry_after(row.attempts)


def deliver(transaction: Callable[[], AbstractContextManager[Session]], senders: Senders, now: datetime,
            limit: int) -> tuple[int, int]:
    """One batch: send what is due. Returns (sent, failed this time)."""
    with transaction() as session:
        batch = due(session, now, limit)
    sent = failed = 0
    for message in batch:
        try:
            reference, error = send_one(senders, message), None
            sent += 1
        except Exception as exc:  # any sender's failure: retried later, never raised into the job
            log.warning("could not send notification %s (%s to %s): %s", message.id, message.channel,
                        message.recipient, exc)
            reference, error = None, f"{type(exc).__name__}: {exc}"
            failed += 1
        with transaction() as session:
            mark(session, message.id, now, reference, error)
    return sent, failed

"""E-mail through SMTP from configuration, or a console mailer that logs when none is set."""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    def __call__(self, to: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        return message["Message-ID"]


def console_mailer(to: str, subject: str, body: str) -> str:
    log.warning("[console mail] would mail %s: %s", to, subject)
    return "console"


def console_sms(to: str, body: str) -> str:
    log.warning("[console sms] would text %s: %s", to, body)
    return "console"


def mailer_from_config(config) -> SmtpMailer | None:
    if not config.get("SMTP_HOST"):
        return None
    return SmtpMailer(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25),
                      config.get("MAIL_FROM") or "12345@localhost", config.get("SMTP_USER") or None,
                      config.get("SMTP_PASSWORD") or None, str(config.get("SMTP_STARTTLS", "0")) == "1")

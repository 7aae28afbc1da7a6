"""Languages of the web UI (Flask-Babel): Simplified Chinese by default, English second.

The locale is chosen per request: the one picked with the switch (kept in the session), else the
signed-in user's saved choice, else zh_CN. The citizen portal uses the same helpers, so the
labels of the stable codes (states, types, channels, …) are defined once, here.

Message ids are English; `translations/zh_CN` holds the Chinese and `translations/en` is the
identity catalogue. The domain's refusals are message ids too (babel.cfg extracts them by their class
names; `web/refusals.py` shows them translated). After changing texts, from the repository root:
    pybabel extract -F hotline/translations/babel.cfg -k lazy_gettext -k _l --no-location \
        --sort-output -o hotline/translations/messages.pot .
    pybabel update -i hotline/translations/messages.pot -d hotline/translations --no-fuzzy-matching
    (translate the new entries of zh_CN/LC_MESSAGES/messages.po)
    pybabel compile -d hotline/translations
tests/functional/test_web_pages.py fails while a text of the code has no Chinese translation.
"""
from __future__ import annotations

from functools import cached_property

from babel import Locale, support
from flask import Flask, session
from flask_babel import Babel, Domain, get_babel, get_locale, lazy_gettext
from flask_login import current_user

DEFAULT_LOCALE = "zh_CN"
LOCALES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
SESSION_KEY = "locale"


def _catalog_name(locale: Locale | None) -> str:
    """The catalogue folder of a locale: Babel calls zh_CN "zh_Hans_CN", our folder is zh_CN."""
    for name in LOCALES:
        if str(Locale.parse(name)) == str(locale):
            return name
    return str(locale)


class CatalogDomain(Domain):
    """Flask-Babel's domain, finding the catalogue under our locale's name (zh_CN, en).

    Babel normalises zh_CN to zh_Hans_CN, for which gettext finds no zh_CN folder, so the stock
    domain would silently fall back to the English message ids.
    """

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        key = (str(locale), self.domain[0])
        if key not in self.cache:
            translations = support.Translations()
            for dirname in self.translation_directories:
                catalog = support.Translations.load(dirname, [_catalog_name(locale)], self.domain[0])
                translations.merge(catalog)
                # merge() copies the messages but not the plural rule: without it a Chinese
                # catalogue (one form) is asked for the English plural form, and falls back.
                if hasattr(catalog, "plural"):
                    translations.plural = catalog.plural
            self.cache[key] = translations
        return self.cache[key]


class HotlineBabel(Babel):
    @cached_property
    def domain_instance(self):
        return CatalogDomain(domain=get_babel().default_domain)


def select_locale() -> str:
    chosen = session.get(SESSION_KEY)
    if chosen in LOCALES:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in LOCALES:
        return user_locale
    return DEFAULT_LOCALE


def current_locale() -> str:
    """zh_CN or en (our names, not Babel's zh_Hans_CN)."""
    locale = get_locale()
    return _catalog_name(locale) if locale else DEFAULT_LOCALE


def html_lang() -> str:
    """The `lang` attribute of <html>: zh-CN or en."""
    return current_locale().replace("_", "-")


def remember_locale(locale: str) -> bool:
    """Keep the choice in the session; False when the locale is not one we offer."""
    if locale not in LOCALES:
        return False
    session[SESSION_KEY] = locale
    return True


# --- labels of the stable codes (SPEC §11) --------------------------------------------------------

STATE_LABELS = {
    "new": lazy_gettext("New"),
    "invalid": lazy_gettext("Not accepted"),
    "merged": lazy_gettext("Duplicate"),
    "answered": lazy_gettext("Answered directly"),
    "awaiting_instruction": lazy_gettext("Awaiting instruction"),
    "dispatched": lazy_gettext("To be signed"),
    "returned": lazy_gettext("Returned"),
    "in_progress": lazy_gettext("In progress"),
    "committed": lazy_gettext("Committed"),
    "replied": lazy_gettext("Replied"),
    "reply_review": lazy_gettext("Reply under review"),
    "under_review": lazy_gettext("Under review"),
    "archived": lazy_gettext("Archived"),
}

TYPE_LABELS = {
    "consultation": lazy_gettext("Consultation"),
    "help": lazy_gettext("Request for help"),
    "complaint": lazy_gettext("Complaint"),
    "report": lazy_gettext("Report"),
    "suggestion": lazy_gettext("Suggestion"),
    "praise": lazy_gettext("Praise"),
    "other": lazy_gettext("Other"),
}

CHANNEL_LABELS = {
    "phone": lazy_gettext("Phone"),
    "sms": lazy_gettext("SMS"),
    "voicemail": lazy_gettext("Voicemail"),
    "web": lazy_gettext("Web"),
    "mailbox": lazy_gettext("Mailbox"),
    "api": lazy_gettext("API"),
    "open311": lazy_gettext("Open311"),
}

MAILBOX_KIND_LABELS = {
    "mayor": lazy_gettext("Mayor's mailbox"),
    "district": lazy_gettext("District head's mailbox"),
    "bureau": lazy_gettext("Bureau director's mailbox"),
}

ROLE_LABELS = {
    "agent": lazy_gettext("Call agent"),
    "supervisor": lazy_gettext("Supervisor"),
    "leader": lazy_gettext("Leader"),
    "department": lazy_gettext("Department"),
    "admin": lazy_gettext("Administrator"),
    "system": lazy_gettext("System"),
}

HANDLING_LABELS = {
    "time_limited": lazy_gettext("Time-limited"),
    "commitment": lazy_gettext("Commitment"),
    "joint": lazy_gettext("Joint"),
}

SATISFACTION_LABELS = {
    "satisfied": lazy_gettext("Satisfied"),
    "basically_satisfied": lazy_gettext("Basically satisfied"),
    "dissatisfied": lazy_gettext("Dissatisfied"),
    "unreachable": lazy_gettext("Unreachable"),
}

LIGHT_LABELS = {
    "none": lazy_gettext("No light"),
    "green": lazy_gettext("Green"),
    "yellow": lazy_gettext("Due soon"),
    "red": lazy_gettext("Overdue"),
    "severe": lazy_gettext("Severely overdue"),
}

ACTION_LABELS = {
    "create": lazy_gettext("Register"),
    "classify": lazy_gettext("Classify"),
    "mark_invalid": lazy_gettext("Mark invalid"),
    "merge": lazy_gettext("Merge duplicate"),
    "answer": lazy_gettext("Answer directly"),
    "request_instruction": lazy_gettext("Request instruction"),
    "instruct": lazy_gettext("Instruct"),
    "dispatch": lazy_gettext("Dispatch"),
    "sign": lazy_gettext("Sign"),
    "return": lazy_gettext("Return"),
    "interim_reply": lazy_gettext("Interim reply"),
    "opinion": lazy_gettext("Opinion"),
    "request_extension": lazy_gettext("Request extension"),
    "decide_extension": lazy_gettext("Decide extension"),
    "reply": lazy_gettext("Reply"),
    "forward": lazy_gettext("Forward to a sub-unit"),
    "take_back": lazy_gettext("Take back"),
    "reassign": lazy_gettext("Reassign"),
    "approve_reply": lazy_gettext("Approve reply"),
    "send_back": lazy_gettext("Send back for rework"),
    "urge": lazy_gettext("Urge"),
    "supervise": lazy_gettext("Supervise"),
    "callback": lazy_gettext("Callback"),
    "review": lazy_gettext("Review"),
    "archive": lazy_gettext("Archive"),
    "report_severe": lazy_gettext("Report severe overdue"),
    "recompute_deadline": lazy_gettext("Recount deadline"),
    "place_callback": lazy_gettext("Automatic callback call"),
    "urge_waiting": lazy_gettext("Urge (waiting too long)"),
    "note": lazy_gettext("Note"),
    "called_again": lazy_gettext("Citizen called again"),
    "link_original": lazy_gettext("Link to original order"),
    "repeat_linked": lazy_gettext("Repeat request"),
    "attach": lazy_gettext("Attachment added"),
}

# The scheduled jobs (hotline/jobs.py and the packages that register theirs), for the admin pages.
JOB_LABELS = {
    "lights": lazy_gettext("Traffic lights: urge on yellow, supervise on red, report severe overdue; urge orders waiting past their limit"),
    "callback_timeouts": lazy_gettext("Callback windows that passed unanswered: an unreachable attempt"),
    "callback_calls": lazy_gettext("Place the automatic satisfaction-survey calls that are due"),
    "provisional_deadlines": lazy_gettext("Count provisional deadlines again on the current calendar"),
    "calendar_coverage": lazy_gettext("Warn 60 days before the working-day calendar runs out"),
    "daily_rollup": lazy_gettext("Statistics roll-up of every finished day"),
    "stats_rollup": lazy_gettext("Statistics roll-up of the days that new events changed"),
    "kb_calibrate": lazy_gettext("Measure each knowledge-base article's pull over past queries"),
    "rate_counter_purge": lazy_gettext("Drop the citizens' rate-limit counters whose window ended days ago"),
    "notifications": lazy_gettext("Send the departments' SMS and e-mail notifications, retrying failures"),
    "quality_sample": lazy_gettext("Draw the week's quality-inspection sample of each agent's orders"),
    "monthly_workbook": lazy_gettext("Build and keep last month's statistics workbook"),
    "suggest_retrain": lazy_gettext("Retrain the category and department suggestions when enough new orders arrived"),
    "call_queue": lazy_gettext("Offer waiting callers to ready agents; end expired wrap-ups"),
}

DEPARTMENT_KIND_LABELS = {
    "hotline": lazy_gettext("Hotline office"),
    "bureau": lazy_gettext("Bureau"),
    "district": lazy_gettext("District"),
    "street": lazy_gettext("Street"),
    "other": lazy_gettext("Other"),
}

# Who the scheduler urges about an order waiting too long (workorders/waiting.py).
URGED_LABELS = {
    "team_lead": lazy_gettext("Agents' team lead"),
    "leader": lazy_gettext("Leader"),
}

# Where an attachment came from (`workorders.attachments.operations.SOURCES`).
ATTACHMENT_SOURCE_LABELS = {
    "order": lazy_gettext("Hotline"),
    "reply": lazy_gettext("Department's reply"),
    "portal": lazy_gettext("Citizen, on the portal"),
    "open311": lazy_gettext("Citizen, through Open311"),
}

INVALID_REASON_LABELS = {
    "malicious": lazy_gettext("Malicious or abusive"),
    "duplicate": lazy_gettext("Repeated content"),
    "empty": lazy_gettext("Empty or unanswerable"),
    "advertising": lazy_gettext("Advertising"),
    "legislature_or_court": lazy_gettext("For the congress, court or procuratorate"),
    "legal_channel": lazy_gettext("For litigation, arbitration or administrative review"),
    "test_or_misdial": lazy_gettext("Misdial or test"),
}

FIELD_LABELS = {
    "type": lazy_gettext("Type"),
    "channel": lazy_gettext("Channel"),
    "content": lazy_gettext("Content"),
    "category": lazy_gettext("Category"),
    "district": lazy_gettext("District"),
    "address": lazy_gettext("Address / location"),
    "caller_name": lazy_gettext("Caller name"),
    "caller_phone": lazy_gettext("Caller phone"),
    "confidential": lazy_gettext("Confidential"),
    "public_consent": lazy_gettext("Caller agrees to publication"),
    "urgent": lazy_gettext("Urgent"),
    "reason_code": lazy_gettext("Reason"),
    "reason": lazy_gettext("Reason"),
    "note": lazy_gettext("Note"),
    "into": lazy_gettext("Duplicate of"),
    "text": lazy_gettext("Text"),
    "article_id": lazy_gettext("Article"),
    "department": lazy_gettext("Department"),
    "co_departments": lazy_gettext("Co-departments (joint)"),
    "handling": lazy_gettext("Handling"),
    "committed_date": lazy_gettext("Committed date"),
    "working_days": lazy_gettext("Extra working days"),
    "approve": lazy_gettext("Approved"),
    "resolved": lazy_gettext("Resolved?"),
    "message": lazy_gettext("Message"),
    "satisfaction": lazy_gettext("Satisfaction"),
    "decision": lazy_gettext("Decision"),
    "attempt": lazy_gettext("Attempt"),
    "original": lazy_gettext("Original order"),
    "repeat": lazy_gettext("Repeat order"),
    "call_sid": lazy_gettext("Call"),
    "to": lazy_gettext("Urged"),
    # Knowledge-base articles (their refusals and their version history name these fields).
    "title": lazy_gettext("Title"),
    "question": lazy_gettext("Question"),
    "answer": lazy_gettext("Standard answer"),
    "keywords": lazy_gettext("Keywords"),
    "status": lazy_gettext("Status"),
    "effective_on": lazy_gettext("Effective from"),
    "expires_on": lazy_gettext("Expires on"),
    "terms": lazy_gettext("Synonyms"),
    "file": lazy_gettext("File"),
    "source": lazy_gettext("From"),
}

KB_STATUS_LABELS = {
    "draft": lazy_gettext("Draft"),
    "published": lazy_gettext("Published"),
    "retired": lazy_gettext("Retired"),
}

# What each version of an article did (`knowledge_base.models.ArticleVersion.change`).
KB_CHANGE_LABELS = {
    "created": lazy_gettext("Drafted"),
    "from_order": lazy_gettext("Drafted from an order's reply"),
    "edited": lazy_gettext("Edited"),
    "published": lazy_gettext("Published"),
    "retired": lazy_gettext("Retired"),
    "imported": lazy_gettext("Imported"),
}

LABELS = {
    "field": FIELD_LABELS,
    "state": STATE_LABELS,
    "type": TYPE_LABELS,
    "channel": CHANNEL_LABELS,
    "role": ROLE_LABELS,
    "handling": HANDLING_LABELS,
    "satisfaction": SATISFACTION_LABELS,
    "light": LIGHT_LABELS,
    "action": ACTION_LABELS,
    "invalid_reason": INVALID_REASON_LABELS,
    "mailbox_kind": MAILBOX_KIND_LABELS,
    "kb_status": KB_STATUS_LABELS,
    "kb_change": KB_CHANGE_LABELS,
    "urged": URGED_LABELS,
    "attachment_source": ATTACHMENT_SOURCE_LABELS,
    "job": JOB_LABELS,
    "department_kind": DEPARTMENT_KIND_LABELS,
}


def label(kind: str, code: str | None) -> str:
    """The translated name of a code (`label('state', 'new')`); the code itself when unknown."""
    if code is None:
        return ""
    value = LABELS.get(kind, {}).get(str(code))
    return str(value) if value is not None else str(code)


def field_label(name: str) -> str:
    return label("field", name)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    HotlineBabel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(label=label, field_label=field_label, LOCALES=LOCALES, html_lang=html_lang,
                                 current_locale=current_locale)

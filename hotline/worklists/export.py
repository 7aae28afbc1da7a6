"""The filtered order list as an Excel workbook (openpyxl), headed and labelled in the user's language."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from workorders.models import WorkOrder

from ..i18n import label
from ..web.present import localtime
from .filters import days_overdue


def workbook(orders: list[WorkOrder], lights: dict[int, str], dept_names: dict[int, str],
             category_names: dict[int, str], now: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Orders")
    headers = [_("Number"), _("State"), _("Type"), _("Category"), _("Channel"), _("Department"), _("Light"),
               _("Received"), _("Due"), _("Days overdue"), _("Content")]
    sheet.append(headers)
    for order in orders:
        sheet.append([
            order.number, label("state", order.state), label("type", order.type),
            category_names.get(order.category_id, ""), label("channel", order.channel),
            dept_names.get(order.department_id, ""), label("light", lights.get(order.id, "none")),
            localtime(order.created_at), localtime(order.wait_due_at if order.state in ("new", "awaiting_instruction")
                                                    else order.due_at),
            days_overdue(order, now), order.content,
        ])
    for index, width in enumerate((16, 10, 8, 14, 8, 16, 8, 17, 17, 8, 60), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()

"""Typed SQLAlchemy 2 models of the work-order domain."""
from .base import Base, UTCDateTime
from .calendar import CalendarDay, CalendarImport
from .catalog import Category, Policy
from .order import OrderAssignment, OrderEvent, OrderNumberCounter, PersonalDataView, WorkOrder
from .organisation import ApiToken, Department, User
from .reads import OrderRead

__all__ = [
    "ApiToken",
    "Base",
    "CalendarDay",
    "CalendarImport",
    "Category",
    "Department",
    "OrderAssignment",
    "OrderEvent",
    "OrderNumberCounter",
    "OrderRead",
    "PersonalDataView",
    "Policy",
    "User",
    "UTCDateTime",
    "WorkOrder",
]

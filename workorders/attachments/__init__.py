"""Attachments (issue 14): photos and documents on orders, replies and citizen submissions."""

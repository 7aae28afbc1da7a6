"""The scheduled jobs of SPEC §4, as plain functions over a session (no Flask, no scheduler).

Each takes a `workorders.context.Context` (session, now, calendar, time zone) and works in the
caller's transaction, touching only the orders whose indexed `next_alarm_at` (or provisional
flag) says something is due, and returns what it touched. `hotline.scheduler` runs them in
batches, each batch its own transaction, under the scheduler lease:

- lights.sweep_lights: urge on yellow, supervise on red, report severe overdue;
- callbacks.time_out_callbacks / claim_calls / place_calls: the satisfaction survey;
- provisional.recompute_provisional: deadlines counted again on a newly imported calendar;
- coverage.coverage_warning: the calendar runs out in less than 60 days.

The return window needs no job: it is the stored `return_deadline_at`, compared with now by the
`return` action (409 after it) and by `allowed_actions` (which stops offering `return`).
"""

"""Telling departments (and the hotline's own staff) what happened to their orders (issue 14).

Dispatch, forward, urge, supervise (a supervisor's, or the scheduler's on red) and send-back
notify the department now holding the order: an SMS to its duty phone and an e-mail, each
switchable per department (`DepartmentContact`), and an in-app notice for each of its users.
The hotline's supervisors get in-app notices of what waits for them (a return, a reply to
review, an extension request).

Outbox: `record` writes the messages as rows in the action's own transaction (`perform` and
the scheduler's set-based sweep both call it), so a rolled-back action notifies nobody; the
`notifications` job sends them after the commit (`deliver`) and retries a failure with backoff.
A failed send never touches the order.
"""

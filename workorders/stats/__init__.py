"""Statistics of SPEC §7: the figures a hotline office is judged by, and how they are counted.

Every figure is computed for a period of local dates (the hotline's time zone; an order received
at 00:30 Beijing time belongs to that Beijing day), first and last day included, grouped by one
of: all, department, type, category, channel, district. The order events are the source of
truth; the daily roll-up (`stats_daily`) holds, per day and per group key, the counts below, so
a month's report adds up some thousand small rows instead of scanning orders.

Three families of figures, each with its own unit and its own day:

**Intake** — the orders *created* in the period (created_at's local date), as they stand now:

- received: orders created; invalid (不予受理) and merged (重复件) are counted separately and
  `valid received` = received − invalid − merged;
- direct answer rate = orders answered on the spot (an `answer` event, 直办) ÷ valid received.

**Handling** — the *dispatches* made in the period (the local date of the dispatch event). A
dispatch is one `dispatch`, `instruct` or `review`-with-redispatch event; it belongs to the lead
department it sends the order to. Each re-dispatch counts as a new dispatch — after a return,
and after a dissatisfied callback reopened the order (dissatisfied → review → redispatch) — so
the department that gets an order a second time is judged on it a second time. What became of
a dispatch is decided by the first `reply`, `return` or `archive` after it, as of now:

- dispatched: dispatches made;
- reply rate (回复办理率) = dispatches answered by a `reply` ÷ dispatched;
- on-time rate (按时办结率) = replies made by the due time ÷ replies. The due time is the one in
  force when the reply came: the limit from dispatch, moved by every approved extension, or the
  committed date of a commitment order (承诺件). It is the end of a local day (23:59:59) and
  that whole second is on time: a reply at 23:59:59.999 on the due day is on time, one at
  00:00:00 the next day is late;
- overdue rate (超期率) = (replies after the due time + dispatches still held by the department
  now and past their due time) ÷ dispatched;
- severe overdue (严重超期): dispatches that passed the severe threshold (SPEC §4, S working days
  after the due day) while the department held them — ended (replied, archived) after it, or
  still held now past it; the list of them is in the monthly report;
- returns (退件): dispatches that ended in a `return`; returns per 100 dispatched;
- average reply cycle (平均回复周期) = mean of (reply time − dispatch time) in days of 24 hours,
  over the replies; the cycle of a re-dispatched order starts again at its re-dispatch.

The roll-up keeps the dispatches still held (`stats_held`, with their current thresholds) as
well as the counts of those that ended, so "past due" and "past the severe threshold" are
compared with the moment of the report, and a report reads no order. Joint orders count for
their lead department.

**Callbacks** — the satisfaction callbacks made in the period (the local date of the
`callback` event), each callback once (a reopened order called back twice counts twice):

- callbacks reached: answered satisfied, basically satisfied or dissatisfied; an unreachable
  attempt is not a callback reached and is excluded from both rates; `unreachable` counts the
  orders closed as unreachable after the last attempt;
- resolution rate (解决率) = callbacks answered "resolved" ÷ callbacks reached;
- satisfaction rate (满意率) = (satisfied + basically satisfied) ÷ callbacks reached.

A callback belongs to the department whose reply it judges (the lead department of the last
reply before it), a direct answer's callback to no department.

**Groups.** Type, category, channel and district are the order's own (they can change only
while the order is `new`, so they are final once it was dispatched or answered). Department and
category figures include their sub-units and sub-categories (a district's row counts its
streets); the intake figures and the callbacks of direct answers, which have no department, are
on the department row "not dispatched" (key ""). A rate whose denominator is 0 is None.

**Roll-up maintenance** (`rollup`): a day's rows are rebuilt from scratch, set-based, from the
events of that day and the events they lead to. An event can change the figures of any day on
which its order has an event (a reply closes a dispatch made days earlier; classifying a new
order moves its intake day), so after new events the days of all events of the orders touched
are rebuilt. `check` computes the same figures by replaying events, independently.
"""

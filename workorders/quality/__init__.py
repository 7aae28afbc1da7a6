"""Quality inspection (质检): supervisors score a sample of the agents' handled orders.

- The checklist (`QualityItem`) is kept in the database: each item has its points; a score is the
  points given ÷ the points possible × 100. `DEFAULT_CHECKLIST` is installed when it is empty.
- The sample: each week, `SAMPLE_PERCENT` (default 2%) of the orders each agent created and
  handled (no longer `new`), at least one, drawn by a job (`draw_sample`); running it twice for the
  same week draws nothing more. A supervisor may also pick any order (`choose`).
- Walk: pending → scored (a supervisor) → the agent sees it and may appeal once → decided (a
  supervisor: the final score). The score an agent is judged on is the final one when there is one.
- Department users see nothing of it (403 in the web shell).
"""

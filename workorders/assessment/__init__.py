"""Department assessment (考核): one score per department and period from the SPEC §7 rates.

A *scheme* (`schemes.Scheme`) gives each rate a weight and each shortfall a deduction:

    base   = 100 × Σ weight·rate ÷ Σ weight        over the weighted rates the period has a value for
    minus  = Σ points·measure                        overdue rate and returns in percentage points,
                                                     severe overdue per dispatch; capped at `max_deduction`
    score  = max(0, base − minus), two decimals

A rate without a value (nothing dispatched, no callback reached) leaves the sum with its weight,
so a department is not punished for a figure nobody could measure; a department with no weighted
rate at all is not assessed. Departments are ranked against their peers (same parent: the city's
departments and districts together, a district's streets among themselves), best first, equal
scores sharing a rank (1, 2, 2, 4).

The scores are built on the roll-up's figures (`workorders.stats.figures.report`), never on the
orders. The presets and their sources (the seed documents) are in `schemes.PRESETS`.
"""

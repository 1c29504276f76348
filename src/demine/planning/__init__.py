"""Clearance planning: which hazard areas to clear first (priorities), who can clear them (capacity), when
(schedule, CP-SAT against a greedy ranking) and when the task will be done (Monte Carlo forecast).

The core works on plain tables (pandas) so that it runs the same on the register and on hand-built cases; the
register is read once by `inputs.load_planning_inputs`.
"""

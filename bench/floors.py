"""Hand-written SQL floors: one query each that returns the same numbers as the app.

The adherence rule (see ``apps.programs.adherence``): on every scheduled day of an active
program, an item active that day prescribes ``sets`` units (``sets x 2`` per side); completed
units are ``min(sets, logs)`` per side (left and right) or over all its logs for an unsided
item; a day is complete when completed ≥ prescribed > 0; logs on other days are activity.
"""

from __future__ import annotations

# Days an item prescribes in [lo, hi] of a patient row ``pt`` (columns id, lo, hi).
_DUE = """
    SELECT pt.id AS patient_id, d::date AS day, i.id AS item_id, i.sets,
           CASE WHEN i.per_side THEN 2 ELSE 1 END AS sides
    FROM pt
    JOIN programs_program pr ON pr.patient_id = pt.id AND NOT pr.is_template AND pr.is_active
    JOIN programs_programitem i ON i.program_id = pr.id
    CROSS JOIN LATERAL generate_series(greatest(pt.lo, pr.start_date, i.active_from),
                                       least(pt.hi, pr.end_date, i.active_until),
                                       interval '1 day') AS d
    WHERE (pr.weekdays >> (extract(isodow FROM d)::int - 1)) & 1 = 1
"""

# Completed units per scheduled (patient, day, item): capped per side.
_ITEM_DAYS = """
    SELECT due.patient_id, due.day, due.sets * due.sides AS prescribed,
           sum(least(due.sets, coalesce(logs.n, 0))) AS completed
    FROM due
    LEFT JOIN logs ON logs.item_id = due.item_id AND logs.day = due.day
                  AND (due.sides = 1 OR logs.side_key <> 'both')
    GROUP BY due.patient_id, due.day, due.item_id, due.sets, due.sides
"""

# Logs of the patients in ``pt`` within their [lo, hi], grouped per item, day and side key.
_LOGS = """
    SELECT l.patient_id, l.item_id, l.performed_on AS day,
           CASE WHEN i.per_side THEN l.side ELSE 'both' END AS side_key,
           count(*) AS n, sum(l.pain) AS pain_sum, max(l.pain) AS pain_max
    FROM pt
    JOIN patients_setlog l ON l.patient_id = pt.id AND l.performed_on BETWEEN pt.lo AND pt.hi
    JOIN programs_programitem i ON i.id = l.item_id
    GROUP BY 1, 2, 3, 4
"""

# Days in [lo, hi] that fall on a weekday of ``mask`` (Monday = bit 0), counted without
# walking the days: per weekday, the first such date and then one every seven days.
_WEEKDAYS_IN = """
    (SELECT coalesce(sum(CASE WHEN f.day > {hi} THEN 0 ELSE ({hi} - f.day) / 7 + 1 END), 0)
     FROM (SELECT {lo} + (w - extract(isodow FROM {lo})::int + 8) %% 7 AS day
           FROM generate_series(0, 6) AS w WHERE ({mask} >> w) & 1 = 1) AS f)
"""

REPORT_SQL = f"""
WITH pt AS (
    SELECT p.id, p.full_name, p.time_zone, coalesce(nullif(t.full_name, ''), t.email) AS therapist,
           %(start)s::date AS lo,
           least(%(end)s::date, (now() AT TIME ZONE p.time_zone)::date) AS hi
    FROM patients_patient p JOIN clinics_user t ON t.id = p.therapist_id
    WHERE p.clinic_id = %(clinic)s
), items AS MATERIALIZED (
    SELECT pt.id AS patient_id, pr.id AS program_id, pr.weekdays, i.id AS item_id, i.sets,
           CASE WHEN i.per_side THEN 2 ELSE 1 END AS sides,
           greatest(pt.lo, pr.start_date, i.active_from) AS lo,
           least(pt.hi, pr.end_date, i.active_until) AS hi
    FROM pt
    JOIN programs_program pr ON pr.patient_id = pt.id AND NOT pr.is_template AND pr.is_active
    JOIN programs_programitem i ON i.program_id = pr.id
), prescribed AS (
    SELECT patient_id,
           sum(sets * sides * {_WEEKDAYS_IN.format(lo="lo", hi="hi", mask="weekdays")}) AS units
    FROM items WHERE lo <= hi GROUP BY 1
), scheduled AS (
    -- A program's scheduled days: the union of its items' ranges on its weekdays.
    SELECT patient_id,
           sum({_WEEKDAYS_IN.format(lo="lower(r)", hi="upper(r) - 1", mask="weekdays")}) AS days
    FROM (SELECT patient_id, weekdays, unnest(range_agg(daterange(lo, hi, '[]'))) AS r
          FROM items WHERE lo <= hi GROUP BY patient_id, program_id, weekdays) AS ranges
    GROUP BY 1
), logs AS MATERIALIZED ({_LOGS}), counted AS (
    SELECT g.patient_id, g.day, least(it.sets, g.n) AS units
    FROM logs g JOIN items it ON it.item_id = g.item_id
    WHERE g.day BETWEEN it.lo AND it.hi
      AND (it.weekdays >> (extract(isodow FROM g.day)::int - 1)) & 1 = 1
      AND (it.sides = 1 OR g.side_key <> 'both')
), daily AS (
    SELECT patient_id, day, sum(units) AS completed FROM counted GROUP BY 1, 2
), due AS (
    SELECT d.patient_id, d.completed, sum(it.sets * it.sides) AS prescribed
    FROM daily d JOIN items it ON it.patient_id = d.patient_id AND d.day BETWEEN it.lo AND it.hi
     AND (it.weekdays >> (extract(isodow FROM d.day)::int - 1)) & 1 = 1
    GROUP BY d.patient_id, d.day, d.completed
), adherence AS (
    SELECT patient_id, sum(completed) AS completed,
           count(*) FILTER (WHERE completed >= prescribed) AS complete_days
    FROM due GROUP BY 1
), activity AS (
    SELECT patient_id, count(DISTINCT day) AS active_days, max(day) AS last_activity,
           round(sum(pain_sum)::numeric / sum(n), 1) AS avg_pain, max(pain_max) AS max_pain
    FROM logs GROUP BY 1
), approvals AS (
    SELECT pp.patient_id, count(*) AS n
    FROM pt JOIN programs_progressionprompt pp ON pp.patient_id = pt.id
    WHERE pp.status IN ('approved', 'auto_approved')
      AND (pp.decided_at AT TIME ZONE pt.time_zone)::date BETWEEN pt.lo AND pt.hi
    GROUP BY 1
), programs AS (
    SELECT pr.patient_id, string_agg(pr.name, '; ' ORDER BY pr.start_date, pr.id) AS names
    FROM pt JOIN programs_program pr ON pr.patient_id = pt.id AND NOT pr.is_template
    WHERE pr.start_date <= %(end)s AND (pr.end_date IS NULL OR pr.end_date >= %(start)s)
    GROUP BY 1
)
SELECT pt.full_name AS patient, pt.therapist, programs.names AS programs,
       coalesce(s.days, 0) AS scheduled_days, coalesce(pd.units, 0) AS prescribed,
       coalesce(a.completed, 0) AS completed,
       round(100.0 * coalesce(a.completed, 0) / nullif(pd.units, 0), 1) AS adherence_percent,
       coalesce(v.active_days, 0) AS active_days, coalesce(a.complete_days, 0) AS complete_days,
       v.last_activity, v.avg_pain, v.max_pain, coalesce(ap.n, 0) AS progressions
FROM pt
LEFT JOIN prescribed pd ON pd.patient_id = pt.id
LEFT JOIN scheduled s ON s.patient_id = pt.id
LEFT JOIN adherence a ON a.patient_id = pt.id
LEFT JOIN activity v ON v.patient_id = pt.id
LEFT JOIN approvals ap ON ap.patient_id = pt.id
LEFT JOIN programs ON programs.patient_id = pt.id
ORDER BY pt.full_name, pt.id
"""

DETAIL_SQL = """
SELECT p.full_name AS patient, t.full_name AS therapist, l.performed_on AS date,
       pr.name AS program, e.name AS exercise, l.ladder_level AS level, l.side,
       l.target_sets, l.target_reps, l.target_reps_up_to, l.target_hold_seconds,
       l.target_hold_up_to,
       CASE WHEN l.target_per_side THEN 'yes' ELSE 'no' END AS per_side,
       l.set_number, l.reps, l.hold_seconds, l.pain, l.difficulty
FROM patients_setlog l
JOIN patients_patient p ON p.id = l.patient_id
JOIN clinics_user t ON t.id = p.therapist_id
JOIN programs_programitem i ON i.id = l.item_id
JOIN programs_program pr ON pr.id = i.program_id
JOIN exercises_exercise e ON e.id = l.exercise_id
WHERE p.clinic_id = %(clinic)s AND l.performed_on BETWEEN %(start)s AND %(end)s
ORDER BY p.full_name, p.id, l.performed_on, l.logged_at, l.id
"""

DASHBOARD_SQL = f"""
WITH pt AS (
    SELECT p.id, (now() AT TIME ZONE p.time_zone)::date AS today,
           (now() AT TIME ZONE p.time_zone)::date - 30 AS lo,
           (now() AT TIME ZONE p.time_zone)::date AS hi
    FROM patients_patient p
    WHERE p.clinic_id = %(clinic)s AND p.therapist_id = %(therapist)s AND p.archived_at IS NULL
), due AS ({_DUE}), logs AS ({_LOGS}), item_days AS ({_ITEM_DAYS}),
totals AS (
    SELECT d.patient_id,
           sum(d.prescribed) FILTER (WHERE d.day >= pt.today - 6) AS week_prescribed,
           sum(d.completed) FILTER (WHERE d.day >= pt.today - 6) AS week_completed,
           sum(d.prescribed) FILTER (WHERE d.day >= pt.today - 29) AS month_prescribed,
           sum(d.completed) FILTER (WHERE d.day >= pt.today - 29) AS month_completed
    FROM item_days d JOIN pt ON pt.id = d.patient_id GROUP BY 1
), pain AS (
    SELECT logs.patient_id, max(logs.pain_max) AS week_pain_max
    FROM logs JOIN pt ON pt.id = logs.patient_id WHERE logs.day >= pt.today - 6 GROUP BY 1
), latest AS (
    SELECT pt.id AS patient_id,
           (SELECT max(l.performed_on) FROM patients_setlog l WHERE l.patient_id = pt.id)
               AS last_activity
    FROM pt
), missed AS (
    SELECT due.patient_id, count(DISTINCT due.day) AS days
    FROM due JOIN pt ON pt.id = due.patient_id JOIN latest ON latest.patient_id = pt.id
    WHERE due.day BETWEEN greatest(pt.today - 30, latest.last_activity + 1) AND pt.today - 1
    GROUP BY 1
), prompts AS (
    SELECT pp.patient_id, count(*) AS n
    FROM pt JOIN programs_progressionprompt pp ON pp.patient_id = pt.id
    WHERE pp.status = 'pending' GROUP BY 1
), ladders AS (
    SELECT pr.patient_id,
           string_agg((CASE WHEN i.level_since IS NOT NULL AND pt.today < i.level_since
                             AND i.previous_level IS NOT NULL
                            THEN i.previous_level ELSE i.current_level END)::text, ','
                      ORDER BY pr.start_date, i.position, i.id) AS levels
    FROM pt
    JOIN programs_program pr ON pr.patient_id = pt.id AND NOT pr.is_template AND pr.is_active
    JOIN programs_programitem i ON i.program_id = pr.id
    WHERE i.ladder_id IS NOT NULL AND (pr.end_date IS NULL OR pr.end_date >= pt.today)
      AND (i.active_from IS NULL OR i.active_from <= pt.today)
      AND (i.active_until IS NULL OR i.active_until >= pt.today)
    GROUP BY 1
)
SELECT pt.id, coalesce(t.week_prescribed, 0), coalesce(t.week_completed, 0),
       coalesce(t.month_prescribed, 0), coalesce(t.month_completed, 0), pain.week_pain_max,
       latest.last_activity, coalesce(prompts.n, 0), coalesce(missed.days, 0),
       coalesce(ladders.levels, '')
FROM pt
JOIN latest ON latest.patient_id = pt.id
LEFT JOIN totals t ON t.patient_id = pt.id
LEFT JOIN pain ON pain.patient_id = pt.id
LEFT JOIN missed ON missed.patient_id = pt.id
LEFT JOIN prompts ON prompts.patient_id = pt.id
LEFT JOIN ladders ON ladders.patient_id = pt.id
ORDER BY pt.id
"""

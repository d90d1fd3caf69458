-- The tasks one node runs, read through the running-task index with a plain index scan. A finished task's entry
-- stays in that index until vacuum, and under a steady stream a node leaves tens of thousands of them between
-- vacuums. The planner preferred a bitmap scan here, which visits the table row of every such entry on every call
-- and never marks one dead: 10 to 17 ms per call, which each node makes every second (it looks for claims whose
-- reply was lost), at 4,000 tasks/s. An index scan marks the entries of dead rows as it passes them, so each is
-- visited once and later calls step over it (0.06 ms). A sequential scan would read the whole table.
CREATE FUNCTION tasks_running_on(node text)
RETURNS SETOF server_task
LANGUAGE sql STABLE
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $$
    SELECT * FROM server_task
    WHERE server_node = node AND state IN ('Executing', 'Cancelling')
    ORDER BY queue_time DESC, number DESC
$$;

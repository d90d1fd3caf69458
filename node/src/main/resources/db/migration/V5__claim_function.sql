-- The claim, in one statement: take the cluster-wide claim lock, read the claim's one start time after it (so
-- start times follow queue order across nodes), pick the oldest queued tasks through the queued index, mark
-- them Executing for the claiming node and record each start in the execution table. Rows another node claimed
-- while this statement waited for the lock are still Queued in its snapshot, but FOR UPDATE re-reads their
-- newest version and skips them, so each task is claimed once.
--
-- It is a function for one setting: without statistics (a new installation's first burst of tasks) the planner
-- read every queued row through a bitmap and sorted them all on each claim, so claims slowed down as the queue
-- grew, and the queue grew because claims were slow. With bitmap scans off here, a claim walks the queued index
-- in order and stops after max_tasks rows, whatever the statistics say.
CREATE FUNCTION claim_tasks(claiming_node text, max_tasks integer) RETURNS SETOF server_task
LANGUAGE sql
SET enable_bitmapscan = off
AS $$
    WITH claim_lock AS MATERIALIZED (
        SELECT clock_timestamp() AS claimed_at FROM (SELECT pg_advisory_xact_lock(208666626)) AS locked
    ), claimed AS (
        UPDATE server_task
        SET state = 'Executing',
            server_node = claiming_node,
            start_time = (SELECT claimed_at FROM claim_lock),
            last_updated_time = (SELECT claimed_at FROM claim_lock)
        WHERE number IN (
            SELECT number FROM server_task
            WHERE EXISTS (SELECT FROM claim_lock)
              AND state = 'Queued'
              AND queue_time_expiry > now()
            ORDER BY queue_time, number
            LIMIT max_tasks
            FOR UPDATE SKIP LOCKED)
        RETURNING *
    ), executions AS (
        INSERT INTO server_task_execution (task_number, node_id)
        SELECT number, claiming_node FROM claimed
    )
    SELECT * FROM claimed ORDER BY queue_time, number
$$;

-- The claim as in V6 and V7, except that it can start reading the queued index at a queue time. A claimed task's
-- entry stays in the index until vacuum removes it, and a claim that starts at the beginning steps over every one
-- of them: under a steady 5,800 tasks/s that grew from 13 buffers per claim to 361 (10 ms) within a minute, until
-- claims fell behind the stream. A node passes the queue time of the newest task it claimed, less a margin for
-- tasks whose enqueueing transaction commits late (their queue time is the transaction's start), and now and then
-- passes nothing, which reads the whole queue. Without the argument the function claims as before, so nodes of the
-- previous version keep claiming while a rolling restart replaces them.
DROP FUNCTION claim_tasks(text, integer);
CREATE FUNCTION claim_tasks(claiming_node text, max_tasks integer, queued_from timestamptz DEFAULT NULL)
RETURNS SETOF server_task
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
SET lock_timeout = '10s'
AS $$
DECLARE
    claimed_at timestamptz;
BEGIN
    BEGIN
        PERFORM pg_advisory_lock(208666626);
        claimed_at := clock_timestamp();
        RETURN QUERY
        WITH claimed AS (
            UPDATE server_task
            SET state = 'Executing',
                server_node = claiming_node,
                start_time = claimed_at,
                last_updated_time = claimed_at
            WHERE number IN (
                SELECT number FROM server_task
                WHERE state = 'Queued'
                  AND queue_time >= coalesce(queued_from, '-infinity')
                  AND queue_time_expiry > now()
                ORDER BY queue_time, number
                LIMIT max_tasks
                FOR UPDATE SKIP LOCKED)
            RETURNING *
        ), executions AS (
            INSERT INTO server_task_execution (task_number, node_id)
            SELECT number, claiming_node FROM claimed
        )
        SELECT * FROM claimed ORDER BY queue_time, number;
        PERFORM pg_advisory_unlock(208666626);
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        IF EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                   AND classid = 0 AND objid = 208666626 AND objsubid = 1) THEN
            PERFORM pg_advisory_unlock(208666626);
        END IF;
        RAISE;
    END;
END;
$$;

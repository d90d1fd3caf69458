-- The claim as in V5, except for how long the claim lock is held. V5 took it for the transaction, so it was held
-- through the commit's WAL flush: claims from all nodes queued one flush after another, and under load the lock,
-- not the work, capped how many claims the cluster made per second. Now it is a session lock, released as soon
-- as the claim's rows are marked and locked. That keeps the order: the next claimer reads its start time after
-- this one's and skips this claim's rows (they stay row-locked until this transaction ends). A session lock
-- outlives an error, so every error, a cancel included, releases it before it is raised again. lock_timeout
-- turns a lock that is somehow never released into an error every node logs instead of a silent stop.
CREATE OR REPLACE FUNCTION claim_tasks(claiming_node text, max_tasks integer) RETURNS SETOF server_task
LANGUAGE plpgsql
SET enable_bitmapscan = off
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

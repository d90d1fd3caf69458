-- Every database function as it is now, in one place to read. Flyway applies only the versioned migrations
-- (migration/V*.sql); a change to a function is a new versioned migration plus the same change here, and
-- FunctionDefinitionsTest checks that this file creates exactly the functions a migrated database has. It is not a
-- repeatable migration on purpose: during a rolling update, or after a rollback, a node of the older version would
-- apply its older definitions over the newer ones, where it ignores versioned migrations newer than itself. The
-- versioned migration that last wrote each function keeps the measurements behind it; the comment on each function
-- here says why it is as it is.

-- Every node caches node settings; a change of a node's task cap or drain flag, or the deletion of its record, tells
-- every node at once (triggers node_settings_changed and node_deleted, V1; heard by cluster/Drain).
CREATE OR REPLACE FUNCTION notify_node_settings_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_node_settings', COALESCE(NEW.id, OLD.id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Every node caches the API keys; any change to them makes every node reload them (trigger api_keys_changed, V1).
CREATE OR REPLACE FUNCTION notify_api_keys_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_api_keys', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A cancel requested on any node reaches the node that runs the task (trigger task_cancelling, V2).
CREATE OR REPLACE FUNCTION notify_task_cancelling() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_task_cancelling', NEW.number::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The claim (queue/TaskQueue.claim): takes up to max_tasks queued tasks, oldest first, for claiming_node, marks them
-- Executing and counts the start in the row, in one statement and one round trip. Why it is as it is:
-- * The cluster-wide advisory lock, and the start time read after it, make start times follow queue order across
--   nodes. It is a session lock released as soon as the rows are marked, not at commit after the WAL flush, and
--   every error, a cancel included, releases it before it is raised again; lock_timeout turns a lock that is never
--   released into an error every node logs instead of a silent stop (V5, V6).
-- * Rows another node claimed while this one waited for the lock are still Queued in its snapshot; FOR UPDATE
--   re-reads their newest version and SKIP LOCKED skips them, so each task is claimed once (V5).
-- * With bitmap scans and sorts off, the planner walks the queued index in queue order and stops after max_tasks
--   rows, whatever the statistics say; they lag behind a steady stream (V5, V7).
-- * queued_from starts the read at a queue time, stepping over the index entries of claimed tasks that pile up
--   until vacuum: the node passes the queue time of the newest task it claimed less a margin, and now and then
--   nothing, which reads the whole queue. Without it the function claims as before (V8).
-- * The start is counted in start_count rather than in an execution row, which cost each claim two WAL records (V10).
CREATE OR REPLACE FUNCTION claim_tasks(claiming_node text, max_tasks integer, queued_from timestamptz DEFAULT NULL)
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
                last_updated_time = claimed_at,
                start_count = start_count + 1
            WHERE number IN (
                SELECT number FROM server_task
                WHERE state = 'Queued'
                  AND queue_time >= coalesce(queued_from, '-infinity')
                  AND queue_time_expiry > now()
                ORDER BY queue_time, number
                LIMIT max_tasks
                FOR UPDATE SKIP LOCKED)
            RETURNING *
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

-- The tasks one node runs (queue/TaskQueue.runningOn), read through the running-task index with a plain index scan,
-- which marks the entries of finished tasks dead as it passes them; a bitmap scan visited the table row of every
-- such entry on every call, and each node calls this every second (V9).
CREATE OR REPLACE FUNCTION tasks_running_on(node text)
RETURNS SETOF server_task
LANGUAGE sql STABLE
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $$
    SELECT * FROM server_task
    WHERE server_node = node AND state IN ('Executing', 'Cancelling')
    ORDER BY queue_time DESC, number DESC
$$;

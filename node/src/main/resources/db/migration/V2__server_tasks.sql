-- The one FIFO task queue shared by all nodes.
CREATE SEQUENCE server_task_seq;
CREATE TABLE server_task (
    number                 bigint PRIMARY KEY DEFAULT nextval('server_task_seq'),
    space_id               text        NOT NULL REFERENCES space (id),
    name                   text        NOT NULL,
    description            text        NOT NULL DEFAULT '',
    arguments              jsonb       NOT NULL DEFAULT '{}',
    state                  text        NOT NULL CHECK (state IN
                               ('Queued', 'Executing', 'Cancelling', 'Success', 'Failed', 'Canceled', 'TimedOut')),
    queue_time             timestamptz NOT NULL DEFAULT now(),
    queue_time_expiry      timestamptz NOT NULL,
    start_time             timestamptz,
    completed_time         timestamptz,
    last_updated_time      timestamptz NOT NULL DEFAULT now(),
    server_node            text,
    error_message          text,
    has_warnings_or_errors boolean     NOT NULL DEFAULT false
);

-- Claims read only queued rows in queue order: a partial index stays small however many tasks have finished.
CREATE INDEX server_task_queued ON server_task (queue_time, number) WHERE state = 'Queued';
-- Running counts per node, and the offline sweep.
CREATE INDEX server_task_active ON server_task (server_node) WHERE state IN ('Executing', 'Cancelling');
-- Listing newest first, and retention by age.
CREATE INDEX server_task_completed ON server_task (completed_time) WHERE completed_time IS NOT NULL;

-- The queue churns: vacuum it often so dead rows do not pile up in the queued index.
ALTER TABLE server_task SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                             fillfactor = 80);

-- Every start of a task, written in the claim transaction and never updated: proof that no task ran twice.
CREATE TABLE server_task_execution (
    task_number bigint      NOT NULL REFERENCES server_task (number) ON DELETE CASCADE,
    node_id     text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_number, node_id, started_at)
);

-- Expiry sweeps read queued rows by their deadline.
CREATE INDEX server_task_queued_expiry ON server_task (queue_time_expiry) WHERE state = 'Queued';

-- A new task wakes idle nodes at once.
CREATE FUNCTION notify_task_queued() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_task_queued', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER task_queued
    AFTER INSERT ON server_task
    FOR EACH STATEMENT EXECUTE FUNCTION notify_task_queued();

-- A cancel requested on any node reaches the node that runs the task.
CREATE FUNCTION notify_task_cancelling() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_task_cancelling', NEW.number::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER task_cancelling
    AFTER UPDATE OF state ON server_task
    FOR EACH ROW
    WHEN (NEW.state = 'Cancelling' AND OLD.state IS DISTINCT FROM 'Cancelling')
    EXECUTE FUNCTION notify_task_cancelling();

-- Recurring system tasks: whichever node first moves next_run_at forward enqueues that run; no leader.
CREATE TABLE recurring_task (
    name        text PRIMARY KEY,
    interval_ms bigint      NOT NULL CHECK (interval_ms > 0),
    next_run_at timestamptz NOT NULL
);

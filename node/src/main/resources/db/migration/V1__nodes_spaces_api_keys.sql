-- Cluster membership: one row per node that ever registered. Times come from the database clock.
CREATE TABLE octopus_server_node (
    id                     text PRIMARY KEY,
    name                   text        NOT NULL UNIQUE,
    max_concurrent_tasks   integer     NOT NULL CHECK (max_concurrent_tasks BETWEEN 0 AND 1000),
    is_in_maintenance_mode boolean     NOT NULL DEFAULT false,
    -- SIGTERM received: the node drains itself without changing the persisted maintenance flag.
    is_shutting_down       boolean     NOT NULL DEFAULT false,
    -- Set by a clean exit, cleared by the next check-in: the node is offline at once.
    has_stopped            boolean     NOT NULL DEFAULT false,
    -- Each node is judged offline by its own setting, which is what its self-fencing is timed against.
    offline_after_ms       bigint      NOT NULL CHECK (offline_after_ms > 0),
    last_seen              timestamptz NOT NULL,
    registered_at          timestamptz NOT NULL,
    version                text        NOT NULL
);

-- Every node caches node settings; any change to them tells every node at once.
CREATE FUNCTION notify_node_settings_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_node_settings', COALESCE(NEW.id, OLD.id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER node_settings_changed
    AFTER UPDATE OF max_concurrent_tasks, is_in_maintenance_mode ON octopus_server_node
    FOR EACH ROW
    WHEN (OLD.max_concurrent_tasks IS DISTINCT FROM NEW.max_concurrent_tasks
          OR OLD.is_in_maintenance_mode IS DISTINCT FROM NEW.is_in_maintenance_mode)
    EXECUTE FUNCTION notify_node_settings_changed();

CREATE TRIGGER node_deleted
    AFTER DELETE ON octopus_server_node
    FOR EACH ROW EXECUTE FUNCTION notify_node_settings_changed();

CREATE TABLE installation (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    installation_id uuid        NOT NULL DEFAULT gen_random_uuid(),
    created         timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;

CREATE TABLE space (
    id          text PRIMARY KEY,
    name        text    NOT NULL UNIQUE,
    description text    NOT NULL DEFAULT '',
    is_default  boolean NOT NULL DEFAULT false
);
INSERT INTO space (id, name, description, is_default) VALUES ('Spaces-1', 'Default', 'The default space', true);

CREATE SEQUENCE api_key_seq;
CREATE TABLE api_key (
    id           text PRIMARY KEY DEFAULT 'APIKeys-' || nextval('api_key_seq'),
    purpose      text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('Administrator', 'Operator', 'Viewer')),
    -- SHA-256 of the key: keys are long random strings, so a fast hash is safe and the lookup is an index probe.
    key_hash     bytea       NOT NULL UNIQUE,
    key_prefix   text        NOT NULL,
    created      timestamptz NOT NULL DEFAULT now(),
    last_used    timestamptz,
    -- The key generated and logged by the first node when no admin key is configured: only ever one.
    is_generated_bootstrap boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX api_key_one_generated_bootstrap ON api_key (is_generated_bootstrap) WHERE is_generated_bootstrap;

CREATE FUNCTION notify_api_keys_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('octopus_api_keys', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_keys_changed
    AFTER INSERT OR DELETE OR UPDATE OF role, key_hash ON api_key
    FOR EACH STATEMENT EXECUTE FUNCTION notify_api_keys_changed();

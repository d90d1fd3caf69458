-- The audit trail (GET /api/events): who changed what, from which address, through which node. Rows are only
-- ever inserted. Who is the API key's id and its purpose at the time, never the key.
CREATE SEQUENCE event_seq;
CREATE TABLE event (
    number               bigint      PRIMARY KEY DEFAULT nextval('event_seq'),
    category             text        NOT NULL,
    message              text        NOT NULL,
    -- The database clock, as for every other time in the cluster.
    occurred             timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Null for a client without a valid key (LoginFailed).
    api_key_id           text,
    username             text        NOT NULL,
    ip_address           text        NOT NULL,
    server_node          text        NOT NULL,
    related_document_ids text[]      NOT NULL DEFAULT '{}'
);
CREATE INDEX event_by_occurred ON event (occurred, number);
CREATE INDEX event_by_document ON event USING gin (related_document_ids);

-- The last change an API call made to a node's settings (drain, task cap), for the Nodes page.
ALTER TABLE octopus_server_node
    ADD COLUMN last_modified_on timestamptz,
    ADD COLUMN last_modified_by text;

-- Packages in the built-in repository. The file lives on the shared directory at
-- packages/<space_id>/<package_id>.<version><file_extension>; the row is written in the same transaction
-- that renames the finished upload into place.
CREATE TABLE package (
    space_id       text        NOT NULL REFERENCES space (id),
    id             text        NOT NULL,
    package_id     text        NOT NULL,
    version        text        NOT NULL,
    file_extension text        NOT NULL,
    size_bytes     bigint      NOT NULL CHECK (size_bytes > 0),
    hash           text        NOT NULL,
    published      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, id)
);
CREATE INDEX package_by_package_id ON package (space_id, package_id);

-- Files a task attached, kept on the shared directory at artifacts/<task id>/<file_name>.
CREATE SEQUENCE artifact_seq;
CREATE TABLE artifact (
    id          text PRIMARY KEY DEFAULT 'Artifacts-' || nextval('artifact_seq'),
    task_number bigint      NOT NULL REFERENCES server_task (number) ON DELETE CASCADE,
    space_id    text        NOT NULL REFERENCES space (id),
    file_name   text        NOT NULL,
    size_bytes  bigint      NOT NULL,
    created     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (task_number, file_name)
);

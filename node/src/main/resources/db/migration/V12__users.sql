-- Users, as Octopus's API has them: an API key belongs to a user (GET /api/users/me, /api/users/{id}/apikeys). Users
-- here are service accounts with a role; every key of a user has the user's role. The bootstrap administrator keys
-- (OCTOPUS_ADMIN_API_KEY, or the generated one) belong to Users-1; each other key that existed before this
-- migration becomes a user of its own, named after the key's purpose.
CREATE SEQUENCE octopus_user_seq START 2;
CREATE TABLE octopus_user (
    id           text PRIMARY KEY DEFAULT 'Users-' || nextval('octopus_user_seq'),
    display_name text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('Administrator', 'Operator', 'Viewer')),
    created      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO octopus_user (id, display_name, role) VALUES ('Users-1', 'Bootstrap administrator', 'Administrator');

ALTER TABLE api_key ADD COLUMN user_id text REFERENCES octopus_user (id) ON DELETE CASCADE;
UPDATE api_key SET user_id = 'Users-1' WHERE is_generated_bootstrap OR purpose LIKE 'Bootstrap administrator%';
DO $$
DECLARE
    k record;
    u text;
BEGIN
    FOR k IN SELECT id, purpose, role, created FROM api_key WHERE user_id IS NULL ORDER BY created, id LOOP
        INSERT INTO octopus_user (display_name, role, created) VALUES (k.purpose, k.role, k.created) RETURNING id INTO u;
        UPDATE api_key SET user_id = u WHERE id = k.id;
    END LOOP;
END;
$$;
ALTER TABLE api_key ALTER COLUMN user_id SET NOT NULL;
CREATE INDEX api_key_by_user ON api_key (user_id);

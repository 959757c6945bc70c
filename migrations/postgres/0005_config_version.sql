-- The configuration version: every configuration write (apps, agents, authorization servers
-- and what they hold, connections, links, signing keys) bumps it in its own transaction, so
-- every process serving from an in-memory snapshot learns of the change: at once through the
-- NOTIFY this trigger sends when the write commits, or at its next poll of the row.
CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE FUNCTION notify_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('baton_config', NEW.version::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER config_version_notify AFTER UPDATE ON config_version
    FOR EACH ROW EXECUTE FUNCTION notify_config_version();

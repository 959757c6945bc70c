-- The configuration version: every configuration write (apps, agents, authorization servers
-- and what they hold, connections, links, signing keys) bumps it in its own transaction, so
-- every process serving from an in-memory snapshot learns of the change at its next poll of
-- the row (two processes may share one SQLite file).
CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

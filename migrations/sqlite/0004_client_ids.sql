-- One namespace of client ids for apps and AI agents: an app may never take an agent's `wlp…`
-- id (nor an agent an app's client id), whatever path writes the row (API, console, seed), so
-- a client id always names exactly one principal. Triggers keep the registry in step with both
-- tables inside the writing transaction; its primary key refuses a second owner.
CREATE TABLE client_ids (
    client_id TEXT PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL
);

-- Existing rows: agents first, so the agent owns its id; an app that already took an agent's
-- id is left without a registry row and deactivated (it could only have been made to pose as
-- that agent).
UPDATE apps SET status = 'INACTIVE' WHERE client_id IN (SELECT id FROM agents);
INSERT INTO client_ids (client_id, owner_type, owner_id) SELECT id, 'agent', id FROM agents;
INSERT OR IGNORE INTO client_ids (client_id, owner_type, owner_id) SELECT client_id, 'app', id FROM apps;

CREATE TRIGGER apps_client_id_insert AFTER INSERT ON apps
BEGIN
    INSERT INTO client_ids (client_id, owner_type, owner_id) VALUES (NEW.client_id, 'app', NEW.id);
END;

CREATE TRIGGER apps_client_id_update AFTER UPDATE OF client_id ON apps WHEN NEW.client_id IS NOT OLD.client_id
BEGIN
    DELETE FROM client_ids WHERE client_id = OLD.client_id AND owner_type = 'app' AND owner_id = OLD.id;
    INSERT INTO client_ids (client_id, owner_type, owner_id) VALUES (NEW.client_id, 'app', NEW.id);
END;

CREATE TRIGGER apps_client_id_delete AFTER DELETE ON apps
BEGIN
    DELETE FROM client_ids WHERE client_id = OLD.client_id AND owner_type = 'app' AND owner_id = OLD.id;
END;

CREATE TRIGGER agents_client_id_insert AFTER INSERT ON agents
BEGIN
    INSERT INTO client_ids (client_id, owner_type, owner_id) VALUES (NEW.id, 'agent', NEW.id);
END;

CREATE TRIGGER agents_client_id_delete AFTER DELETE ON agents
BEGIN
    DELETE FROM client_ids WHERE client_id = OLD.id AND owner_type = 'agent' AND owner_id = OLD.id;
END;

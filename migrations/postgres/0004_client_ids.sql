-- One namespace of client ids for apps and AI agents: an app may never take an agent's `wlp…`
-- id (nor an agent an app's client id), whatever path writes the row (API, console, seed), so
-- a client id always names exactly one principal. Triggers keep the registry in step with both
-- tables inside the writing transaction; its primary key refuses a second owner.
CREATE TABLE client_ids (
    client_id TEXT COLLATE "C" PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL
);

-- Existing rows: agents first, so the agent owns its id; an app that already took an agent's
-- id is left without a registry row and deactivated (it could only have been made to pose as
-- that agent).
UPDATE apps SET status = 'INACTIVE' WHERE client_id IN (SELECT id FROM agents);
INSERT INTO client_ids (client_id, owner_type, owner_id) SELECT id, 'agent', id FROM agents;
INSERT INTO client_ids (client_id, owner_type, owner_id)
    SELECT client_id, 'app', id FROM apps ON CONFLICT (client_id) DO NOTHING;

CREATE FUNCTION client_ids_of_apps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM client_ids WHERE client_id = OLD.client_id AND owner_type = 'app' AND owner_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO client_ids (client_id, owner_type, owner_id) VALUES (NEW.client_id, 'app', NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER apps_client_id AFTER INSERT OR DELETE OR UPDATE OF client_id ON apps
    FOR EACH ROW EXECUTE FUNCTION client_ids_of_apps();

CREATE FUNCTION client_ids_of_agents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM client_ids WHERE client_id = OLD.id AND owner_type = 'agent' AND owner_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO client_ids (client_id, owner_type, owner_id) VALUES (NEW.id, 'agent', NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_client_id AFTER INSERT OR DELETE OR UPDATE OF id ON agents
    FOR EACH ROW EXECUTE FUNCTION client_ids_of_agents();

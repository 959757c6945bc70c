-- Brokered consent (xaa.md §5): who asked (A, the current actor) and through which subject
-- client (C), shown on the consent page; and when an approval was revoked.
ALTER TABLE consent_requests ADD COLUMN actor_id TEXT;
ALTER TABLE consent_requests ADD COLUMN subject_client_id TEXT;
ALTER TABLE consent_requests ADD COLUMN revoked INTEGER;
CREATE INDEX consent_requests_party ON consent_requests (user_id, client_id, auth_server_id);

-- System Log keyword search (`GET /api/v1/logs?q=`) from an index instead of parsing every
-- event's JSON body. `search` holds, lower-cased and one per line, the fields a keyword is
-- looked for in (okta-surface.md §12): displayMessage, eventType, the actor's id, alternateId
-- and displayName, outcome.reason, client.ipAddress, and each target's id, alternateId and
-- displayName. baton writes it with the event (domain::LogRecord::search_text); events written
-- before this migration get it here. A pg_trgm GIN index serves `search LIKE '%keyword%'`.
-- pg_trgm ships with Postgres (contrib) and is a trusted extension, so the database's owner
-- may create it; where it cannot be created, keyword search still works by reading this one
-- column, without the index.

ALTER TABLE log_events ADD COLUMN search TEXT NOT NULL DEFAULT '';

UPDATE log_events SET search = lower(concat_ws(E'\n',
    body::jsonb ->> 'displayMessage',
    event_type,
    actor_id,
    body::jsonb #>> '{actor,alternateId}',
    body::jsonb #>> '{actor,displayName}',
    body::jsonb #>> '{outcome,reason}',
    body::jsonb #>> '{client,ipAddress}',
    (SELECT string_agg(concat_ws(E'\n', t ->> 'id', t ->> 'alternateId', t ->> 'displayName'), E'\n')
       FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body::jsonb -> 'target') = 'array'
                                      THEN body::jsonb -> 'target' ELSE '[]'::jsonb END) t)
));

DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm could not be created (%): System Log keyword search will not be indexed', SQLERRM;
END $$;

-- The operator class is named with the extension's schema, which need not be on search_path.
DO $$
DECLARE
    trgm_schema name;
BEGIN
    SELECT n.nspname INTO trgm_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX log_events_search ON log_events USING gin (search %I.gin_trgm_ops)', trgm_schema);
    END IF;
END $$;

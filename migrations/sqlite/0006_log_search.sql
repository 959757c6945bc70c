-- System Log keyword search (`GET /api/v1/logs?q=`) from an index instead of parsing every
-- event's JSON body. `search` holds, lower-cased and one per line, the fields a keyword is
-- looked for in (okta-surface.md §12): displayMessage, eventType, the actor's id, alternateId
-- and displayName, outcome.reason, client.ipAddress, and each target's id, alternateId and
-- displayName. baton writes it with the event (domain::LogRecord::search_text); events written
-- before this migration get it here. `log_search` is an FTS5 trigram index over that column
-- (substrings of three characters or more), kept in step with log_events by the triggers below.

ALTER TABLE log_events ADD COLUMN search TEXT NOT NULL DEFAULT '';

UPDATE log_events SET search = lower(
    coalesce(json_extract(body, '$.displayMessage'), '') || char(10) ||
    event_type || char(10) ||
    actor_id || char(10) ||
    coalesce(json_extract(body, '$.actor.alternateId'), '') || char(10) ||
    coalesce(json_extract(body, '$.actor.displayName'), '') || char(10) ||
    coalesce(json_extract(body, '$.outcome.reason'), '') || char(10) ||
    coalesce(json_extract(body, '$.client.ipAddress'), '') ||
    coalesce((SELECT group_concat(
        char(10) || coalesce(json_extract(j.value, '$.id'), '') ||
        char(10) || coalesce(json_extract(j.value, '$.alternateId'), '') ||
        char(10) || coalesce(json_extract(j.value, '$.displayName'), ''), '')
      FROM json_each(log_events.body, '$.target') j), '')
);

CREATE VIRTUAL TABLE log_search USING fts5(
    search, content = 'log_events', content_rowid = 'seq', tokenize = 'trigram'
);
INSERT INTO log_search (log_search) VALUES ('rebuild');

CREATE TRIGGER log_search_insert AFTER INSERT ON log_events BEGIN
    INSERT INTO log_search (rowid, search) VALUES (new.seq, new.search);
END;
CREATE TRIGGER log_search_delete AFTER DELETE ON log_events BEGIN
    INSERT INTO log_search (log_search, rowid, search) VALUES ('delete', old.seq, old.search);
END;

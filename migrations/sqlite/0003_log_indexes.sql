-- Indexes for the filters of GET /api/v1/logs (okta-surface.md §12). Each leads with the
-- filtered column and ends with the order the query reads in: `published` for bounded
-- queries, `seq` for polling. Already there from 0001: (published, seq), (event_type,
-- published), (actor_id, published), (transaction_id), uuid (unique), targets (target_id, seq).

-- Failures (`outcome.result eq "FAILURE"`), the admin console's most common view.
CREATE INDEX log_events_outcome ON log_events (outcome_result, published);
-- Everything one OAuth client did (`client.id eq …`).
CREATE INDEX log_events_client ON log_events (client_id, published);
-- SIEM pollers usually follow one event type in storage order.
CREATE INDEX log_events_type_seq ON log_events (event_type, seq);
-- `target.type eq …` (e.g. every event naming an AuthorizationServer).
CREATE INDEX log_event_targets_type ON log_event_targets (target_type, seq);

//! The System Log table.

use super::StoreResult;
use crate::domain::{LogRecord, Millis};
use async_trait::async_trait;

/// A bounded or polling read of the log. The SCIM filter of `/api/v1/logs` compiles down to
/// these fields where it can.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// Inclusive lower bound on `published`.
    pub since: Option<Millis>,
    /// Exclusive upper bound on `published`.
    pub until: Option<Millis>,
    /// Cursor: the `seq` of the last event of the previous page. Only events after it (before
    /// it, descending) in the query's order are returned.
    pub after_seq: Option<i64>,
    /// Order by storage sequence (System Log polling) instead of by `published` then `seq`.
    /// Storage order never skips an event whose `published` is earlier than one already read.
    pub storage_order: bool,
    pub event_type: Option<String>,
    pub transaction_id: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub outcome_result: Option<String>,
    pub descending: bool,
    pub limit: i64,
    /// A parsed `/api/v1/logs` filter over `LOG_FILTER_ATTRIBUTES`, compiled to SQL.
    pub filter: Option<crate::audit::filter::Expr>,
    /// `q` keywords: each must occur (case-insensitive) in one of the searchable fields.
    pub keywords: Vec<String>,
}

/// The attributes `/api/v1/logs` filters accept (okta-surface.md §12, case-sensitive).
pub const LOG_FILTER_ATTRIBUTES: &[&str] = &[
    "uuid",
    "eventType",
    "legacyEventType",
    "severity",
    "displayMessage",
    "outcome.result",
    "outcome.reason",
    "actor.id",
    "actor.type",
    "actor.alternateId",
    "actor.displayName",
    "target.id",
    "target.type",
    "target.alternateId",
    "client.id",
    "client.ipAddress",
    "transaction.id",
    "transaction.detail.requestApiTokenId",
    "authenticationContext.rootSessionId",
    "authenticationContext.externalSessionId",
    "debugContext.debugData.requestId",
];

#[async_trait]
pub trait LogStore {
    /// Events that record no other state change (e.g. a rejected request).
    async fn append_events(&self, events: &[LogRecord]) -> StoreResult<()>;
    /// Events with their storage sequence numbers (the cursor for `after`).
    async fn list_events(&self, query: &LogQuery) -> StoreResult<Vec<(i64, LogRecord)>>;
}

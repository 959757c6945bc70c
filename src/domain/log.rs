//! The stored form of a System Log event: the Okta `LogEvent` JSON as written, plus the fields
//! the `/api/v1/logs` filters and the admin console search on, as columns.

use super::Millis;

#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub uuid: String,
    pub published: Millis,
    pub event_type: String,
    pub severity: String,
    pub outcome_result: String,
    pub actor_id: String,
    pub client_id: Option<String>,
    pub transaction_id: String,
    /// `(target.id, target.type)` of every target.
    pub targets: Vec<(String, String)>,
    /// The whole `LogEvent`, in Okta's shape.
    pub body: serde_json::Value,
}

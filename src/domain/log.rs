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

impl LogRecord {
    /// What a `q` keyword of `/api/v1/logs` is looked for in, lower-cased, one field per line
    /// (a keyword never holds a line break, so it cannot match across two fields): the
    /// displayMessage, eventType, the actor's id, alternateId and displayName, outcome.reason,
    /// client.ipAddress, and each target's id, alternateId and displayName. Stored beside the
    /// event and indexed for substring search.
    #[must_use]
    pub fn search_text(&self) -> String {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        let body = &self.body;
        let mut fields = vec![
            text(&body["displayMessage"]),
            self.event_type.clone(),
            self.actor_id.clone(),
            text(&body["actor"]["alternateId"]),
            text(&body["actor"]["displayName"]),
            text(&body["outcome"]["reason"]),
            text(&body["client"]["ipAddress"]),
        ];
        for target in body["target"].as_array().into_iter().flatten() {
            fields.extend(["id", "alternateId", "displayName"].map(|k| text(&target[k])));
        }
        fields.join("\n").to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::LogRecord;
    use serde_json::json;

    #[test]
    fn search_text_holds_each_searched_field_on_its_own_line() {
        let record = LogRecord {
            uuid: "u".into(),
            published: 0,
            event_type: "app.oauth2.as.token.grant".into(),
            severity: "INFO".into(),
            outcome_result: "FAILURE".into(),
            actor_id: "0oaApp".into(),
            client_id: None,
            transaction_id: "t".into(),
            targets: vec![],
            body: json!({
                "displayMessage": "OAuth2 token grant",
                "actor": {"alternateId": "Ana@Example.com", "displayName": "Ana"},
                "outcome": {"reason": "invalid_grant"},
                "client": {"ipAddress": null},
                "target": [{"id": "aus1", "alternateId": "Orders", "displayName": null}],
            }),
        };
        assert_eq!(
            record.search_text(),
            "oauth2 token grant\napp.oauth2.as.token.grant\n0oaapp\nana@example.com\nana\ninvalid_grant\n\naus1\norders\n"
        );
    }
}

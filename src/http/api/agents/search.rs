//! `GET /ai-agents?search=` (okta-surface.md §13): `status eq "…"`, `appId eq "…"` and
//! `profile.name` with `eq`, `sw` or `co`, combined with `and`, `or`, `not` and parentheses
//! (the SCIM filter grammar of `audit::filter`). Anything else is 400 `E0000031`.

use crate::audit::filter::{self, Expr, Op};
use crate::domain::{Agent, TextEnum};
use crate::http::error::OktaError;
use axum::http::StatusCode;

fn invalid() -> OktaError {
    OktaError::new(StatusCode::BAD_REQUEST, "E0000031", "Invalid search criteria.")
}

/// Parses `expr` and checks that it uses only the supported attributes and operators.
pub(crate) fn parse(expr: &str) -> Result<Expr, OktaError> {
    let parsed = filter::parse(expr).map_err(|_| invalid())?;
    let allowed = |(attr, op): &(&str, Op)| match *attr {
        "status" | "appId" => *op == Op::Eq,
        "profile.name" => matches!(op, Op::Eq | Op::Sw | Op::Co),
        _ => false,
    };
    if parsed.comparisons().iter().all(allowed) {
        Ok(parsed)
    } else {
        Err(invalid())
    }
}

/// True when `agent` satisfies `expr` (values compare case-insensitively).
pub(crate) fn matches(expr: &Expr, agent: &Agent) -> bool {
    filter::matches(expr, &|attr| match attr {
        "status" => vec![agent.status.as_str().to_owned()],
        "appId" => agent.app_id.iter().cloned().collect(),
        "profile.name" => vec![agent.name.clone()],
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_supported_forms_parse() {
        assert!(parse(r#"status eq "ACTIVE" and profile.name sw "Trip""#).is_ok());
        assert!(parse(r#"appId eq "0oa1""#).is_ok());
        assert!(parse(r#"profile.name co "plan""#).is_ok());
        for bad in ["", "status", r#"status sw "A""#, r#"id eq "x""#, r#"appId co "0oa""#, r#"status eq "A"#] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}

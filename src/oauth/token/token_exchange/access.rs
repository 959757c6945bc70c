//! The agent access policy of a token exchange (xaa.md §4.4): X's ACTIVE resource connection
//! to the audience AS, the `resource` it allows, and the granted scopes
//! `(S_req ∩ S_conn ∩ S_as) − S_sys`, in the order of the request (or of the connection when
//! nothing was requested).

use super::{errors, Request};
use crate::domain::{AuthServer, ConnectionStatus, ResourceConnection};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::token::log::GrantLog;
use crate::store::Store;

/// System scopes, never put in an ID-JAG.
const SYSTEM_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

#[derive(Debug)]
pub struct Access {
    pub connection: ResourceConnection,
    pub granted: Vec<String>,
}

#[tracing::instrument(name = "policy.agent_access", level = "debug", skip_all)]
pub async fn evaluate(
    store: &dyn Store,
    x: &Client,
    server: &AuthServer,
    grant: &Request,
    log: &mut GrantLog,
) -> Result<Access, OAuthError> {
    let connection = store.find_connection_to(x.object_id(), &server.id).await?;
    let Some(connection) = connection.filter(|c| c.status == ConnectionStatus::Active) else {
        return Err(errors::no_connection());
    };
    log.debug("resource_connection_id", connection.id.clone());
    if grant.resource_repeated {
        return Err(errors::resource());
    }
    if let Some(resource) = grant.resource.as_deref() {
        let allowed = match connection.resource_indicator.as_deref() {
            Some(indicator) => indicator == resource,
            None => server.allowed_resources().contains(&resource),
        };
        if !allowed {
            return Err(errors::resource());
        }
    }
    let requested = if grant.scope.is_empty() { connection.scopes.clone() } else { grant.scope.clone() };
    log.scopes("requested_scopes", &requested);
    let defined: Vec<String> = store.list_scopes(&server.id).await?.into_iter().map(|s| s.name).collect();
    let granted = grant_scopes(&requested, &connection.scopes, &defined);
    let denied: Vec<String> = requested.iter().filter(|s| !granted.contains(s)).cloned().collect();
    if !denied.is_empty() {
        log.scopes("denied_scopes", &denied);
    }
    if granted.is_empty() {
        return Err(OAuthError::invalid_scope());
    }
    log.scopes("granted_scopes", &granted);
    Ok(Access { connection, granted })
}

/// `(requested ∩ connection ∩ defined) − S_sys`, in the order of `requested`, without repeats.
fn grant_scopes(requested: &[String], connection: &[String], defined: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in requested {
        if connection.contains(s) && defined.contains(s) && !SYSTEM_SCOPES.contains(&s.as_str()) && !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
    }

    #[test]
    fn intersection_keeps_request_order_and_drops_system_scopes() {
        let conn = v("a b openid c");
        let defined = v("c b a openid");
        assert_eq!(grant_scopes(&v("c x a openid"), &conn, &defined), v("c a"));
        assert_eq!(grant_scopes(&v("openid email"), &conn, &defined), Vec::<String>::new());
        assert_eq!(grant_scopes(&conn, &conn, &v("a c")), v("a c"));
    }
}

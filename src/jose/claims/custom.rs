//! Custom claims of a custom authorization server (okta-surface.md §11.4, §7.2, §7.3, §6.3).
//!
//! - Which: ACTIVE claims of the asked `claimType` whose `conditions.scopes` is empty or shares
//!   a scope with the grant. RESOURCE claims go into access tokens. IDENTITY claims go to
//!   `/userinfo`; an ID token only takes those with `alwaysIncludeInToken`.
//! - `EXPRESSION`: baton's subset of the Okta Expression Language, `user.<profile attribute>`
//!   (absent or `null` → the claim is omitted) or a string literal in double or single quotes.
//!   `validate_expression` is the Management API's check; anything else is rejected there.
//! - `GROUPS`: the names of the user's groups that pass `group_filter_type` (`STARTS_WITH`,
//!   `EQUALS`, `CONTAINS`, or `REGEX`, which must match the whole name) with `value` as the
//!   pattern; an array, omitted when no group passes, and more than 100 fails the request.
//!   Comparisons are case-sensitive.
//! - `SYSTEM` is reserved and yields nothing. Without a user (client credentials) the
//!   user-dependent claims (`user.*`, `GROUPS`) are omitted; literals still apply.
//! - The first claim of a name wins.

use super::ClaimError;
use crate::domain::{Claim, ClaimType, ClaimValueType, Group, Status, User};
use regex::Regex;
use serde_json::{json, Map, Value};

/// Most group names a token or userinfo response may carry (okta-surface.md §7.3).
pub const MAX_GROUPS: usize = 100;

/// A parsed EXPRESSION value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expr<'a> {
    /// `user.<attr>`: a profile attribute.
    UserAttr(&'a str),
    /// `"text"` or `'text'`.
    Literal(&'a str),
}

/// Whether the Management API accepts `value` for an EXPRESSION claim: `user.<attr>` with
/// `<attr>` an identifier (`[A-Za-z_][A-Za-z0-9_]*`), or a quoted string literal.
#[must_use]
pub fn validate_expression(value: &str) -> bool {
    parse_expression(value).is_some()
}

/// Whether the Management API accepts a GROUPS claim's `group_filter_type` and `value`: one of
/// the four filter types, and for `REGEX` a pattern that compiles.
#[must_use]
pub fn validate_group_filter(filter_type: &str, value: &str) -> bool {
    match filter_type {
        "STARTS_WITH" | "EQUALS" | "CONTAINS" => true,
        "REGEX" => anchored(value).is_ok(),
        _ => false,
    }
}

/// Okta's "matches regex" is a match of the whole name.
fn anchored(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

fn parse_expression(value: &str) -> Option<Expr<'_>> {
    let value = value.trim();
    if let Some(attr) = value.strip_prefix("user.") {
        let mut chars = attr.chars();
        let head_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let tail_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        return (head_ok && tail_ok).then_some(Expr::UserAttr(attr));
    }
    ['"', '\''].into_iter().find_map(|q| {
        let inner = value.strip_prefix(q)?.strip_suffix(q)?;
        (!inner.contains(q)).then_some(Expr::Literal(inner))
    })
}

/// The custom claims of `kind` that apply to a grant of `scopes`, evaluated for `user` (and
/// their groups), in claim order. `for_id_token` keeps only IDENTITY claims with
/// `alwaysIncludeInToken`; userinfo passes `false` and gets all of them.
pub fn evaluate_claims(
    claims: &[Claim],
    kind: ClaimType,
    scopes: &[String],
    user: Option<(&User, &[Group])>,
    for_id_token: bool,
) -> Result<Map<String, Value>, ClaimError> {
    let mut out = Map::new();
    let applies = |c: &&Claim| {
        c.status == Status::Active
            && c.claim_type == kind
            && (c.scopes.is_empty() || c.scopes.iter().any(|s| scopes.contains(s)))
            && !(for_id_token && kind == ClaimType::Identity && !c.always_include_in_token)
    };
    for claim in claims.iter().filter(applies) {
        if out.contains_key(&claim.name) {
            continue;
        }
        if let Some(value) = claim_value(claim, user)? {
            out.insert(claim.name.clone(), value);
        }
    }
    Ok(out)
}

/// One claim's value; `None` when it is omitted.
fn claim_value(claim: &Claim, user: Option<(&User, &[Group])>) -> Result<Option<Value>, ClaimError> {
    match claim.value_type {
        ClaimValueType::Expression => {
            let expr = parse_expression(&claim.value).ok_or_else(|| ClaimError::InvalidExpression {
                claim: claim.name.clone(),
                value: claim.value.clone(),
            })?;
            Ok(match expr {
                Expr::Literal(text) => Some(json!(text)),
                Expr::UserAttr(attr) => user.and_then(|(u, _)| u.profile.0.get(attr)).filter(|v| !v.is_null()).cloned(),
            })
        }
        ClaimValueType::Groups => match user {
            Some((_, groups)) => groups_value(claim, groups),
            None => Ok(None),
        },
        ClaimValueType::System => Ok(None),
    }
}

/// The names of `groups` passing the claim's filter; `None` when none does.
fn groups_value(claim: &Claim, groups: &[Group]) -> Result<Option<Value>, ClaimError> {
    let bad = |detail: String| ClaimError::InvalidGroupFilter { claim: claim.name.clone(), detail };
    let pattern = claim.value.as_str();
    let names: Vec<&str> = match claim.group_filter_type.as_deref() {
        Some("STARTS_WITH") => filter_names(groups, |n| n.starts_with(pattern)),
        Some("EQUALS") => filter_names(groups, |n| n == pattern),
        Some("CONTAINS") => filter_names(groups, |n| n.contains(pattern)),
        Some("REGEX") => {
            let re = anchored(pattern).map_err(|e| bad(e.to_string()))?;
            filter_names(groups, |n| re.is_match(n))
        }
        other => return Err(bad(format!("unknown group_filter_type {other:?}"))),
    };
    if names.len() > MAX_GROUPS {
        return Err(ClaimError::TooManyGroups { claim: claim.name.clone(), count: names.len() });
    }
    Ok((!names.is_empty()).then(|| json!(names)))
}

fn filter_names(groups: &[Group], keep: impl Fn(&str) -> bool) -> Vec<&str> {
    groups.iter().map(|g| g.name.as_str()).filter(|n| keep(n)).collect()
}

#[cfg(test)]
mod tests;

//! Request parameters of the OAuth endpoints: a form body (or query) parsed once; empty values
//! count as absent (okta-surface.md §3); repeated names are remembered so each endpoint can
//! reject them with `invalid_request` naming the parameter. Reading them from an HTTP request
//! is `http::form`'s business.

use crate::oauth::error::OAuthError;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
    repeated: Vec<String>,
}

impl Params {
    /// Parses `a=b&c=d`, keeping the first non-empty value of each name.
    #[must_use]
    pub fn parse(encoded: &[u8]) -> Self {
        let mut p = Self::default();
        let mut seen = std::collections::BTreeSet::new();
        for (k, v) in url::form_urlencoded::parse(encoded) {
            if !seen.insert(k.to_string()) && !p.repeated.contains(&k.to_string()) {
                p.repeated.push(k.to_string());
            }
            if !v.is_empty() {
                p.values.entry(k.into_owned()).or_insert_with(|| v.into_owned());
            }
        }
        p
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::missing(name))
    }

    #[must_use]
    pub fn is_repeated(&self, name: &str) -> bool {
        self.repeated.iter().any(|r| r == name)
    }

    /// Fails on the first repeated parameter other than those in `allowed`.
    pub fn ensure_unique(&self, allowed: &[&str]) -> Result<(), OAuthError> {
        match self.repeated.iter().find(|r| !allowed.contains(&r.as_str())) {
            Some(name) => Err(OAuthError::repeated(name)),
            None => Ok(()),
        }
    }

    /// Sets `name` unless the body already has it (e.g. a public client's `client_id` sent in
    /// the query of an introspection request, okta-surface.md §6.1).
    pub fn insert_if_absent(&mut self, name: &str, value: &str) {
        if !value.is_empty() {
            self.values.entry(name.to_owned()).or_insert_with(|| value.to_owned());
        }
    }

    /// Names present with a non-empty value.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_absent_and_repeats_are_reported() {
        let p = Params::parse(b"scope=&grant_type=x&grant_type=y&a=%2B1");
        assert_eq!(p.get("scope"), None);
        assert_eq!(p.get("grant_type"), Some("x"));
        assert_eq!(p.get("a"), Some("+1"));
        assert!(p.is_repeated("grant_type"));
        assert_eq!(p.ensure_unique(&[]).unwrap_err().description, "The 'grant_type' parameter was repeated.");
        assert!(p.ensure_unique(&["grant_type"]).is_ok());
        assert_eq!(p.require("scope").unwrap_err().error, "invalid_request");
    }
}

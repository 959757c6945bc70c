//! Small pure helpers shared by the seed appliers: id and enumeration checks whose errors name
//! the entry, and the id-or-natural-key matching rule.

use crate::domain::ids::Prefix;
use crate::domain::TextEnum;
use anyhow::{anyhow, bail, Result};

/// Object ids are a 3-character prefix plus 17 base62 characters (xaa.md §1.2); the custom
/// AS id `default` is the one exception, allowed by the caller.
pub(super) fn check_id(id: &str, prefix: Prefix, path: &str) -> Result<()> {
    let p = prefix.as_str();
    if id.len() != 20 || !id.starts_with(p) || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        bail!("{path}.id: \"{id}\" is not a valid id: expected \"{p}\" followed by 17 letters or digits");
    }
    Ok(())
}

/// True when `r` has the shape of an id with `prefix`, so a reference is looked up by id.
pub(super) fn looks_like(r: &str, prefix: Prefix) -> bool {
    r.len() == 20 && r.starts_with(prefix.as_str()) && r.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A domain enumeration from its Okta spelling, restricted to `allowed` when given.
pub(super) fn parse_enum<T: TextEnum + PartialEq>(value: &str, allowed: Option<&[T]>, field: &str) -> Result<T> {
    let names: Vec<&str> =
        T::ALL.iter().filter(|(v, _)| allowed.is_none_or(|a| a.contains(v))).map(|(_, s)| *s).collect();
    match T::parse(value) {
        Some(v) if allowed.is_none_or(|a| a.contains(&v)) => Ok(v),
        _ => Err(anyhow!("{field}: unknown value \"{value}\"; expected one of {}", names.join(", "))),
    }
}

/// `value` if it is one of `allowed`.
pub(super) fn one_of(value: &str, allowed: &[&str], field: &str) -> Result<String> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        bail!("{field}: unknown value \"{value}\"; expected one of {}", allowed.join(", "))
    }
}

pub(super) fn non_empty(value: &str, field: &str) -> Result<()> {
    if value.trim().is_empty() {
        bail!("{field}: must not be empty");
    }
    Ok(())
}

/// An absolute URL (`https://…`, `http://…`, `api://…`, custom schemes for native apps).
pub(super) fn check_url(value: &str, field: &str) -> Result<()> {
    url::Url::parse(value).map_err(|e| anyhow!("{field}: \"{value}\" is not an absolute URL ({e})"))?;
    Ok(())
}

pub(super) fn check_urls(values: &[String], field: &str) -> Result<()> {
    for (i, v) in values.iter().enumerate() {
        check_url(v, &format!("{field}[{i}]"))?;
    }
    Ok(())
}

/// The matching rule for an entry: by id when it gives one, else by natural key.
///
/// - id given and found: that entity (a natural key held by a different entity is a conflict);
/// - id given, not found, natural key held by another entity: an error naming both;
/// - no id: whatever holds the natural key.
pub(super) fn pick<T>(
    path: &str,
    id: Option<&str>,
    by_id: Option<T>,
    by_key: Option<T>,
    id_of: impl Fn(&T) -> &str,
    key_desc: &str,
) -> Result<Option<T>> {
    match (id, by_id, by_key) {
        (Some(id), Some(_), Some(other)) if id_of(&other) != id => {
            bail!("{path}: {key_desc} already belongs to {}, so {id} cannot take it", id_of(&other))
        }
        (Some(_), Some(found), _) => Ok(Some(found)),
        (Some(id), None, Some(other)) => {
            bail!("{path}: {key_desc} already belongs to {}, not to {id}", id_of(&other))
        }
        (Some(_), None, None) => Ok(None),
        (None, _, by_key) => Ok(by_key),
    }
}

/// The event for a status change, if any: `{base}.activate` or `{base}.deactivate`.
pub(super) fn lifecycle_event(base: &str, was_active: bool, is_active: bool) -> Option<String> {
    match (was_active, is_active) {
        (false, true) => Some(format!("{base}.activate")),
        (true, false) => Some(format!("{base}.deactivate")),
        _ => None,
    }
}

//! Throttling of failed sign-ins (`/login` and `/api/v1/authn` alike): after
//! `MAX_FAILURES` failures within `WINDOW_MS`, further attempts are refused, without checking
//! the password, until the oldest of those failures leaves the window (a sliding window, so an
//! attacker gets at most `MAX_FAILURES` guesses per window).
//!
//! - Per user: counted from the System Log (`user.session.start` FAILURE events targeting the
//!   user), so every replica sharing the database sees the same count.
//! - Per client address, and per typed username (which also covers usernames that do not
//!   exist, so that being throttled does not reveal which accounts are real): counted in this
//!   process's memory.
//!
//! Refused attempts are logged with reason `LOCKED_OUT` and are not counted, so a locked-out
//! user is free again one window after the last real guess rather than never.

use crate::domain::Millis;
use crate::store::{LogQuery, Store, StoreResult};
use std::collections::HashMap;
use std::sync::Mutex;

/// Failures that trigger the throttle.
pub const MAX_FAILURES: usize = 5;
/// The window they are counted in, which is also the longest cooling period.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// `outcome.reason` of an attempt refused by the throttle.
pub const LOCKED_OUT: &str = "LOCKED_OUT";
/// The event whose FAILURE outcomes are counted per user.
pub const SIGN_IN_EVENT: &str = "user.session.start";
/// Past this many keys, entries without a recent failure are dropped.
const MAX_KEYS: usize = 10_000;

/// When the throttle opens again, given the failure times (any order) and the current time;
/// `None` when attempts are allowed now.
#[must_use]
pub fn blocked_until(failures: &[Millis], now: Millis) -> Option<Millis> {
    let mut recent: Vec<Millis> = failures.iter().copied().filter(|t| *t > now - WINDOW_MS && *t <= now).collect();
    if recent.len() < MAX_FAILURES {
        return None;
    }
    recent.sort_unstable();
    // The attempt is allowed again once only MAX_FAILURES - 1 failures remain in the window.
    Some(recent[recent.len() - MAX_FAILURES] + WINDOW_MS)
}

/// In-memory failure times per key (`ip:…`, `login:…`). One per process, in `AppState`.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, Vec<Millis>>>,
}

impl SignInLimiter {
    /// The latest time any of `keys` stays blocked, if one is.
    #[must_use]
    pub fn blocked_until(&self, keys: &[String], now: Millis) -> Option<Millis> {
        let map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.iter().filter_map(|k| map.get(k).and_then(|times| blocked_until(times, now))).max()
    }

    /// Records one failure under each key.
    pub fn record_failure(&self, keys: &[String], now: Millis) {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| times.iter().any(|t| *t > now - WINDOW_MS));
        }
        for key in keys {
            let times = map.entry(key.clone()).or_default();
            times.retain(|t| *t > now - WINDOW_MS);
            times.push(now);
        }
    }
}

/// The keys an attempt is counted under in memory.
#[must_use]
pub fn memory_keys(ip: Option<&str>, username: &str) -> Vec<String> {
    vec![format!("ip:{}", ip.unwrap_or("unknown")), format!("login:{}", username.to_lowercase())]
}

/// Until when the user is throttled, from the failures the System Log holds for them.
pub async fn user_blocked_until(store: &dyn Store, user_id: &str, now: Millis) -> StoreResult<Option<Millis>> {
    let query = LogQuery {
        since: Some(now - WINDOW_MS),
        event_type: Some(SIGN_IN_EVENT.to_owned()),
        target_id: Some(user_id.to_owned()),
        outcome_result: Some("FAILURE".to_owned()),
        descending: true,
        limit: 100,
        ..LogQuery::default()
    };
    let events = store.list_events(&query).await?;
    let times: Vec<Millis> = events
        .iter()
        .filter(|(_, e)| e.body["outcome"]["reason"].as_str() != Some(LOCKED_OUT))
        .map(|(_, e)| e.published)
        .collect();
    Ok(blocked_until(&times, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn blocks_after_max_failures_within_the_window() {
        let now = 100 * MIN;
        let four: Vec<Millis> = (0..4).map(|i| now - i * MIN).collect();
        assert_eq!(blocked_until(&four, now), None);
        let five: Vec<Millis> = (0..5).map(|i| now - i * MIN).collect();
        // Open again when the oldest of the five (4 min ago) is 15 min old.
        assert_eq!(blocked_until(&five, now), Some(now - 4 * MIN + WINDOW_MS));
    }

    #[test]
    fn old_failures_do_not_count() {
        let now = 100 * MIN;
        let times = [now - 16 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN, now];
        assert_eq!(blocked_until(&times, now), None);
    }

    #[test]
    fn limiter_tracks_keys_separately_and_expires() {
        let limiter = SignInLimiter::default();
        let a = memory_keys(Some("10.0.0.1"), "Alice@Example.com");
        assert_eq!(a, vec!["ip:10.0.0.1".to_owned(), "login:alice@example.com".to_owned()]);
        let b = memory_keys(Some("10.0.0.2"), "bob");
        for i in 0..5 {
            limiter.record_failure(&a, i * 1000);
        }
        assert_eq!(limiter.blocked_until(&a, 5000), Some(WINDOW_MS));
        assert_eq!(limiter.blocked_until(&b, 5000), None);
        // Same address, another username: the address key blocks it.
        assert!(limiter.blocked_until(&memory_keys(Some("10.0.0.1"), "carol"), 5000).is_some());
        assert_eq!(limiter.blocked_until(&a, WINDOW_MS + 1), None);
    }
}

//! Throttling and lockout of failed sign-ins (`/login`, `/admin/login` and `/api/v1/authn`
//! alike). Three budgets, so that no single one lets an attacker lock everyone out:
//!
//! - Per (typed username, client address): after `PER_ACCOUNT_ADDRESS` failures within
//!   `WINDOW_MS`, further attempts of that pair are refused without checking the password,
//!   until the oldest of those failures leaves the window (a sliding window). Counted in this
//!   process's memory; it covers usernames that do not exist too.
//! - Per client address, over all usernames: a larger budget (`PER_ADDRESS`), so password
//!   spraying from one address is bounded while many users behind one proxy or NAT are not
//!   locked out by one of them. The address is the peer's, or the `X-Forwarded-For` client
//!   named by a configured trusted proxy (`http::context`).
//! - Per account: Okta's password-policy lockout. `lockout_attempts` consecutive failures
//!   (counted from the System Log since the user's last successful sign-in or status change,
//!   so every replica sees the same count) move the user to `LOCKED_OUT`; an admin unlocks
//!   them (`POST /api/v1/users/{id}/lifecycle/unlock`), or the auto-unlock period does.
//!
//! Refused attempts are logged with reason `LOCKED_OUT` and are not counted.

use crate::domain::{Millis, User};
use crate::store::{LogQuery, Store, StoreResult};
use std::collections::HashMap;
use std::sync::Mutex;

/// Failures of one (username, address) pair that trigger the throttle.
pub const PER_ACCOUNT_ADDRESS: usize = 5;
/// Failures from one address over all usernames that trigger the throttle.
pub const PER_ADDRESS: usize = 50;
/// The window they are counted in, which is also the longest cooling period.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// `outcome.reason` of an attempt refused by the throttle or the lockout.
pub const LOCKED_OUT: &str = "LOCKED_OUT";
/// The event whose outcomes are counted per user.
pub const SIGN_IN_EVENT: &str = "user.session.start";
/// Past this many keys, entries without a recent failure are dropped.
const MAX_KEYS: usize = 10_000;

/// When the throttle opens again, given the failure times (any order), the budget and the
/// current time; `None` when attempts are allowed now.
#[must_use]
pub fn blocked_until(failures: &[Millis], budget: usize, now: Millis) -> Option<Millis> {
    let mut recent: Vec<Millis> = failures.iter().copied().filter(|t| *t > now - WINDOW_MS && *t <= now).collect();
    if recent.len() < budget {
        return None;
    }
    recent.sort_unstable();
    // The attempt is allowed again once only budget - 1 failures remain in the window.
    Some(recent[recent.len() - budget] + WINDOW_MS)
}

/// A throttle key and its budget.
pub type Key = (String, usize);

/// In-memory failure times per key. One per process, in `AppState`.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, Vec<Millis>>>,
}

impl SignInLimiter {
    /// The latest time any of `keys` stays blocked, if one is.
    #[must_use]
    pub fn blocked_until(&self, keys: &[Key], now: Millis) -> Option<Millis> {
        let map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.iter().filter_map(|(k, budget)| map.get(k).and_then(|times| blocked_until(times, *budget, now))).max()
    }

    /// Records one failure under each key.
    pub fn record_failure(&self, keys: &[Key], now: Millis) {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| times.iter().any(|t| *t > now - WINDOW_MS));
        }
        for (key, _) in keys {
            let times = map.entry(key.clone()).or_default();
            times.retain(|t| *t > now - WINDOW_MS);
            times.push(now);
        }
    }
}

/// The keys an attempt is counted under in memory: its address, and its (username, address).
#[must_use]
pub fn memory_keys(ip: Option<&str>, username: &str) -> Vec<Key> {
    let ip = ip.unwrap_or("unknown");
    vec![(format!("ip:{ip}"), PER_ADDRESS), (format!("login:{}|ip:{ip}", username.to_lowercase()), PER_ACCOUNT_ADDRESS)]
}

/// The user's failed sign-ins since their last successful one or status change (an unlock),
/// newest first, from the System Log; refused attempts (`LOCKED_OUT`) do not count. Looks at
/// most `limit` failures back.
pub async fn consecutive_failures(store: &dyn Store, user: &User, limit: usize) -> StoreResult<usize> {
    let since = [user.status_changed, user.last_login, Some(user.created)].into_iter().flatten().max();
    let query = LogQuery {
        since,
        event_type: Some(SIGN_IN_EVENT.to_owned()),
        target_id: Some(user.id.clone()),
        descending: true,
        limit: (2 * limit).max(10) as i64,
        ..LogQuery::default()
    };
    let events = store.list_events(&query).await?;
    let mut failures = 0;
    for (_, e) in &events {
        match e.body["outcome"]["result"].as_str() {
            Some("SUCCESS") => break,
            Some("FAILURE") if e.body["outcome"]["reason"].as_str() != Some(LOCKED_OUT) => failures += 1,
            _ => {}
        }
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn blocks_after_the_budget_within_the_window() {
        let now = 100 * MIN;
        let four: Vec<Millis> = (0..4).map(|i| now - i * MIN).collect();
        assert_eq!(blocked_until(&four, 5, now), None);
        let five: Vec<Millis> = (0..5).map(|i| now - i * MIN).collect();
        // Open again when the oldest of the five (4 min ago) is 15 min old.
        assert_eq!(blocked_until(&five, 5, now), Some(now - 4 * MIN + WINDOW_MS));
        assert_eq!(blocked_until(&five, 6, now), None);
    }

    #[test]
    fn old_failures_do_not_count() {
        let now = 100 * MIN;
        let times = [now - 16 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN, now];
        assert_eq!(blocked_until(&times, 5, now), None);
    }

    #[test]
    fn one_account_failing_from_an_address_does_not_block_the_others() {
        let limiter = SignInLimiter::default();
        let alice = memory_keys(Some("10.0.0.1"), "Alice@Example.com");
        assert_eq!(
            alice,
            vec![("ip:10.0.0.1".to_owned(), PER_ADDRESS), ("login:alice@example.com|ip:10.0.0.1".to_owned(), 5)]
        );
        for i in 0..5 {
            limiter.record_failure(&alice, i * 1000);
        }
        assert_eq!(limiter.blocked_until(&alice, 5000), Some(WINDOW_MS));
        // Same address, another username: not blocked (the address budget is larger).
        assert_eq!(limiter.blocked_until(&memory_keys(Some("10.0.0.1"), "carol"), 5000), None);
        // Same username from another address: not blocked here (the account lockout is the
        // System Log's, across addresses).
        assert_eq!(limiter.blocked_until(&memory_keys(Some("10.0.0.2"), "alice@example.com"), 5000), None);
        assert_eq!(limiter.blocked_until(&alice, WINDOW_MS + 1), None);
    }

    #[test]
    fn an_address_spraying_many_accounts_is_blocked() {
        let limiter = SignInLimiter::default();
        for i in 0..PER_ADDRESS {
            limiter.record_failure(&memory_keys(Some("10.0.0.9"), &format!("user{i}")), 1000);
        }
        assert!(limiter.blocked_until(&memory_keys(Some("10.0.0.9"), "fresh"), 2000).is_some());
        assert!(limiter.blocked_until(&memory_keys(Some("10.0.0.8"), "fresh"), 2000).is_none());
    }
}

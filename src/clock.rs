//! The server clock. Every time baton reads travels through `AppState.clock`, so a test can
//! freeze or advance it and see expiry without sleeping.

use crate::domain::Millis;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

const NOT_FROZEN: i64 = i64::MIN;

#[derive(Debug, Clone)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    frozen_ms: Arc<AtomicI64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self { offset_ms: Arc::new(AtomicI64::new(0)), frozen_ms: Arc::new(AtomicI64::new(NOT_FROZEN)) }
    }
}

impl Clock {
    /// Unix time in milliseconds as baton sees it.
    #[must_use]
    pub fn now_ms(&self) -> Millis {
        let frozen = self.frozen_ms.load(Ordering::SeqCst);
        if frozen != NOT_FROZEN {
            return frozen;
        }
        system_ms() + self.offset_ms.load(Ordering::SeqCst)
    }

    /// Unix time in seconds (JWT `iat`/`exp`).
    #[must_use]
    pub fn now_s(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Stops the clock at `at`.
    pub fn freeze_at(&self, at: Millis) {
        self.frozen_ms.store(at, Ordering::SeqCst);
    }

    /// Moves the clock forward (or back, if negative), frozen or not.
    pub fn advance(&self, by_ms: i64) {
        if self.frozen_ms.load(Ordering::SeqCst) == NOT_FROZEN {
            self.offset_ms.fetch_add(by_ms, Ordering::SeqCst);
        } else {
            self.frozen_ms.fetch_add(by_ms, Ordering::SeqCst);
        }
    }

    /// True while the clock is stopped (`freeze_at`).
    #[must_use]
    pub fn is_frozen(&self) -> bool {
        self.frozen_ms.load(Ordering::SeqCst) != NOT_FROZEN
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.frozen_ms.store(NOT_FROZEN, Ordering::SeqCst);
        self.offset_ms.store(0, Ordering::SeqCst);
    }
}

fn system_ms() -> Millis {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    now.as_millis() as i64
}

/// ISO 8601 UTC with milliseconds, as Okta's Management API renders times.
#[must_use]
pub fn iso8601(ms: Millis) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&f).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freeze_advance_reset() {
        let c = Clock::default();
        c.freeze_at(1_000_000);
        assert_eq!(c.now_ms(), 1_000_000);
        c.advance(500);
        assert_eq!(c.now_ms(), 1_000_500);
        assert_eq!(c.now_s(), 1000);
        c.reset();
        assert!(c.now_ms() > 1_700_000_000_000);
        c.advance(3_600_000);
        assert!(c.now_ms() > system_ms() + 3_500_000);
    }

    #[test]
    fn iso_format_has_millis() {
        assert_eq!(iso8601(1_772_357_462_353), "2026-03-01T09:31:02.353Z");
    }
}

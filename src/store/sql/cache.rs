//! The configuration snapshot: what the token path reads on every request (apps and their
//! secrets and keys, agents, authorization servers with their scopes, claims, policies, rules
//! and trusted issuers, connections, delegation links, signing keys) is served from memory
//! after its first read, so a token costs no configuration query.
//!
//! Each entry is filled lazily and the whole snapshot is dropped when configuration changes:
//! - in this process, after every configuration write commits (`config_tx!`), before the
//!   write's caller answers (read-your-writes);
//! - in other processes on the same database, through the `config_version` row every
//!   configuration write bumps in its transaction: Postgres announces it with `NOTIFY
//!   baton_config` (a trigger), and every process also polls the row (`watch`), which covers a
//!   lost notification and two processes on one SQLite file.
//!
//! A read that raced with a write never stores what it read: entries are only kept when the
//! generation they were read under is still current (see [`ConfigCache::insert`]).

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Entries by kind, then key: a lookup borrows the key, so a hit allocates nothing.
type Entries = HashMap<&'static str, HashMap<String, Arc<dyn Any + Send + Sync>>>;

#[derive(Default)]
pub struct ConfigCache {
    /// Bumped on every invalidation; guarded together with `entries` by its lock.
    generation: AtomicU64,
    entries: Mutex<Entries>,
    /// The last `config_version` seen in the database (by `watch`).
    seen_version: AtomicU64,
}

impl ConfigCache {
    /// The current generation, to pass to [`insert`](Self::insert) after a load.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A cached value of `kind` for `key`.
    pub fn get<T: Clone + Send + Sync + 'static>(&self, kind: &'static str, key: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(kind).and_then(|of_kind| of_kind.get(key)).and_then(|v| v.downcast_ref::<T>()).cloned()
    }

    /// Keeps `value`, read while `generation` was current, unless configuration changed since.
    pub fn insert<T: Send + Sync + 'static>(&self, kind: &'static str, key: &str, generation: u64, value: T) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) == generation {
            entries.entry(kind).or_default().insert(key.to_owned(), Arc::new(value));
        }
    }

    /// Drops every entry: configuration changed.
    pub fn invalidate(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Records the database's `config_version`; invalidates when another process changed it.
    pub fn observe_version(&self, version: u64) {
        if self.seen_version.swap(version, Ordering::AcqRel) != version {
            self.invalidate();
        }
    }
}

/// `$load` (a `StoreResult<T>` future) served from `$store`'s configuration snapshot under
/// (`$kind`, `$key`).
macro_rules! cached {
    ($store:expr, $kind:expr, $key:expr, $load:expr) => {{
        let key: &str = $key;
        if let Some(hit) = $store.cache.get($kind, key) {
            Ok(hit)
        } else {
            let generation = $store.cache.generation();
            let value = $load.await?;
            $store.cache.insert($kind, key, generation, value.clone());
            Ok(value)
        }
    }};
}

/// `write_tx!` for a configuration write: bumps `config_version` in the same transaction
/// (announced to other processes), and drops this process's snapshot once it committed.
macro_rules! config_tx {
    ($store:expr, $events:expr, |$tx:ident| $body:expr) => {{
        let result: $crate::store::StoreResult<_> = (async {
            $crate::store::sql::write_tx!($store, $events, |$tx| {
                let out = $body;
                sqlx::query("UPDATE config_version SET version = version + 1").execute(&mut *$tx).await?;
                out
            })
        })
        .await;
        $store.cache.invalidate();
        result
    }};
}

pub(crate) use {cached, config_tx};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = ConfigCache::default();
        let before = cache.generation();
        cache.insert("app", "0oa1", before, 1u32);
        assert_eq!(cache.get::<u32>("app", "0oa1"), Some(1));
        let stale = cache.generation();
        cache.invalidate();
        assert_eq!(cache.get::<u32>("app", "0oa1"), None);
        cache.insert("app", "0oa1", stale, 2u32);
        assert_eq!(cache.get::<u32>("app", "0oa1"), None, "read before the write: dropped");
        cache.insert("app", "0oa1", cache.generation(), 3u32);
        assert_eq!(cache.get::<u32>("app", "0oa1"), Some(3));
        assert_eq!(cache.get::<String>("app", "0oa1"), None, "another type is a miss");
    }

    #[test]
    fn another_process_changing_the_version_invalidates() {
        let cache = ConfigCache::default();
        cache.observe_version(4);
        cache.insert("app", "x", cache.generation(), 1u8);
        cache.observe_version(4);
        assert_eq!(cache.get::<u8>("app", "x"), Some(1));
        cache.observe_version(5);
        assert_eq!(cache.get::<u8>("app", "x"), None);
    }
}

//! `LogStore` over SQL: the System Log. Events are appended by `write_tx!` with the change they
//! record; reads filter on the indexed columns (`/api/v1/logs` filters compile to `LogQuery`)
//! and page by storage sequence number.

mod scim;
mod trigrams;

pub(crate) use trigrams::SampleCache;

use super::rows::{all, LogRow};
use super::{with_pool, Pool, SqlStore};
use crate::domain::LogRecord;
use crate::store::{LogQuery, LogStore, StoreResult};
use async_trait::async_trait;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

const LOG_COLS: &str =
    "seq, uuid, published, event_type, severity, outcome_result, actor_id, client_id, transaction_id, body";

/// Most sequence numbers bound in one target lookup (far below either backend's bind limit).
const TARGET_CHUNK: usize = 500;

/// A value bound to a query assembled at run time.
#[derive(Clone)]
enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    Owned(String),
}

/// The conditions of a WHERE clause, each holding the placeholder of its own bound value.
#[derive(Default)]
struct Filter<'a> {
    conds: Vec<String>,
    args: Vec<Arg<'a>>,
}

impl<'a> Filter<'a> {
    /// Adds `cond`, in which `$?` stands for the placeholder of `arg`.
    fn push(&mut self, cond: &str, arg: Arg<'a>) {
        self.args.push(arg);
        self.conds.push(cond.replace("$?", &format!("${}", self.args.len())));
    }

    fn int(&mut self, cond: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.push(cond, Arg::Int(v));
        }
    }

    fn text(&mut self, cond: &str, value: Option<&'a str>) {
        if let Some(v) = value {
            self.push(cond, Arg::Text(v));
        }
    }

    /// Adds a condition whose placeholders were allocated from `self.args` already.
    fn raw(&mut self, cond: String) {
        self.conds.push(cond);
    }

    fn where_clause(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conds.join(" AND "))
        }
    }
}

#[async_trait]
impl LogStore for SqlStore {
    async fn append_events(&self, events: &[LogRecord]) -> StoreResult<()> {
        // Group commit, like the token path's issuances.
        self.writer.write(&crate::store::Issuance::default(), events).await
    }

    async fn list_events(&self, query: &LogQuery) -> StoreResult<Vec<(i64, LogRecord)>> {
        // Only the conditions that are set reach the SQL, so each query can use its index.
        let mut filter = Filter::default();
        filter.int("published >= $?", query.since);
        filter.int("published < $?", query.until);
        // The cursor is a position in the chosen order: storage order compares `seq` alone;
        // `published` order compares (published, seq) against the cursor event's own pair.
        let (cmp, dir) = if query.descending { ("<", "DESC") } else { (">", "ASC") };
        let cursor_published = "(SELECT c.published FROM log_events c WHERE c.seq = $?)";
        let after = if query.storage_order {
            format!("seq {cmp} $?")
        } else {
            format!("(published {cmp} {cursor_published} OR (published = {cursor_published} AND seq {cmp} $?))")
        };
        filter.int(&after, query.after_seq);
        filter.text("event_type = $?", query.event_type.as_deref());
        filter.text("transaction_id = $?", query.transaction_id.as_deref());
        filter.text("actor_id = $?", query.actor_id.as_deref());
        filter.text(
            "EXISTS (SELECT 1 FROM log_event_targets t WHERE t.seq = log_events.seq AND t.target_id = $?)",
            query.target_id.as_deref(),
        );
        filter.text("outcome_result = $?", query.outcome_result.as_deref());
        let dialect = match self.pool {
            Pool::Postgres(_) => scim::Dialect::Postgres,
            Pool::Sqlite(_) => scim::Dialect::Sqlite,
        };
        // Only keywords and filters on the searched body attributes consult the sample.
        let searches = !query.keywords.is_empty()
            || query.filter.as_ref().is_some_and(|e| e.comparisons().iter().any(|(a, _)| scim::SEARCHED.contains(a)));
        let sample = if searches { Some(trigram_sample(self).await?) } else { None };
        if let Some(expr) = &query.filter {
            let cond = scim::compile(expr, dialect, sample.as_deref(), &mut filter.args);
            filter.raw(cond);
        }
        // When the keywords together are rare, the text index looks up the rarest of them and
        // the others are checked on the events it lists; when they are common, the newest
        // events are read until the page is full.
        let words: Vec<&str> = query.keywords.iter().map(String::as_str).collect();
        let indexed = sample.as_deref().filter(|s| !words.is_empty() && s.rare(&words)).and_then(|s| {
            let rank = |w: &&str| (s.share(&[*w]) * 1e6) as u64;
            words.iter().copied().filter(|w| w.chars().count() >= 3).min_by_key(rank)
        });
        for keyword in &words {
            let lookup = match (indexed, sample.as_deref()) {
                (Some(w), Some(s)) if w == *keyword => scim::index_keys(w, dialect, s),
                _ => Vec::new(),
            };
            let cond = scim::keyword(keyword, dialect, &lookup, &mut filter.args);
            filter.raw(cond);
        }
        let order = if query.storage_order { format!("seq {dir}") } else { format!("published {dir}, seq {dir}") };
        let sql = format!(
            "SELECT {LOG_COLS} FROM log_events {} ORDER BY {order} LIMIT ${}",
            filter.where_clause(),
            filter.args.len() + 1
        );
        let rows = with_pool!(self, |p| {
            let mut q = sqlx::query_as::<_, LogRow>(&sql);
            for arg in &filter.args {
                q = match arg {
                    Arg::Int(v) => q.bind(*v),
                    Arg::Text(s) => q.bind(*s),
                    Arg::Owned(s) => q.bind(s.as_str()),
                };
            }
            q.bind(query.limit).fetch_all(p).await?
        });
        let mut events = all(rows)?;
        load_targets(self, &mut events).await?;
        Ok(events)
    }
}

/// The trigram sample of the newest events' search texts (keyword search, `trigrams`).
async fn trigram_sample(store: &SqlStore) -> StoreResult<Arc<trigrams::Sample>> {
    if let Some(sample) = store.log_sample.fresh() {
        return Ok(sample);
    }
    let texts: Vec<(String,)> = with_pool!(store, |p| {
        sqlx::query_as("SELECT search FROM log_events ORDER BY seq DESC LIMIT $1")
            .bind(trigrams::SAMPLE_ROWS)
            .fetch_all(p)
            .await?
    });
    Ok(store.log_sample.put(trigrams::Sample::of(texts.iter().map(|(t,)| t.as_str()))))
}

/// Fills `targets` of a page of events from the target index, in the order of each event's own
/// `target` array (the index keeps no order of its own).
async fn load_targets(store: &SqlStore, events: &mut [(i64, LogRecord)]) -> StoreResult<()> {
    let seqs: Vec<i64> = events.iter().map(|(seq, _)| *seq).collect();
    let mut by_seq: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for chunk in seqs.chunks(TARGET_CHUNK) {
        let placeholders = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT seq, target_id, target_type FROM log_event_targets WHERE seq IN ({placeholders}) \
             ORDER BY seq, target_id, target_type"
        );
        let rows = with_pool!(store, |p| {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql);
            for seq in chunk {
                q = q.bind(*seq);
            }
            q.fetch_all(p).await?
        });
        for (seq, id, kind) in rows {
            by_seq.entry(seq).or_default().push((id, kind));
        }
    }
    for (seq, record) in events {
        if let Some(targets) = by_seq.remove(seq) {
            record.targets = targets;
            order_as_in_body(record);
        }
    }
    Ok(())
}

fn order_as_in_body(record: &mut LogRecord) {
    let Some(listed) = record.body.get("target").and_then(Value::as_array) else {
        return;
    };
    record.targets.sort_by_key(|(id, kind)| {
        listed
            .iter()
            .position(|t| {
                t.get("id").and_then(Value::as_str) == Some(id.as_str())
                    && t.get("type").and_then(Value::as_str) == Some(kind.as_str())
            })
            .unwrap_or(usize::MAX)
    });
}

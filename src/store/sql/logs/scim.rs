//! Compiles a `/api/v1/logs` filter (`audit::filter::Expr`) and `q` keywords to a SQL condition
//! over `log_events`. Indexed columns are compared directly (so `eventType eq`, `actor.id eq`, …
//! use their indexes); `target.id`/`target.type` go through the `log_event_targets` index; the
//! other attributes are read from the JSON `body` with the backend's JSON functions. Every value
//! is a bound parameter; only fixed column names and JSON paths of this file reach the SQL text.

use super::trigrams::{match_all, Sample};
use super::Arg;
use crate::audit::filter::{Expr, Op};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Postgres,
    Sqlite,
}

/// How a value is normalized before an exact comparison with an indexed column whose stored
/// values have one canonical case (event types and uuids lower case, enums upper case).
#[derive(Clone, Copy)]
enum Case {
    Exact,
    Lower,
    Upper,
}

/// Where an attribute's value lives.
enum Source {
    /// A `log_events` column.
    Column { name: &'static str, nullable: bool, case: Case },
    /// A `log_event_targets` column: matches when any target matches.
    Target(&'static str),
    /// A key of any element of the body's `target` array.
    TargetJson(&'static str),
    /// A path into the JSON body.
    Json(&'static [&'static str]),
}

fn source(attr: &str) -> Option<Source> {
    let column = |name, nullable, case| Source::Column { name, nullable, case };
    Some(match attr {
        "uuid" => column("uuid", false, Case::Lower),
        "eventType" => column("event_type", false, Case::Lower),
        "severity" => column("severity", false, Case::Upper),
        "outcome.result" => column("outcome_result", false, Case::Upper),
        "actor.id" => column("actor_id", false, Case::Exact),
        "client.id" => column("client_id", true, Case::Exact),
        "transaction.id" => column("transaction_id", false, Case::Exact),
        "target.id" => Source::Target("target_id"),
        "target.type" => Source::Target("target_type"),
        "target.alternateId" => Source::TargetJson("alternateId"),
        "legacyEventType" => Source::Json(&["legacyEventType"]),
        "displayMessage" => Source::Json(&["displayMessage"]),
        "outcome.reason" => Source::Json(&["outcome", "reason"]),
        "actor.type" => Source::Json(&["actor", "type"]),
        "actor.alternateId" => Source::Json(&["actor", "alternateId"]),
        "actor.displayName" => Source::Json(&["actor", "displayName"]),
        "client.ipAddress" => Source::Json(&["client", "ipAddress"]),
        "transaction.detail.requestApiTokenId" => Source::Json(&["transaction", "detail", "requestApiTokenId"]),
        "authenticationContext.rootSessionId" => Source::Json(&["authenticationContext", "rootSessionId"]),
        "authenticationContext.externalSessionId" => Source::Json(&["authenticationContext", "externalSessionId"]),
        "debugContext.debugData.requestId" => Source::Json(&["debugContext", "debugData", "requestId"]),
        _ => return None,
    })
}

/// `body` at `path` as text (NULL when absent or JSON null).
fn json_path(dialect: Dialect, body: &str, path: &[&str]) -> String {
    match dialect {
        Dialect::Postgres => format!("(({body})::jsonb #>> '{{{}}}')", path.join(",")),
        Dialect::Sqlite => format!("json_extract({body}, '$.{}')", path.join(".")),
    }
}

/// `EXISTS` over the elements of the body's `target` array, each bound to `j.value`.
fn any_target_json(dialect: Dialect, cond: &str) -> String {
    match dialect {
        Dialect::Postgres => {
            let targets = "(log_events.body::jsonb -> 'target')";
            format!(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({targets}) = 'array' \
                 THEN {targets} ELSE '[]'::jsonb END) j WHERE {cond})"
            )
        }
        Dialect::Sqlite => format!("EXISTS (SELECT 1 FROM json_each(log_events.body, '$.target') j WHERE {cond})"),
    }
}

fn bind(args: &mut Vec<Arg<'_>>, value: String) -> String {
    args.push(Arg::Owned(value));
    format!("${}", args.len())
}

/// `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`.
fn like_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The condition `x op value` for a text expression `x`. Never NULL: an absent value fails
/// every comparison (so `not` holds for it), as in the in-memory evaluator.
fn compare(dialect: Dialect, x: &str, op: Op, value: &str, case: Option<Case>, args: &mut Vec<Arg<'_>>) -> String {
    let present = format!("{x} IS NOT NULL");
    let like = |pattern: String, args: &mut Vec<Arg<'_>>| {
        let p = bind(args, pattern);
        format!("({present} AND lower({x}) LIKE lower({p}) ESCAPE '\\')")
    };
    match op {
        Op::Pr => format!("({present} AND {x} <> '')"),
        // An indexed column: compare the canonical value directly so the index applies.
        Op::Eq => {
            if let Some(case) = case {
                let v = match case {
                    Case::Exact => value.to_owned(),
                    Case::Lower => value.to_lowercase(),
                    Case::Upper => value.to_uppercase(),
                };
                format!("{x} = {}", bind(args, v))
            } else {
                let p = bind(args, value.to_owned());
                format!("({present} AND lower({x}) = lower({p}))")
            }
        }
        Op::Co => like(format!("%{}%", like_escape(value)), args),
        Op::Sw => like(format!("{}%", like_escape(value)), args),
        Op::Ew => like(format!("%{}", like_escape(value)), args),
        Op::Gt | Op::Ge | Op::Lt | Op::Le => {
            let sign = match op {
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Lt => "<",
                _ => "<=",
            };
            let p = bind(args, value.to_owned());
            let collate = if dialect == Dialect::Postgres { " COLLATE \"C\"" } else { "" };
            format!("({present} AND {x}{collate} {sign} {p})")
        }
    }
}

/// A SQL condition (never NULL) equivalent to `expr`; values are appended to `args`. An
/// attribute outside `LOG_FILTER_ATTRIBUTES` (rejected by the API before) matches nothing.
/// `sample` (SQLite) picks the trigrams that the FTS5 index is asked for (`trigrams`).
pub(super) fn compile(expr: &Expr, dialect: Dialect, sample: Option<&Sample>, args: &mut Vec<Arg<'_>>) -> String {
    match expr {
        Expr::And(a, b) => {
            format!("({} AND {})", compile(a, dialect, sample, args), compile(b, dialect, sample, args))
        }
        Expr::Or(a, b) => format!("({} OR {})", compile(a, dialect, sample, args), compile(b, dialect, sample, args)),
        Expr::Not(e) => format!("(NOT {})", compile(e, dialect, sample, args)),
        Expr::Cmp { attr, op, value } => {
            let value = value.as_deref().unwrap_or_default();
            match source(attr) {
                None => "(1 = 0)".to_owned(),
                Some(Source::Column { name, nullable, case }) => {
                    let cond = compare(dialect, name, *op, value, Some(case), args);
                    if nullable && *op == Op::Eq {
                        format!("({name} IS NOT NULL AND {cond})")
                    } else {
                        cond
                    }
                }
                Some(Source::Target(column)) => {
                    // `seq IN (…)` lets the planner start from the target index.
                    let cond = compare(dialect, &format!("t.{column}"), *op, value, Some(Case::Exact), args);
                    format!("(log_events.seq IN (SELECT t.seq FROM log_event_targets t WHERE {cond}))")
                }
                Some(Source::TargetJson(key)) => {
                    let x = json_path(dialect, "j.value", &[key]);
                    any_target_json(dialect, &compare(dialect, &x, *op, value, None, args))
                }
                Some(Source::Json(path)) => {
                    let x = json_path(dialect, "log_events.body", path);
                    let cond = compare(dialect, &x, *op, value, None, args);
                    // A value the attribute equals, contains, starts or ends with is in the
                    // event's search text too: the text's index finds the candidates (the
                    // condition is implied by `cond`, so it is right under `not` as well).
                    let searched = SEARCHED.contains(&attr.as_str());
                    let word = value.to_lowercase();
                    let found = if matches!(op, Op::Eq | Op::Co | Op::Sw | Op::Ew) && searched {
                        lookup(&word, dialect, sample)
                    } else {
                        Vec::new()
                    };
                    if found.is_empty() {
                        cond
                    } else {
                        format!("({} AND {cond})", keyword(&word, dialect, &found, args))
                    }
                }
            }
        }
    }
}

/// The body attributes whose values are in the search text (`LogRecord::search_text`).
pub(super) const SEARCHED: &[&str] =
    &["displayMessage", "actor.alternateId", "actor.displayName", "outcome.reason", "client.ipAddress"];

/// The condition of one `q` keyword (lower-cased): it occurs in the event's `search` text
/// (`LogRecord::search_text`: displayMessage, eventType, the actor's or any target's
/// id/alternateId/displayName, outcome.reason, client.ipAddress). With `lookup` trigrams (see
/// `trigrams`), the text index lists the events holding them (SQLite: the FTS5 table
/// `log_search`; Postgres: `LIKE`s of single trigrams, which the `pg_trgm` index serves) and the
/// whole keyword's `LIKE` decides. Without, the `LIKE` alone reads the newest events first (on
/// Postgres as `search || ''`, which no index serves).
pub(super) fn keyword(word: &str, dialect: Dialect, lookup: &[String], args: &mut Vec<Arg<'_>>) -> String {
    let p = bind(args, format!("%{}%", like_escape(word)));
    match dialect {
        Dialect::Sqlite if lookup.is_empty() => format!("log_events.search LIKE {p} ESCAPE '\\'"),
        Dialect::Sqlite => {
            let query = bind(args, match_all(lookup));
            format!(
                "(log_events.seq IN (SELECT rowid FROM log_search WHERE log_search MATCH {query}) \
                 AND log_events.search LIKE {p} ESCAPE '\\')"
            )
        }
        Dialect::Postgres => {
            let mut conds: Vec<String> = lookup
                .iter()
                .map(|t| format!("log_events.search LIKE {}", bind(args, format!("%{}%", like_escape(t)))))
                .collect();
            conds.push(format!("(log_events.search || '') LIKE {p}"));
            format!("({})", conds.join(" AND "))
        }
    }
}

/// What the text index is asked for to find `word`, when `word` is rare in `sample`.
pub(super) fn lookup(word: &str, dialect: Dialect, sample: Option<&Sample>) -> Vec<String> {
    match sample {
        Some(s) if s.rare(&[word]) => index_keys(word, dialect, s),
        _ => Vec::new(),
    }
}

/// The rarest trigrams of `word`; on Postgres, when it has no trigram of letters and digits
/// alone (`10.42.7.`), `word` itself, whose `LIKE` `pg_trgm` serves with the padded trigrams of
/// its words.
pub(super) fn index_keys(word: &str, dialect: Dialect, sample: &Sample) -> Vec<String> {
    let keys = sample.rarest_trigrams(word, dialect == Dialect::Postgres);
    if keys.is_empty() && dialect == Dialect::Postgres && word.chars().count() >= 3 {
        vec![word.to_owned()]
    } else {
        keys
    }
}

//! Compiles a `/api/v1/logs` filter (`audit::filter::Expr`) and `q` keywords to a SQL condition
//! over `log_events`. Indexed columns are compared directly (so `eventType eq`, `actor.id eq`, …
//! use their indexes); `target.id`/`target.type` go through the `log_event_targets` index; the
//! other attributes are read from the JSON `body` with the backend's JSON functions. Every value
//! is a bound parameter; only fixed column names and JSON paths of this file reach the SQL text.

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
pub(super) fn compile(expr: &Expr, dialect: Dialect, args: &mut Vec<Arg<'_>>) -> String {
    match expr {
        Expr::And(a, b) => format!("({} AND {})", compile(a, dialect, args), compile(b, dialect, args)),
        Expr::Or(a, b) => format!("({} OR {})", compile(a, dialect, args), compile(b, dialect, args)),
        Expr::Not(e) => format!("(NOT {})", compile(e, dialect, args)),
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
                    compare(dialect, &x, *op, value, None, args)
                }
            }
        }
    }
}

/// The condition of one `q` keyword: it occurs (case-insensitive) in `displayMessage`,
/// `eventType`, the actor's or any target's id/alternateId/displayName, `outcome.reason` or
/// `client.ipAddress`.
pub(super) fn keyword(word: &str, dialect: Dialect, args: &mut Vec<Arg<'_>>) -> String {
    let p = bind(args, format!("%{}%", like_escape(word)));
    let has = |x: &str| format!("({x} IS NOT NULL AND lower({x}) LIKE lower({p}) ESCAPE '\\')");
    let body = |path: &[&str]| has(&json_path(dialect, "log_events.body", path));
    let fields = [
        body(&["displayMessage"]),
        has("event_type"),
        has("actor_id"),
        body(&["actor", "alternateId"]),
        body(&["actor", "displayName"]),
        body(&["outcome", "reason"]),
        body(&["client", "ipAddress"]),
        any_target_json(
            dialect,
            &format!(
                "({})",
                ["id", "alternateId", "displayName"].map(|k| has(&json_path(dialect, "j.value", &[k]))).join(" OR ")
            ),
        ),
    ];
    format!("({})", fields.join(" OR "))
}

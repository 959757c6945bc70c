//! The `act` (actor) claim of RFC 8693 §4.1 as baton builds and checks it (xaa.md §4.5): the
//! most recent actor is outermost, no level is added twice, a received chain is copied
//! verbatim after a shape check, and the result may not exceed the configured depth.

use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActError {
    /// A level is not an object with a non-empty string `sub`, an optional string
    /// `sub_profile` and an optional object `act`.
    Malformed,
    /// The resulting chain is deeper than allowed.
    TooDeep,
}

/// A principal in a chain: its client id and `sub_profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal<'a> {
    pub sub: &'a str,
    pub sub_profile: &'a str,
}

fn level(p: Principal<'_>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("sub".into(), json!(p.sub));
    m.insert("sub_profile".into(), json!(p.sub_profile));
    m
}

/// Number of levels of a well-formed chain, or `Malformed`.
pub fn depth(act: &Value) -> Result<usize, ActError> {
    let mut current = Some(act);
    let mut n = 0;
    while let Some(Value::Object(obj)) = current {
        if obj.get("sub").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ActError::Malformed);
        }
        if obj.get("sub_profile").is_some_and(|v| !v.is_string()) {
            return Err(ActError::Malformed);
        }
        n += 1;
        current = match obj.get("act") {
            None => None,
            Some(inner @ Value::Object(_)) => Some(inner),
            Some(_) => return Err(ActError::Malformed),
        };
    }
    if current.is_some() {
        return Err(ActError::Malformed);
    }
    Ok(n)
}

/// Every `sub` of a chain, outermost first (the kill switch checks each one).
#[must_use]
pub fn subjects(act: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut current = Some(act);
    while let Some(Value::Object(obj)) = current {
        if let Some(sub) = obj.get("sub").and_then(Value::as_str) {
            out.push(sub);
        }
        current = obj.get("act");
    }
    out
}

/// Builds the chain for a new token: A is the current actor, C the subject client, P the
/// subject token's `act` (xaa.md §4.5).
pub fn build(
    actor: Principal<'_>,
    subject_client: Principal<'_>,
    previous: Option<&Value>,
    max_depth: usize,
) -> Result<Value, ActError> {
    if let Some(p) = previous {
        depth(p)?;
    }
    let previous_outer = previous.and_then(|p| p.get("sub")).and_then(Value::as_str);
    let chain = if actor.sub == subject_client.sub || previous_outer == Some(actor.sub) {
        match previous {
            Some(p) => p.clone(),
            None => Value::Object(level(actor)),
        }
    } else {
        let mut outer = level(actor);
        let inner = match previous {
            Some(p) => p.clone(),
            None => Value::Object(level(subject_client)),
        };
        outer.insert("act".into(), inner);
        Value::Object(outer)
    };
    if depth(&chain)? > max_depth {
        return Err(ActError::TooDeep);
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default `max_act_depth` (xaa.md §4.5; `config::DEFAULT_MAX_ACT_DEPTH`).
    const DEFAULT_MAX_DEPTH: usize = 5;

    const CHAT: Principal = Principal { sub: "0oarbboyj0J3R67xy1d7", sub_profile: "web_app" };
    const ORCH: Principal = Principal { sub: "wlps2fwpkzi3raviM1d7", sub_profile: "ai_agent" };
    const CKA: Principal = Principal { sub: "wlpzantde10QGRrpF1d7", sub_profile: "ai_agent" };

    #[test]
    fn streamward_hops_grow_the_chain() {
        // Hop 3: A = orchestrator, C = chat assistant, no P → two levels (xaa.md §9, J1).
        let j1 = build(ORCH, CHAT, None, DEFAULT_MAX_DEPTH).unwrap();
        assert_eq!(
            j1,
            json!({"sub":"wlps2fwpkzi3raviM1d7","sub_profile":"ai_agent","act":{"sub":"0oarbboyj0J3R67xy1d7","sub_profile":"web_app"}})
        );
        // Hop 7: A = Corp-Knowledge-Agent, C = orchestrator, P = T2's act → three levels (J2).
        let j2 = build(CKA, ORCH, Some(&j1), DEFAULT_MAX_DEPTH).unwrap();
        assert_eq!(
            j2,
            json!({"sub":"wlpzantde10QGRrpF1d7","sub_profile":"ai_agent","act":{"sub":"wlps2fwpkzi3raviM1d7","sub_profile":"ai_agent","act":{"sub":"0oarbboyj0J3R67xy1d7","sub_profile":"web_app"}}})
        );
        assert_eq!(subjects(&j2), ["wlpzantde10QGRrpF1d7", "wlps2fwpkzi3raviM1d7", "0oarbboyj0J3R67xy1d7"]);
    }

    #[test]
    fn no_level_is_added_twice() {
        // An app exchanging its own ID token: A == C → one level.
        assert_eq!(build(CHAT, CHAT, None, 5).unwrap(), json!({"sub":"0oarbboyj0J3R67xy1d7","sub_profile":"web_app"}));
        // The outermost actor exchanging again: P is kept as is.
        let p = json!({"sub":"wlps2fwpkzi3raviM1d7","sub_profile":"ai_agent"});
        assert_eq!(build(ORCH, CHAT, Some(&p), 5).unwrap(), p);
    }

    #[test]
    fn malformed_and_deep_chains_are_refused() {
        for bad in [
            json!("x"),
            json!({"sub":""}),
            json!({"sub":1}),
            json!({"sub":"a","act":"b"}),
            json!({"sub":"a","sub_profile":3}),
        ] {
            assert_eq!(build(ORCH, CHAT, Some(&bad), 5), Err(ActError::Malformed), "{bad}");
        }
        let mut chain = json!({"sub":"l0"});
        for i in 1..5 {
            chain = json!({"sub": format!("l{i}"), "act": chain});
        }
        assert_eq!(depth(&chain), Ok(5));
        assert_eq!(build(ORCH, CHAT, Some(&chain), 5), Err(ActError::TooDeep));
        assert!(build(ORCH, CHAT, Some(&chain), 6).is_ok());
    }
}

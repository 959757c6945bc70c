//! Property-based fuzzing of every parser that reads untrusted input: JWT/JOSE headers and
//! claims (and signature verification of garbage), the token inspector, the form and Basic-
//! header parsers, the SCIM filter of `/api/v1/logs`, the seed file, the `act` chain, the KEK
//! text, `scope` and remote JWKS documents. Each must return a value or a clean error for any
//! input: no panic, no hang.
//!
//! Cases per property: `PROPTEST_CASES` (proptest's own variable), 256 by default, which is
//! the short run of the default suite; `scripts/fuzz` runs the long one (10 M cases in all).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use baton::http::form::Params;
use baton::jose::act::{self, Principal};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Arbitrary JSON, nested a few levels, with the key names the parsers look for.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("sub".to_owned()),
        Just("act".to_owned()),
        Just("sub_profile".to_owned()),
        Just("alg".to_owned()),
        Just("kid".to_owned()),
        Just("typ".to_owned()),
        Just("exp".to_owned()),
        Just("nbf".to_owned()),
        Just("keys".to_owned()),
        Just("kty".to_owned()),
        "[a-z_]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Compact-JWS-shaped text: JSON or raw bytes in each part, sometimes the wrong part count.
fn jws_like() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        json_value().prop_map(|v| b64(&v)),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        "[A-Za-z0-9_=+/.-]{0,40}",
    ];
    prop::collection::vec(part, 0..6).prop_map(|parts| parts.join("."))
}

/// The Streamward org key's public JWK, read once.
fn org_jwk() -> &'static Value {
    static JWK: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    JWK.get_or_init(|| {
        let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/streamward/org-as-active.pem")).unwrap();
        baton::jose::keys::from_pem(baton::domain::SigningAlg::Rs256, &pem).unwrap().public_jwk
    })
}

proptest! {
    #[test]
    fn jwt_peek_and_verify_never_panic(token in jws_like()) {
        let _ = baton::jose::jwt::peek(&token);
        let _ = baton::jose::inspect::decode(&token);
        prop_assert!(baton::jose::jwt::verify_with_jwk(&token, org_jwk()).is_err());
    }

    #[test]
    fn jwt_peek_of_any_text(token in ".{0,200}") {
        let _ = baton::jose::jwt::peek(&token);
        let _ = baton::jose::inspect::decode(&token);
    }

    #[test]
    fn form_parser_keeps_the_first_value_and_flags_repeats(
        pairs in prop::collection::vec(("[a-z_]{1,6}", ".{0,12}"), 0..12),
        raw in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let _ = Params::parse(&raw);
        let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let p = Params::parse(encoded.as_bytes());
        for (name, _) in &pairs {
            let first = pairs.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.as_str());
            prop_assert_eq!(p.get(name), first);
            prop_assert_eq!(p.is_repeated(name), pairs.iter().filter(|(n, _)| n == name).count() > 1);
        }
    }

    #[test]
    fn basic_header_and_claimed_client_never_panic(
        raw in prop::collection::vec(any::<u8>(), 0..80),
        text in ".{0,60}",
        body in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let params = Params::parse(&body);
        for header in [format!("Basic {}", STANDARD.encode(&raw)), format!("Basic {text}"), text.clone()] {
            let _ = baton::oauth::client_auth::claimed_client_id(Some(&header), &params);
        }
    }

    #[test]
    fn scim_filter_of_any_text(input in ".{0,120}") {
        let _ = baton::audit::filter::parse(&input);
    }

    #[test]
    fn scim_filter_of_grammar_shaped_text(
        terms in prop::collection::vec((
            prop_oneof![Just("eventType"), Just("actor.id"), Just("target.id"), Just("outcome.result"), Just("x")],
            prop_oneof![Just("eq"), Just("ne"), Just("sw"), Just("co"), Just("gt"), Just("pr"), Just("zz")],
            prop_oneof![Just("\"user.session.start\"".to_owned()), "\"[^\"]{0,8}\"", "[0-9]{1,4}", Just("true".to_owned())],
        ), 1..6),
        joins in prop::collection::vec(prop_oneof![Just(" and "), Just(" or "), Just(" and not ("), Just(") or (")], 0..6),
    ) {
        let mut input = String::new();
        for (i, (attr, op, value)) in terms.iter().enumerate() {
            if i > 0 {
                input.push_str(joins.get(i - 1).copied().unwrap_or(" and "));
            }
            input.push_str(&[*attr, " ", *op, " ", value.as_str()].concat());
        }
        let _ = baton::audit::filter::parse(&input);
    }

    #[test]
    fn seed_parser_of_mutated_documents(cut in 0usize..6000, byte in any::<u8>(), at in 0usize..6000, text in ".{0,200}") {
        let _ = baton::seed::parse(&text);
        let seed = include_str!("../../examples/streamward.yaml");
        let mut bytes = seed.as_bytes().to_vec();
        let at = at % bytes.len();
        bytes[at] = byte;
        bytes.truncate(cut.min(bytes.len()));
        let _ = baton::seed::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn act_chain_checks_agree(previous in json_value(), max_depth in 1usize..8) {
        let depth = act::depth(&previous);
        if let Ok(n) = depth {
            prop_assert_eq!(n, act::subjects(&previous).len());
        }
        let agent = Principal { sub: "wlpAgent", sub_profile: "ai_agent" };
        let app = Principal { sub: "0oaApp", sub_profile: "web_app" };
        if let Ok(chain) = act::build(agent, app, Some(&previous), max_depth) {
            prop_assert!(depth.is_ok());
            prop_assert!(act::depth(&chain).unwrap() <= max_depth);
        }
    }

    #[test]
    fn kek_scope_and_jwks_text(text in ".{0,100}", body in prop::collection::vec(any::<u8>(), 0..200), doc in json_value()) {
        let _ = baton::jose::kek::Kek::parse(&text);
        let _ = baton::policy::parse_scope(Some(&text));
        let _ = baton::oauth::remote_jwks::parse_jwks(&body);
        let _ = baton::oauth::remote_jwks::parse_jwks(json!({"keys": [doc]}).to_string().as_bytes());
    }
}

//! Dependencies point down (ARCHITECTURE.md: `http` → `oauth` → `policy`, `jose`, `audit`,
//! `store` traits → `domain`): every `crate::…` path in `src/`, outside comments, names a
//! module its layer may use. A new upward arrow fails here, naming the file and the line.

use std::path::{Path, PathBuf};

/// What each lower layer may use besides itself; a layer not listed here is checked by
/// `FORBIDDEN` only. `config` is a leaf: typed settings and their defaults, usable from any
/// layer, using none.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("clock", &["domain"]),
    ("config", &[]),
    ("metrics", &[]),
    ("policy", &["domain"]),
    ("audit", &["domain", "clock"]),
    ("store", &["domain", "audit", "clock", "config", "metrics"]),
    ("jose", &["domain", "store", "clock"]),
];

/// What the middle layers must not use.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("oauth", &["http", "bootstrap", "seed", "server", "jobs", "tls"]),
    ("authn", &["http", "oauth", "bootstrap", "seed", "server"]),
    ("bootstrap", &["http", "seed", "server"]),
    ("seed", &["http", "server"]),
];

/// Upward arrows not yet removed, each with why it is still there.
const KNOWN: &[(&str, &str)] = &[];

/// The binary's own modules (`baton::…` paths) stay off the Management API's internals.
const BINARY_FORBIDDEN: &[&str] = &["baton::http::api"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a line names as `crate::{module}` (comments excluded).
fn crate_paths(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or_default();
    code.match_indices("crate::")
        .filter(|(i, _)| !code[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(i, m)| {
            let rest = &code[i + m.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

fn violates(layer: &str, used: &str) -> bool {
    if used == layer || used.is_empty() {
        return false;
    }
    if let Some((_, allowed)) = ALLOWED.iter().find(|(l, _)| *l == layer) {
        return !allowed.contains(&used);
    }
    FORBIDDEN.iter().find(|(l, _)| *l == layer).is_some_and(|(_, forbidden)| forbidden.contains(&used))
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let layer = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for used in crate_paths(line) {
                if violates(&layer, used) && !KNOWN.contains(&(rel.as_str(), used)) {
                    found.push(format!("src/{rel}:{}: {layer} uses crate::{used}", n + 1));
                }
            }
            for bad in BINARY_FORBIDDEN.iter().filter(|b| line.contains(*b)) {
                found.push(format!("src/{rel}:{}: the binary uses {bad}", n + 1));
            }
        }
    }
    assert!(found.is_empty(), "imports from a layer above:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_an_upward_arrow() {
    assert_eq!(crate_paths("use crate::http::form::Params; // crate::store"), ["http"]);
    assert!(violates("oauth", "http"));
    assert!(violates("config", "bootstrap"));
    assert!(violates("jose", "oauth"));
    assert!(!violates("oauth", "store"));
    assert!(!violates("http", "oauth"));
}

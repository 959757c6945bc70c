//! The documentation stays in step with the repository: every relative link of the README and
//! of docs/ names a file of this repository, and the examples docs/testing.md shows are the
//! example files that CI runs (`interop/run`, `scripts/compose-ci`), character for character.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The targets of `[text](target)` links that are neither URLs nor anchors.
fn relative_links(markdown: &str) -> Vec<String> {
    markdown
        .match_indices("](")
        .filter_map(|(i, m)| {
            let rest = &markdown[i + m.len()..];
            let target = &rest[..rest.find(')')?];
            let local = !(target.starts_with("http://") || target.starts_with("https://") || target.starts_with('#'));
            local.then(|| target.split('#').next().unwrap_or_default().to_owned())
        })
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn every_relative_link_resolves_inside_the_repository() {
    let root = root();
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let canonical_root = root.canonicalize().unwrap();
    let (mut broken, mut checked) = (Vec::new(), 0);
    for page in &pages {
        let dir = page.parent().unwrap_or(Path::new("."));
        for link in relative_links(&std::fs::read_to_string(page).unwrap()) {
            checked += 1;
            let inside = dir.join(&link).canonicalize().is_ok_and(|p| p.starts_with(&canonical_root));
            if !inside {
                broken.push(format!("{}: {link}", page.strip_prefix(&root).unwrap().display()));
            }
        }
    }
    assert!(checked > 20, "only {checked} links found: the parser is wrong");
    assert!(broken.is_empty(), "links that leave the repository or name nothing:\n{}", broken.join("\n"));
}

#[test]
fn testing_md_shows_the_example_files_as_they_are() {
    let root = root();
    let doc = std::fs::read_to_string(root.join("docs/testing.md")).unwrap();
    for file in [
        "examples/testing/pytest/conftest.py",
        "examples/testing/pytest/test_with_baton.py",
        "examples/testing/node/with-baton.test.mjs",
        "examples/testing/testcontainers/python/conftest.py",
        "examples/testing/testcontainers/python/test_baton_container.py",
        "examples/testing/testcontainers/node/baton-container.test.mjs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(doc.contains(text.trim_end()), "docs/testing.md does not show {file} as it is");
    }
}

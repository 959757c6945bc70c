//! Whether `/authorize` on a custom AS must show the consent page, and for which scopes
//! (okta-surface.md §4.4). The table there reduces to three rules, applied per scope:
//!
//! - a scope with `consent: IMPLICIT` is never shown;
//! - with `prompt=consent`, every `REQUIRED` or `FLEXIBLE` scope is shown, whatever the app's
//!   `consent_method` and whether it was granted before;
//! - without `prompt=consent`, a `REQUIRED` or `FLEXIBLE` scope is shown only when the app's
//!   `consent_method` is `REQUIRED` and the user has not granted that scope to this client yet.
//!
//! The org AS never prompts; callers do not ask. `prompt=none` and `prompt=login` take the
//! "no prompt" rows: with `prompt=none` a non-empty result becomes `consent_required`.

use crate::domain::{ConsentMethod, ConsentType, Scope};

/// Names of the scopes the consent page must show, in the order of `scopes`; empty means no
/// page. `prompt_consent` is true when the request said `prompt=consent`; `already_granted`
/// holds the scope names this user has granted to this client on this AS.
#[must_use]
pub fn consent_needed(
    prompt_consent: bool,
    consent_method: ConsentMethod,
    scopes: &[&Scope],
    already_granted: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for scope in scopes {
        if scope.consent == ConsentType::Implicit || out.contains(&scope.name) {
            continue;
        }
        let shown =
            prompt_consent || (consent_method == ConsentMethod::Required && !already_granted.contains(&scope.name));
        if shown {
            out.push(scope.name.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str, consent: ConsentType) -> Scope {
        Scope { consent, ..Scope::custom(format!("scp{name}"), "default", name, 0) }
    }

    const KINDS: [ConsentType; 3] = [ConsentType::Implicit, ConsentType::Required, ConsentType::Flexible];

    fn needed(prompt: bool, method: ConsentMethod, consent: ConsentType, granted: bool) -> bool {
        let s = scope("orders:read", consent);
        let granted: Vec<String> = if granted { vec!["orders:read".into()] } else { vec![] };
        !consent_needed(prompt, method, &[&s], &granted).is_empty()
    }

    #[test]
    fn prompt_consent_shows_required_and_flexible_even_if_granted() {
        for method in [ConsentMethod::Trusted, ConsentMethod::Required] {
            for consent in [ConsentType::Required, ConsentType::Flexible] {
                assert!(needed(true, method, consent, false), "{method:?} {consent:?}");
                assert!(needed(true, method, consent, true), "{method:?} {consent:?} granted before");
            }
        }
    }

    #[test]
    fn prompt_consent_with_implicit_scope_is_not_shown() {
        assert!(!needed(true, ConsentMethod::Trusted, ConsentType::Implicit, false));
        assert!(!needed(true, ConsentMethod::Required, ConsentType::Implicit, false));
    }

    #[test]
    fn no_prompt_with_trusted_app_is_never_shown() {
        for consent in KINDS {
            assert!(!needed(false, ConsentMethod::Trusted, consent, false), "{consent:?}");
        }
    }

    #[test]
    fn no_prompt_with_required_app_shows_required_and_flexible_unless_granted() {
        for consent in [ConsentType::Required, ConsentType::Flexible] {
            assert!(needed(false, ConsentMethod::Required, consent, false), "{consent:?}");
            assert!(!needed(false, ConsentMethod::Required, consent, true), "{consent:?} granted before");
        }
        assert!(!needed(false, ConsentMethod::Required, ConsentType::Implicit, false));
    }

    #[test]
    fn lists_only_the_scopes_still_needing_consent_in_order() {
        let openid = scope("openid", ConsentType::Implicit);
        let email = scope("email", ConsentType::Required);
        let read = scope("orders:read", ConsentType::Flexible);
        let write = scope("orders:write", ConsentType::Required);
        let all = [&openid, &email, &read, &write, &read];
        let granted = vec!["email".to_owned()];
        assert_eq!(consent_needed(false, ConsentMethod::Required, &all, &granted), vec!["orders:read", "orders:write"]);
        assert_eq!(
            consent_needed(true, ConsentMethod::Required, &all, &granted),
            vec!["email", "orders:read", "orders:write"]
        );
        assert!(consent_needed(false, ConsentMethod::Trusted, &all, &granted).is_empty());
        assert!(consent_needed(true, ConsentMethod::Trusted, &[], &granted).is_empty());
    }
}

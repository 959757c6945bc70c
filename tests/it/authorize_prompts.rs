//! Authentication at `/v1/authorize` (okta-surface.md §4.1, §4.3): `prompt=none`,
//! `prompt=login` and `max_age` with and without a session, and that signing in satisfies them
//! instead of looping back to the sign-in page.

use crate::browser;
use crate::common;

use browser::{authorize_url, chat_request, events, seeded, with, Browser, LOGIN, PASSWORD};
use common::Backend;

const STATE: &str = "st-123_abc.X,Y";
const LOGIN_REQUIRED: &str = "The client specified not to prompt, but the user is not logged in.";

async fn prompt_none(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let none = with(chat_request("openid"), "prompt", Some("none"));
    b.get(&authorize_url(Some("default"), &none)).await.assert_client_error(
        "login_required",
        LOGIN_REQUIRED,
        Some(STATE),
    );
    let failure = events(&s, "app.oauth2.as.authorize").await;
    assert_eq!(failure[0]["debugContext"]["debugData"]["error"], "login_required");

    b.sign_in_directly(LOGIN, PASSWORD).await;
    let r = b.get(&authorize_url(Some("default"), &none)).await;
    assert_eq!(r.status, 302);
    assert!(r.redirect_params().contains_key("code"), "{}", r.location());

    // Older than max_age: prompt=none cannot ask, so login_required.
    s.clock.advance(120_000);
    let aged = with(none.clone(), "max_age", Some("60"));
    b.get(&authorize_url(Some("default"), &aged)).await.assert_client_error(
        "login_required",
        LOGIN_REQUIRED,
        Some(STATE),
    );
    assert!(b
        .get(&authorize_url(Some("default"), &with(none.clone(), "max_age", Some("600"))))
        .await
        .location()
        .contains("code="));

    // An expired session (2 h idle) is no session.
    s.clock.advance(2 * 3600 * 1000 + 1);
    b.get(&authorize_url(None, &none)).await.assert_client_error("login_required", LOGIN_REQUIRED, Some(STATE));
}

async fn prompt_login_signs_in_again_once(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let first_cookie = b.cookies["baton_sid"].clone();
    let login = with(with(chat_request("openid"), "prompt", Some("login")), "login_hint", Some(LOGIN));
    let page = b.get(&authorize_url(Some("default"), &login)).await;
    assert!(page.is_sign_in_page(), "prompt=login shows the page despite the session");
    assert_eq!(page.form().get("username"), Some(LOGIN), "login_hint pre-fills the username");
    s.clock.advance(1000);
    let done = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(done.status, 302, "no second sign-in page: {}", done.body);
    assert!(done.redirect_params().contains_key("code"));
    assert_ne!(b.cookies["baton_sid"], first_cookie, "a new session replaces the old one");
    let ended = events(&s, "user.session.end").await;
    assert_eq!(ended.len(), 1, "the browser's previous session was ended");
    assert_eq!(events(&s, "user.session.start").await.len(), 2);
}

async fn max_age_forces_a_fresh_sign_in(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    s.clock.advance(120_000);
    let fresh_enough = with(chat_request("openid"), "max_age", Some("600"));
    assert!(b.get(&authorize_url(Some("default"), &fresh_enough)).await.location().contains("code="));
    let too_old = with(chat_request("openid"), "max_age", Some("60"));
    let page = b.get(&authorize_url(Some("default"), &too_old)).await;
    assert!(page.is_sign_in_page());
    let done = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert!(done.location().contains("code="), "{}", done.body);
    // max_age=0 always asks, and the sign-in satisfies it once.
    let huge = with(chat_request("openid"), "max_age", Some("9223372036854775807"));
    assert!(b.get(&authorize_url(None, &huge)).await.location().contains("code="), "no overflow");
    let zero = with(chat_request("openid"), "max_age", Some("0"));
    s.clock.advance(1);
    let page = b.get(&authorize_url(None, &zero)).await;
    assert!(page.is_sign_in_page());
    assert!(b.sign_in(&page, LOGIN, PASSWORD).await.location().contains("code="));
}

backend_tests!(prompt_none, prompt_login_signs_in_again_once, max_age_forces_a_fresh_sign_in);

//! The admin console in headless Chromium: sign in through the form, visit every
//! page (a screenshot of each into `target/screenshots/`), create a user and a group through
//! the forms. SQLite only: a browser run is slow, and the HTTP tests cover both backends.

use crate::common;
use crate::console;

use common::Backend;
use console::browser::Browser;
use console::{console_server, ADMIN_LOGIN, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_console_in_a_browser() {
    let Some(s) = console_server(Backend::Sqlite).await else { return };
    let Some(b) = Browser::start(&s.base).await else { return };

    // Anonymous: sent to the sign-in page, which brings the admin back where they wanted to go.
    b.goto("/admin/users").await;
    assert_eq!(b.path().await, "/admin/login?next=%2Fadmin%2Fusers");
    b.shot("admin-login").await;
    b.fill("#username", ADMIN_LOGIN).await;
    b.fill("#password", "wrong-password").await;
    b.click("#sign-in").await;
    assert!(b.text("#sign-in-error").await.contains("Unable to sign in"));
    b.fill("#password", ADMIN_PASSWORD).await;
    b.click("#sign-in").await;
    assert_eq!(b.path().await, "/admin/users");
    assert_eq!(b.text("#admin-login").await, ADMIN_LOGIN);

    b.goto("/admin").await;
    assert!(b.body().await.contains("Recent events"));
    b.shot("admin-dashboard").await;

    // A user through the form.
    b.goto("/admin/users").await;
    b.click("#new-user").await;
    assert_eq!(b.path().await, "/admin/users/new");
    b.shot("admin-user-new").await;
    b.fill("#login", "ada@example.com").await;
    b.fill("#email", "ada@example.com").await;
    b.fill("#firstName", "Ada").await;
    b.fill("#lastName", "Lovelace").await;
    b.fill("#password", "Analytical-Engine-1").await;
    b.click("#create-user").await;
    assert!(b.path().await.starts_with("/admin/users/00u"), "{}", b.path().await);
    assert_eq!(b.text("#flash").await, "User ada@example.com created (ACTIVE).");
    assert_eq!(b.text("#user-status").await, "ACTIVE");
    b.shot("admin-user").await;
    b.click("#user-suspend").await;
    assert_eq!(b.text("#user-status").await, "SUSPENDED");
    b.click("#user-unsuspend").await;
    assert_eq!(b.text("#user-status").await, "ACTIVE");
    let user = s.state.store.find_user_by_login("ada@example.com").await.unwrap().unwrap();
    assert_eq!(baton::domain::TextEnum::as_str(user.status), "ACTIVE");

    b.goto("/admin/users?q=lovelace").await;
    assert!(b.text("#users").await.contains("ada@example.com"));
    b.shot("admin-users").await;

    // A group through the form, with Ada as a member.
    b.goto("/admin/groups").await;
    b.fill("#name", "Engineers").await;
    b.fill("#description", "Builders of engines").await;
    b.click("#create-group").await;
    assert_eq!(b.text("#flash").await, "Group Engineers created.");
    b.fill("#user", "ada@example.com").await;
    b.click("#add-member").await;
    assert!(b.text("#members").await.contains("ada@example.com"));
    b.shot("admin-group").await;
    let group = s.state.store.find_group_by_name("Engineers").await.unwrap().unwrap();
    let members = s.state.store.list_group_members(&group.id, &baton::store::Page::first(10)).await.unwrap();
    assert_eq!(members.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), [user.id.as_str()]);
    b.goto("/admin/groups").await;
    b.shot("admin-groups").await;

    // An API token, shown once.
    b.goto("/admin/api-tokens").await;
    b.fill("#name", "browser-token").await;
    b.click("#create-token").await;
    assert!(b.text("#token-secret").await.starts_with("00"));
    b.shot("admin-api-tokens").await;

    b.goto("/admin/keys").await;
    b.click("#rotate-default").await;
    assert_eq!(b.text("#flash").await, "Keys of default rotated.");
    b.shot("admin-keys").await;

    // Keyboard: the first Tab reaches the skip link.
    b.goto("/admin").await;
    let active = b.client.active_element().await.expect("active");
    active.send_keys("\u{E004}").await.expect("tab");
    let focused = b.client.active_element().await.expect("active").text().await.expect("text");
    assert_eq!(focused, "Skip to content");

    b.click("#sign-out").await;
    assert_eq!(b.path().await, "/admin/login");
    b.goto("/admin").await;
    assert!(b.path().await.starts_with("/admin/login"));
    b.close().await;
    for name in ["admin-login", "admin-dashboard", "admin-users", "admin-user", "admin-groups", "admin-keys"] {
        assert!(console::browser::screenshot_dir().join(format!("{name}.png")).exists());
    }
}

//! `/api/v1/apps` (okta-surface.md §11.3): create per application type, validation causes,
//! exact shapes, paging and filters, lifecycle and deletes, client secrets rotated and used at
//! `/v1/token`, uploaded keys used for `private_key_jwt`, assignments, System Log events.

use crate::common;

use common::api::api_server;
use common::oauth::{assertion_claims, basic, key_pem, sign_assertion, ASSERTION_TYPE};
use common::{Backend, TestServer};
use serde_json::{json, Value};

fn keys_of(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = keys.iter().map(|s| (*s).to_owned()).collect();
    k.sort();
    k
}

fn web(label: &str) -> Value {
    json!({"name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"redirect_uris": ["https://app.example/cb"], "grant_types": ["authorization_code", "refresh_token"], "application_type": "web"}}})
}

fn service(label: &str, method: &str) -> Value {
    json!({"name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": method}},
        "settings": {"oauthClient": {"grant_types": ["client_credentials"], "application_type": "service"}}})
}

/// A public RSA JWK of `keys/streamward/{pem}.pem`, without `kid`.
fn public_jwk(pem: &str) -> Value {
    let m = baton::jose::keys::from_pem(baton::domain::SigningAlg::Rs256, &key_pem(pem)).unwrap();
    json!({"kty": "RSA", "e": m.public_jwk["e"], "n": m.public_jwk["n"]})
}

/// Client authentication probe at the org AS: `/oauth2/v1/revoke` answers 200 once the client
/// authenticated, 401 `invalid_client` otherwise.
async fn revoke_with_secret(s: &TestServer, client_id: &str, secret: &str) -> u16 {
    let auth = basic(client_id, secret);
    s.post_form("/oauth2/v1/revoke", &[("authorization", &auth)], &[("token", "x")]).await.status
}

async fn create_each_type_with_exact_shape(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let app = s.api_post("/api/v1/apps", &web("Orders Web")).await.expect(200);
    let id = app["id"].as_str().unwrap();
    assert!(id.starts_with("0oa") && id.len() == 20);
    assert_eq!(
        keys_of(&app),
        sorted(&[
            "id",
            "orn",
            "name",
            "label",
            "status",
            "created",
            "lastUpdated",
            "signOnMode",
            "features",
            "credentials",
            "settings",
            "_links"
        ])
    );
    assert_eq!(app["orn"], json!(format!("orn:okta:idp:{}:apps:oidc_client:{id}", s.state.org.id)));
    assert_eq!(app["status"], "ACTIVE");
    assert_eq!(app["features"], json!([]));
    let creds = &app["credentials"]["oauthClient"];
    assert_eq!(
        keys_of(creds),
        sorted(&["client_id", "client_secret", "token_endpoint_auth_method", "pkce_required", "autoKeyRotation"])
    );
    assert_eq!(creds["client_id"], json!(id));
    assert_eq!(creds["pkce_required"], true);
    assert_eq!(creds["autoKeyRotation"], true);
    let secret = creds["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43);
    assert_eq!(
        app["settings"]["oauthClient"],
        json!({"redirect_uris": ["https://app.example/cb"], "post_logout_redirect_uris": [], "response_types": ["code"],
            "grant_types": ["authorization_code", "refresh_token"], "application_type": "web", "consent_method": "TRUSTED",
            "issuer_mode": "ORG_URL", "refresh_token": {"rotation_type": "ROTATE", "leeway": 30}})
    );
    let url = s.url(&format!("/api/v1/apps/{id}"));
    assert_eq!(
        app["_links"],
        json!({"self": {"href": url}, "deactivate": {"href": format!("{url}/lifecycle/deactivate"), "method": "POST"},
            "users": {"href": format!("{url}/users")}, "groups": {"href": format!("{url}/groups")}})
    );
    // The secret is shown once, stored hashed, and authenticates.
    let again = s.api_get(&format!("/api/v1/apps/{id}")).await.expect(200);
    assert!(again["credentials"]["oauthClient"].get("client_secret").is_none());
    let stored = s.state.store.list_client_secrets(id).await.unwrap();
    assert_eq!(stored[0].secret_hash, baton::domain::ids::hash_secret(&secret));
    assert_eq!(revoke_with_secret(&s, id, &secret).await, 200);
    let created = s.events_of_type("application.lifecycle.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["target"][0]["id"], json!(id));
    assert!(!created[0].to_string().contains(&secret));
    assert_eq!(s.events_of_type("application.lifecycle.activate").await.len(), 1);

    // browser (none): no secret; native; service with client_secret_post; custom client_id.
    let spa = json!({"name": "oidc_client", "label": "Orders SPA", "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "none", "client_id": "orders-spa"}},
        "settings": {"oauthClient": {"redirect_uris": ["http://localhost:3000/callback"], "post_logout_redirect_uris": ["http://localhost:3000/"],
            "response_types": ["code"], "grant_types": ["authorization_code"], "application_type": "browser", "consent_method": "REQUIRED"}}});
    let spa = s.api_post("/api/v1/apps?activate=false", &spa).await.expect(200);
    assert_eq!(spa["status"], "INACTIVE");
    assert_eq!(spa["credentials"]["oauthClient"]["client_id"], "orders-spa");
    assert!(spa["credentials"]["oauthClient"].get("client_secret").is_none());
    assert!(spa["settings"]["oauthClient"].get("refresh_token").is_none());
    assert_eq!(spa["settings"]["oauthClient"]["consent_method"], "REQUIRED");
    assert_eq!(spa["_links"]["activate"]["method"], "POST");
    assert!(s.state.store.list_client_secrets(spa["id"].as_str().unwrap()).await.unwrap().is_empty());
    let native = json!({"name": "oidc_client", "label": "Orders iOS",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "none"}},
        "settings": {"oauthClient": {"redirect_uris": ["com.example.orders:/callback"], "grant_types": ["authorization_code", "refresh_token"],
            "application_type": "native", "refresh_token": {"rotation_type": "STATIC", "leeway": 0}}}});
    let native = s.api_post("/api/v1/apps", &native).await.expect(200);
    assert_eq!(native["settings"]["oauthClient"]["refresh_token"], json!({"rotation_type": "STATIC", "leeway": 0}));
    let svc = s.api_post("/api/v1/apps", &service("Batch", "client_secret_post")).await.expect(200);
    assert_eq!(svc["credentials"]["oauthClient"]["token_endpoint_auth_method"], "client_secret_post");
    assert!(svc["credentials"]["oauthClient"]["client_secret"].is_string());
    // Duplicate client_id: E0000001 on client_id.
    let mut dup = web("Dup");
    dup["credentials"]["oauthClient"]["client_id"] = json!("orders-spa");
    let e = s.api_post("/api/v1/apps", &dup).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: client_id");
    assert_eq!(
        e["errorCauses"],
        json!([{"errorSummary": "client_id: An object with this field already exists in the current organization"}])
    );
}

async fn validation_causes(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let causes = |e: &Value| -> Vec<String> {
        e["errorCauses"].as_array().unwrap().iter().map(|c| c["errorSummary"].as_str().unwrap().to_owned()).collect()
    };
    let e = s.api_post("/api/v1/apps", &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name, label, grant_types");
    assert_eq!(
        causes(&e),
        vec![
            "name: The field cannot be left blank",
            "label: The field cannot be left blank",
            "grant_types: The field cannot be left blank"
        ]
    );
    let bad = json!({"name": "bookmark", "label": "X", "signOnMode": "SAML_2_0",
        "credentials": {"oauthClient": {"client_id": "ALL_CLIENTS", "token_endpoint_auth_method": "tls_client_auth", "pkce_required": "yes"}},
        "settings": {"oauthClient": {"redirect_uris": ["https://a.example/cb#frag", "/relative"], "grant_types": ["implicit"],
            "application_type": "tv", "consent_method": "MAYBE", "response_types": ["token"], "issuer_mode": "CUSTOM_URL",
            "refresh_token": {"rotation_type": "NEVER", "leeway": 61}}}});
    let e = s.api_post("/api/v1/apps", &bad).await.okta_error(400, "E0000001");
    assert_eq!(
        causes(&e),
        vec![
            "name: only oidc_client is supported",
            "signOnMode: only OPENID_CONNECT is supported",
            "client_id: ALL_CLIENTS is reserved",
            "token_endpoint_auth_method: 'tls_client_auth' is not a supported method",
            "pkce_required: must be true or false",
            "application_type: must be one of web, browser, native, service",
            "redirect_uris: 'https://a.example/cb#frag' must not contain a fragment",
            "redirect_uris: '/relative' is not an absolute URI",
            "response_types: 'token' needs the implicit grant, which baton does not serve",
            "grant_types: 'implicit' is not a supported grant type",
            "consent_method: must be TRUSTED or REQUIRED",
            "issuer_mode: only ORG_URL is supported",
            "refresh_token.rotation_type: must be ROTATE or STATIC",
            "refresh_token.leeway: must be an integer between 0 and 60",
        ]
    );
    let mut short = web("X");
    short["credentials"]["oauthClient"]["client_id"] = json!("a b");
    assert_eq!(
        causes(&s.api_post("/api/v1/apps", &short).await.okta_error(400, "E0000001")),
        vec!["client_id: must be 6 to 100 characters of A-Z a-z 0-9 $ - _ . + ! * ' ( )"]
    );
    // Combination rules.
    let e = s.api_post("/api/v1/apps", &service("S", "none")).await.okta_error(400, "E0000001");
    assert_eq!(
        causes(&e),
        vec![
            "token_endpoint_auth_method: service apps cannot use none",
            "grant_types: client_credentials needs a web or service app that authenticates"
        ]
    );
    let mut svc_code = service("S", "client_secret_basic");
    svc_code["settings"]["oauthClient"]["grant_types"] = json!(["authorization_code"]);
    svc_code["settings"]["oauthClient"]["redirect_uris"] = json!(["https://s.example/cb"]);
    let e = s.api_post("/api/v1/apps", &svc_code).await.okta_error(400, "E0000001");
    assert_eq!(
        causes(&e),
        vec![
            "grant_types: service apps must use client_credentials",
            "grant_types: service apps cannot use authorization_code or refresh_token"
        ]
    );
    let e = s.api_post("/api/v1/apps", &service("S", "private_key_jwt")).await.okta_error(400, "E0000001");
    assert_eq!(causes(&e), vec!["jwks: private_key_jwt requires settings.oauthClient.jwks with at least one key"]);
    let mut private = service("S", "private_key_jwt");
    let mut jwk = public_jwk("orchestrator");
    jwk["d"] = json!("secret-part");
    private["settings"]["oauthClient"]["jwks"] = json!({"keys": [jwk]});
    let e = s.api_post("/api/v1/apps", &private).await.okta_error(400, "E0000001");
    assert_eq!(causes(&e), vec!["jwks: keys[0].d: private key members are not allowed; upload the public key only"]);
    let mut no_redirect = web("W");
    no_redirect["settings"]["oauthClient"]["redirect_uris"] = json!([]);
    no_redirect["credentials"]["oauthClient"]["token_endpoint_auth_method"] = json!("none");
    no_redirect["credentials"]["oauthClient"]["pkce_required"] = json!(false);
    let e = s.api_post("/api/v1/apps", &no_redirect).await.okta_error(400, "E0000001");
    assert_eq!(
        causes(&e),
        vec![
            "pkce_required: must be true for token_endpoint_auth_method none",
            "redirect_uris: at least one redirect URI is required for authorization_code"
        ]
    );
    let mut browser_secret = web("B");
    browser_secret["settings"]["oauthClient"]["application_type"] = json!("browser");
    let e = s.api_post("/api/v1/apps", &browser_secret).await.okta_error(400, "E0000001");
    assert_eq!(causes(&e), vec!["token_endpoint_auth_method: browser apps must use none"]);
    assert!(s.events_of_type("application.lifecycle.create").await.is_empty());
    s.api_post("/api/v1/apps?activate=maybe", &web("W")).await.okta_error(400, "E0000001");
    // Okta's own service-app example (the Terraform provider's) sends response_types ["token"].
    let mut svc_token = service("Terraform-style", "client_secret_basic");
    svc_token["settings"]["oauthClient"]["response_types"] = json!(["token"]);
    let created = s.api_post("/api/v1/apps", &svc_token).await.expect(200);
    assert_eq!(created["settings"]["oauthClient"]["response_types"], json!(["token"]));
    let mut web_token = web("W");
    web_token["settings"]["oauthClient"]["response_types"] = json!(["code", "id_token"]);
    let e = s.api_post("/api/v1/apps", &web_token).await.okta_error(400, "E0000001");
    assert_eq!(causes(&e), vec!["response_types: 'id_token' needs the implicit grant, which baton does not serve"]);
}

async fn list_paging_filters(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let mut ids = Vec::new();
    for label in ["Alpha", "Beta", "Alpine"] {
        ids.push(s.api_post("/api/v1/apps", &web(label)).await.expect(200)["id"].as_str().unwrap().to_owned());
    }
    s.api_post(&format!("/api/v1/apps/{}/lifecycle/deactivate", ids[1]), &json!({})).await.expect(200);
    let all = s.api_get("/api/v1/apps").await;
    assert_eq!(all.links(), vec![format!("<{}>; rel=\"self\"", s.url("/api/v1/apps"))]);
    let all = all.expect(200);
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert!(all.as_array().unwrap().iter().all(|a| a["credentials"]["oauthClient"].get("client_secret").is_none()));
    let mut sorted_ids = ids.clone();
    sorted_ids.sort();
    let first = s.api_get("/api/v1/apps?limit=2").await;
    let next = first.next().unwrap();
    let page1: Vec<String> =
        first.expect(200).as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(page1, sorted_ids[..2]);
    let second = s.api_get(&next).await;
    assert!(second.next().is_none());
    assert_eq!(second.expect(200)[0]["id"], json!(sorted_ids[2]));
    let active = s.api_get("/api/v1/apps?filter=status%20eq%20%22ACTIVE%22").await.expect(200);
    assert_eq!(active.as_array().unwrap().len(), 2);
    let inactive = s
        .api_get("/api/v1/apps?filter=status%20eq%20%22INACTIVE%22%20and%20name%20eq%20%22oidc_client%22")
        .await
        .expect(200);
    assert_eq!(inactive.as_array().unwrap().len(), 1);
    assert_eq!(inactive[0]["id"], json!(ids[1]));
    let q = s.api_get("/api/v1/apps?q=alp").await.expect(200);
    let mut labels: Vec<&str> = q.as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
    labels.sort_unstable();
    assert_eq!(labels, vec!["Alpha", "Alpine"]);
    s.api_get("/api/v1/apps?filter=label%20eq%20%22x%22").await.okta_error(400, "E0000031");
    s.api_get("/api/v1/apps?filter=status%20eq").await.okta_error(400, "E0000031");
    s.api_get("/api/v1/apps?limit=0").await.okta_error(400, "E0000001");
}

async fn lifecycle_update_delete(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let app = s.api_post("/api/v1/apps", &web("Orders")).await.expect(200);
    let id = app["id"].as_str().unwrap().to_owned();
    let secret = app["credentials"]["oauthClient"]["client_secret"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/apps/{id}");
    // ACTIVE cannot be deleted.
    let e = s.api_delete(&path).await.okta_error(403, "E0000056");
    assert_eq!(e["errorSummary"], "Delete application forbidden.");
    assert_eq!(e["errorCauses"][0]["errorSummary"], "The application must be deactivated before deletion.");
    // Update: label and consent; PUT changing client_id is refused.
    let mut body = web("Orders v2");
    body["settings"]["oauthClient"]["consent_method"] = json!("REQUIRED");
    let updated = s.api_put(&path, &body).await.expect(200);
    assert_eq!(updated["label"], "Orders v2");
    assert_eq!(updated["settings"]["oauthClient"]["consent_method"], "REQUIRED");
    assert!(updated["credentials"]["oauthClient"].get("client_secret").is_none());
    assert_eq!(s.events_of_type("application.lifecycle.update").await.len(), 1);
    body["credentials"]["oauthClient"]["client_id"] = json!("another-id");
    let e = s.api_put(&path, &body).await.okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"][0]["errorSummary"], "client_id: cannot be changed");
    // Switching to none and back to a secret method rotates in a new secret shown once.
    let mut public = body.clone();
    public["credentials"]["oauthClient"] = json!({"token_endpoint_auth_method": "none"});
    s.api_put(&path, &public).await.expect(200);
    s.api_delete(&format!(
        "/api/v1/apps/{id}/credentials/secrets/{}",
        s.state.store.list_client_secrets(&id).await.unwrap()[0].id
    ))
    .await
    .okta_error(403, "E0000038");
    // Deactivate: client authentication fails with invalid_client.
    body["credentials"]["oauthClient"] = json!({"token_endpoint_auth_method": "client_secret_basic"});
    let back = s.api_put(&path, &body).await.expect(200);
    assert!(back["credentials"]["oauthClient"].get("client_secret").is_none(), "the old secret is still ACTIVE");
    assert_eq!(revoke_with_secret(&s, &id, &secret).await, 200);
    assert_eq!(s.api_post(&format!("{path}/lifecycle/deactivate"), &json!({})).await.expect(200), json!({}));
    let r = s.post_form("/oauth2/v1/revoke", &[("authorization", &basic(&id, &secret))], &[("token", "x")]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "invalid_client");
    let inactive = s.api_get(&path).await.expect(200);
    assert_eq!(inactive["status"], "INACTIVE");
    assert!(inactive["_links"].get("deactivate").is_none());
    assert_eq!(inactive["_links"]["activate"]["href"], json!(s.url(&format!("{path}/lifecycle/activate"))));
    // Repeating a transition logs nothing.
    s.api_post(&format!("{path}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(s.events_of_type("application.lifecycle.deactivate").await.len(), 1);
    s.api_post(&format!("{path}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_eq!(revoke_with_secret(&s, &id, &secret).await, 200);
    s.api_post(&format!("{path}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(s.api_delete(&path).await.status, 204);
    s.api_get(&path).await.okta_error(404, "E0000007");
    assert!(s.state.store.list_client_secrets(&id).await.unwrap().is_empty());
    let deleted = s.events_of_type("application.lifecycle.delete").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["target"][0]["id"], json!(id));
    s.api_post("/api/v1/apps/0oanope/lifecycle/activate", &json!({})).await.okta_error(404, "E0000007");
}

async fn secrets_rotation_at_token_endpoint(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let app = s.api_post("/api/v1/apps", &service("Batch", "client_secret_basic")).await.expect(200);
    let id = app["id"].as_str().unwrap().to_owned();
    let old = app["credentials"]["oauthClient"]["client_secret"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/apps/{id}/credentials/secrets");
    let list = s.api_get(&base).await.expect(200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let old_id = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(keys_of(&list[0]), sorted(&["id", "status", "secret_hash", "created", "lastUpdated", "_links"]));
    assert_ne!(
        list[0]["secret_hash"],
        json!(baton::domain::ids::hash_secret(&old)),
        "the shown hash is not the stored one"
    );
    // Rotate in a new secret.
    let new = s.api_post(&base, &json!({})).await.expect(200);
    assert_eq!(
        keys_of(&new),
        sorted(&["id", "status", "client_secret", "secret_hash", "created", "lastUpdated", "_links"])
    );
    assert!(new["id"].as_str().unwrap().starts_with("ocs"));
    assert_eq!(new["status"], "ACTIVE");
    let new_secret = new["client_secret"].as_str().unwrap().to_owned();
    let new_id = new["id"].as_str().unwrap().to_owned();
    let url = s.url(&format!("{base}/{new_id}"));
    assert_eq!(
        new["_links"],
        json!({"self": {"href": url}, "deactivate": {"href": format!("{url}/lifecycle/deactivate"), "method": "POST"}})
    );
    let e = s.api_post(&base, &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"][0]["errorSummary"], "client_secret: an app can have at most two client secrets");
    // Both work at /v1/token; after deactivation the old one fails with invalid_client.
    let token = |secret: String| {
        let s = &s;
        let id = id.clone();
        async move {
            s.post_form(
                "/oauth2/v1/token",
                &[("authorization", &basic(&id, &secret))],
                &[("grant_type", "client_credentials")],
            )
            .await
        }
    };
    assert_ne!(token(old.clone()).await.body["error"], "invalid_client");
    assert_ne!(token(new_secret.clone()).await.body["error"], "invalid_client");
    let off = s.api_post(&format!("{base}/{old_id}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(off["status"], "INACTIVE");
    assert!(off.get("client_secret").is_none());
    assert_eq!(off["_links"]["delete"]["method"], "DELETE");
    let r = token(old.clone()).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "invalid_client");
    assert_ne!(token(new_secret.clone()).await.body["error"], "invalid_client");
    assert_eq!(revoke_with_secret(&s, &id, &new_secret).await, 200);
    assert_eq!(revoke_with_secret(&s, &id, &old).await, 401);
    // The only ACTIVE secret stays; an ACTIVE secret is not deleted; INACTIVE is.
    let e = s.api_post(&format!("{base}/{new_id}/lifecycle/deactivate"), &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"][0]["errorSummary"],
        "client_secret: the app's only ACTIVE client secret cannot be deactivated"
    );
    s.api_delete(&format!("{base}/{new_id}")).await.okta_error(403, "E0000038");
    assert_eq!(s.api_delete(&format!("{base}/{old_id}")).await.status, 204);
    s.api_delete(&format!("{base}/{old_id}")).await.okta_error(404, "E0000007");
    let changes: Vec<String> = s
        .events_of_type("application.lifecycle.update")
        .await
        .iter()
        .map(|e| e["debugContext"]["debugData"]["credentialChange"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(changes, vec!["client_secret.create", "client_secret.deactivate", "client_secret.delete"]);
    let all = format!("{:?}", s.events_of_type("application.lifecycle.update").await);
    assert!(!all.contains(&new_secret) && !all.contains(&old));
    // A public app has no secrets to add.
    let spa = json!({"name": "oidc_client", "label": "SPA", "credentials": {"oauthClient": {"token_endpoint_auth_method": "none"}},
        "settings": {"oauthClient": {"redirect_uris": ["http://localhost/cb"], "grant_types": ["authorization_code"], "application_type": "browser"}}});
    let spa = s.api_post("/api/v1/apps", &spa).await.expect(200);
    s.api_post(&format!("/api/v1/apps/{}/credentials/secrets", spa["id"].as_str().unwrap()), &json!({}))
        .await
        .okta_error(400, "E0000001");
}

async fn jwks_upload_authenticates_private_key_jwt(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let mut body = service("Signer", "private_key_jwt");
    body["settings"]["oauthClient"]["jwks"] = json!({"keys": [public_jwk("corp-knowledge-agent")]});
    let app = s.api_post("/api/v1/apps", &body).await.expect(200);
    let id = app["id"].as_str().unwrap().to_owned();
    assert!(app["credentials"]["oauthClient"].get("client_secret").is_none());
    assert_eq!(app["settings"]["oauthClient"]["jwks"]["keys"].as_array().unwrap().len(), 1);
    let base = format!("/api/v1/apps/{id}/credentials/jwks");
    // Upload a second key without kid: its kid is the RFC 7638 thumbprint.
    let jwk = public_jwk("orchestrator");
    let thumb = baton::jose::keys::thumbprint(jwk.as_object().unwrap()).unwrap();
    let mut private = jwk.clone();
    private["d"] = json!("x");
    let e = s.api_post(&base, &private).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"][0]["errorSummary"],
        "d: private key members are not allowed; upload the public key only"
    );
    let key = s.api_post(&base, &jwk).await.expect(200);
    assert_eq!(key["kid"], json!(thumb));
    assert_eq!(key["id"], json!(thumb));
    assert_eq!(
        keys_of(&key),
        sorted(&["id", "kid", "kty", "alg", "use", "e", "n", "status", "created", "lastUpdated", "_links"])
    );
    assert_eq!(
        (key["alg"].as_str(), key["use"].as_str(), key["status"].as_str()),
        (Some("RS256"), Some("sig"), Some("ACTIVE"))
    );
    s.api_post(&base, &jwk).await.okta_error(400, "E0000001");
    assert_eq!(s.api_get(&base).await.expect(200).as_array().unwrap().len(), 2);
    assert_eq!(s.api_get(&format!("{base}/{thumb}")).await.expect(200)["kid"], json!(thumb));
    // The uploaded key authenticates at /oauth2/v1/token.
    let token_url = s.url("/oauth2/v1/token");
    let assertion =
        |pem: &str, kid: Option<&str>| sign_assertion(pem, kid, &assertion_claims(&id, &token_url, s.clock.now_s()));
    let call = |a: String| {
        let s = &s;
        async move {
            s.post_form(
                "/oauth2/v1/token",
                &[],
                &[
                    ("grant_type", "client_credentials"),
                    ("client_assertion_type", ASSERTION_TYPE),
                    ("client_assertion", &a),
                ],
            )
            .await
        }
    };
    let ok = call(assertion("orchestrator", Some(&thumb))).await;
    assert_ne!(ok.body["error"], "invalid_client", "{}", ok.text);
    // Deactivated: invalid_client; reactivated works again.
    let off = s.api_post(&format!("{base}/{thumb}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(off["status"], "INACTIVE");
    let r = call(assertion("orchestrator", None)).await;
    assert_eq!((r.status, r.body["error"].as_str()), (401, Some("invalid_client")));
    s.api_post(&format!("{base}/{thumb}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_ne!(call(assertion("orchestrator", None)).await.body["error"], "invalid_client");
    // Delete only when INACTIVE; the last ACTIVE key of a private_key_jwt app stays.
    s.api_delete(&format!("{base}/{thumb}")).await.okta_error(403, "E0000038");
    s.api_post(&format!("{base}/{thumb}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(s.api_delete(&format!("{base}/{thumb}")).await.status, 204);
    let first = s.api_get(&base).await.expect(200)[0]["kid"].as_str().unwrap().to_owned();
    let e = s.api_post(&format!("{base}/{first}/lifecycle/deactivate"), &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"][0]["errorSummary"],
        "jwks: the only ACTIVE key of a private_key_jwt app cannot be deactivated"
    );
    s.api_get(&format!("{base}/{thumb}")).await.okta_error(404, "E0000007");
    let changes: Vec<String> = s
        .events_of_type("application.lifecycle.update")
        .await
        .iter()
        .map(|e| e["debugContext"]["debugData"]["credentialChange"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(changes, vec!["jwk.create", "jwk.deactivate", "jwk.activate", "jwk.deactivate", "jwk.delete"]);
}

async fn assignments(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let app = s.api_post("/api/v1/apps", &web("Orders")).await.expect(200);
    let id = app["id"].as_str().unwrap().to_owned();
    let now = s.clock.now_ms();
    let user = baton::domain::User {
        id: baton::domain::ids::new_id(baton::domain::ids::Prefix::User),
        status: baton::domain::UserStatus::Active,
        profile: serde_json::from_value(
            json!({"login": "ada@example.com", "email": "ada@example.com", "firstName": "Ada", "lastName": "L"}),
        )
        .unwrap(),
        password_hash: None,
        created: now,
        activated: Some(now),
        status_changed: Some(now),
        last_login: None,
        last_updated: now,
        password_changed: None,
    };
    s.state.store.create_user(&user, &[], &[]).await.unwrap();
    assert!(!s.state.store.is_user_assigned(&id, &user.id).await.unwrap());
    let users = format!("/api/v1/apps/{id}/users");
    let e = s.api_post(&users, &json!({"scope": "GROUP"})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: id, scope");
    s.api_post(&users, &json!({"id": "00unobody"})).await.okta_error(404, "E0000007");
    let au = s.api_post(&users, &json!({"id": user.id, "scope": "USER"})).await.expect(200);
    assert_eq!(au["credentials"], json!({"userName": "ada@example.com"}));
    assert_eq!(au["scope"], "USER");
    assert_eq!(au["_links"]["user"]["href"], json!(s.url(&format!("/api/v1/users/{}", user.id))));
    assert!(s.state.store.is_user_assigned(&id, &user.id).await.unwrap());
    let au = s.api_post(&users, &json!({"id": user.id, "credentials": {"userName": "ada"}})).await.expect(200);
    assert_eq!(au["credentials"]["userName"], "ada");
    let list = s.api_get(&users).await;
    assert_eq!(list.links().len(), 1);
    assert_eq!(list.expect(200)[0]["credentials"]["userName"], "ada");
    assert_eq!(s.api_get(&format!("{users}/{}", user.id)).await.expect(200)["id"], json!(user.id));
    let add = s.events_of_type("application.user_membership.add").await;
    assert_eq!(add.len(), 1);
    assert_eq!(add[0]["target"][0]["id"], json!(user.id));
    assert_eq!(add[0]["target"][1]["id"], json!(id));
    assert_eq!(s.api_delete(&format!("{users}/{}", user.id)).await.status, 204);
    s.api_delete(&format!("{users}/{}", user.id)).await.okta_error(404, "E0000007");
    assert_eq!(s.events_of_type("application.user_membership.remove").await.len(), 1);
    assert!(!s.state.store.is_user_assigned(&id, &user.id).await.unwrap());
    // Groups: the built-in Everyone assigns every user.
    let everyone = s.state.store.find_group_by_name("Everyone").await.unwrap().unwrap();
    let groups = format!("/api/v1/apps/{id}/groups");
    s.api_put(&format!("{groups}/{}", everyone.id), &json!({"priority": -1})).await.okta_error(400, "E0000001");
    s.api_put(&format!("{groups}/00gnope"), &json!({})).await.okta_error(404, "E0000007");
    let ga = s.api_put(&format!("{groups}/{}", everyone.id), &json!({"priority": 0})).await.expect(200);
    assert_eq!(keys_of(&ga), sorted(&["id", "lastUpdated", "priority", "profile", "_links"]));
    assert_eq!(ga["id"], json!(everyone.id));
    assert!(s.state.store.is_user_assigned(&id, &user.id).await.unwrap());
    assert_eq!(s.api_get(&groups).await.expect(200).as_array().unwrap().len(), 1);
    assert_eq!(s.api_delete(&format!("{groups}/{}", everyone.id)).await.status, 204);
    assert!(!s.state.store.is_user_assigned(&id, &user.id).await.unwrap());
    assert_eq!(s.events_of_type("group.application_assignment.add").await.len(), 1);
    assert_eq!(s.events_of_type("group.application_assignment.remove").await.len(), 1);
}

/// An app may not take an AI agent's client id (its `wlp…` id): the agent keeps authenticating
/// with its key and no app can pose as it, whichever path writes (the store refuses it).
async fn agent_client_id_is_not_for_apps(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let r = s.api_post("/workload-principals/api/v1/ai-agents", &json!({"profile": {"name": "Orchestrator"}})).await;
    let location = r.headers.get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap();
    r.expect(202);
    let op = s.api_get(&location).await.expect(200);
    let agent_id = op["resource"]["id"].as_str().unwrap().to_owned();
    let mut poser = service("Poser", "client_secret_basic");
    poser["credentials"]["oauthClient"]["client_id"] = json!(agent_id);
    let e = s.api_post("/api/v1/apps", &poser).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"],
        json!([{"errorSummary": "client_id: An object with this field already exists in the current organization"}])
    );
    assert_eq!(s.state.store.find_app_by_client_id(&agent_id).await.unwrap(), None);
    assert!(s.events_of_type("application.lifecycle.create").await.is_empty());
}

backend_tests!(
    agent_client_id_is_not_for_apps,
    create_each_type_with_exact_shape,
    validation_causes,
    list_paging_filters,
    lifecycle_update_delete,
    secrets_rotation_at_token_endpoint,
    jwks_upload_authenticates_private_key_jwt,
    assignments,
);

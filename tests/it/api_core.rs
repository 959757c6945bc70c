//! The Management API's common ground: SSWS authentication and its errors, the error
//! envelope, the OpenAPI document, and the optional rate limit with the headers the Okta SDKs
//! need to retry.

use crate::common;

use common::api::{api_server, ADMIN_TOKEN};
use common::{Backend, TestServer};
use reqwest::Method;
use serde_json::json;

async fn authentication_errors(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    // No header, wrong scheme, unknown token: 401 E0000011.
    let r = s.http.get(s.url("/api/v1/org")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000011");
    assert_eq!(body["errorSummary"], "Invalid token provided");
    s.api_as("not-the-token-at-all-000000", Method::GET, "/api/v1/org", None).await.okta_error(401, "E0000011");
    let r =
        s.http.get(s.url("/api/v1/org")).header("authorization", format!("Bearer {ADMIN_TOKEN}")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // The right token works, and its use is recorded.
    let org = s.api_get("/api/v1/org").await.expect(200);
    assert_eq!(org["id"], json!(s.state.org.id));
    assert_eq!(org["_links"]["self"]["href"], json!(s.url("/api/v1/org")));
    let token = s.state.store.find_api_token_by_name("BATON_ADMIN_API_TOKEN").await.unwrap().unwrap();
    assert!(token.last_used.is_some());
}

async fn org_update_is_validated_and_logged(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let e = s.api_put("/api/v1/org", &json!({"companyName": ""})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: companyName");
    assert_eq!(e["errorCauses"][0]["errorSummary"], "companyName: The field cannot be left blank");
    let r = s
        .http
        .put(s.url("/api/v1/org"))
        .header("authorization", format!("SSWS {ADMIN_TOKEN}"))
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["errorCode"], "E0000003");
    let org = s.api_put("/api/v1/org", &json!({"companyName": "Streamward"})).await.expect(200);
    assert_eq!(org["companyName"], "Streamward");
    assert_eq!(s.api_get("/api/v1/org").await.expect(200)["companyName"], "Streamward");
    let events = s.events_of_type("system.org.update").await;
    assert_eq!(events.len(), 1);
    let token = s.state.store.find_api_token_by_name("BATON_ADMIN_API_TOKEN").await.unwrap().unwrap();
    assert_eq!(events[0]["transaction"]["detail"]["requestApiTokenId"], json!(token.id));
    assert_eq!(events[0]["actor"]["type"], "SystemPrincipal");
    assert_eq!(events[0]["actor"]["id"], json!(token.id));
}

async fn openapi_lists_what_is_served(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let (status, doc) = s.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], json!(s.base));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths["/api/v1/org"]["get"]["operationId"].is_string());
    // Every documented GET without path parameters is really served (never 404 / 405).
    for (path, ops) in paths {
        if ops.get("get").is_some() && !path.contains('{') {
            let r = s.api_get(path).await;
            assert!(r.status == 200, "{path} answered {}: {}", r.status, r.body);
        }
    }
}

async fn rate_limit_answers_429_with_retry_headers(backend: Backend) {
    let Some(s) = TestServer::start_with(backend, |c| {
        c.admin_api_token = Some(ADMIN_TOKEN.into());
        c.api_rate_limit = Some(3);
    })
    .await
    else {
        return;
    };
    s.clock.freeze_at(1_790_000_000_000);
    for remaining in ["2", "1", "0"] {
        let r = s.api_get("/api/v1/org").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["x-rate-limit-limit"], "3");
        assert_eq!(r.headers["x-rate-limit-remaining"], remaining);
    }
    let r = s.api_get("/api/v1/org").await;
    assert_eq!(r.headers["x-rate-limit-reset"], "1790000040");
    assert!(r.headers.get("date").is_some());
    assert_eq!(r.headers.get_all("x-rate-limit-reset").iter().count(), 1);
    r.okta_error(429, "E0000047");
    // A new minute opens a new window.
    s.clock.advance(60_000);
    assert_eq!(s.api_get("/api/v1/org").await.status, 200);
}

backend_tests!(
    authentication_errors,
    org_update_is_validated_and_logged,
    openapi_lists_what_is_served,
    rate_limit_answers_429_with_retry_headers
);

//! One table for the Management and AI-agent APIs: each route is registered once, with its
//! handler and a line of documentation, so the router and `/api/v1/openapi.json` are built
//! from the same calls and cannot drift apart.

use crate::state::AppState;
use axum::handler::Handler;
use axum::routing::{on, MethodFilter};
use axum::Router;
use serde_json::{json, Map, Value};

/// What `/api/v1/openapi.json` says of one operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: &'static str,
    pub path: String,
    pub tag: &'static str,
    pub summary: &'static str,
    /// The status of success (200, 201, 202, 204).
    pub status: u16,
    /// Whether the operation takes a JSON body.
    pub body: bool,
}

/// Routes plus their documentation.
pub struct ApiRoutes {
    router: Router<AppState>,
    operations: Vec<Operation>,
    tag: &'static str,
}

impl Default for ApiRoutes {
    fn default() -> Self {
        Self { router: Router::new(), operations: Vec::new(), tag: "" }
    }
}

impl ApiRoutes {
    /// Routes registered after this call are documented under `tag`.
    #[must_use]
    pub fn tag(mut self, tag: &'static str) -> Self {
        self.tag = tag;
        self
    }

    fn add<H, T>(mut self, method: &'static str, path: &str, summary: &'static str, status: u16, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "PATCH" => MethodFilter::PATCH,
            _ => MethodFilter::DELETE,
        };
        self.router = self.router.route(path, on(filter, handler));
        let body = matches!(method, "POST" | "PUT" | "PATCH");
        self.operations.push(Operation { method, path: path.to_owned(), tag: self.tag, summary, status, body });
        self
    }

    #[must_use]
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, summary: &'static str, handler: H) -> Self {
        self.add("GET", path, summary, 200, handler)
    }

    /// A POST answering `status` on success.
    #[must_use]
    pub fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        summary: &'static str,
        status: u16,
        handler: H,
    ) -> Self {
        self.add("POST", path, summary, status, handler)
    }

    #[must_use]
    pub fn put<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        summary: &'static str,
        status: u16,
        handler: H,
    ) -> Self {
        self.add("PUT", path, summary, status, handler)
    }

    #[must_use]
    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        summary: &'static str,
        status: u16,
        handler: H,
    ) -> Self {
        self.add("PATCH", path, summary, status, handler)
    }

    #[must_use]
    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        summary: &'static str,
        status: u16,
        handler: H,
    ) -> Self {
        self.add("DELETE", path, summary, status, handler)
    }

    /// Everything registered so far.
    #[must_use]
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<Operation>) {
        (self.router, self.operations)
    }
}

/// The OpenAPI 3.1 document of `operations`, served under `base`.
#[must_use]
pub fn openapi(base: &str, operations: &[Operation]) -> Value {
    let mut paths = Map::new();
    for op in operations {
        let params: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let description = match op.status {
            201 => "Created",
            202 => "Accepted: the Location header names a COMPLETED operation",
            204 => "No Content",
            _ => "OK",
        };
        let mut responses = Map::new();
        let success = if op.status == 204 {
            json!({"description": description})
        } else {
            json!({"description": description, "content": {"application/json": {"schema": {}}}})
        };
        responses.insert(op.status.to_string(), success);
        for (code, what) in
            [("400", "Validation failed"), ("401", "Invalid token"), ("403", "Forbidden"), ("404", "Not found")]
        {
            responses.insert(code.into(), json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}));
        }
        let mut operation = json!({
            "tags": [op.tag],
            "summary": op.summary,
            "operationId": operation_id(op),
            "parameters": params,
            "responses": responses,
        });
        if op.body {
            operation["requestBody"] =
                json!({"required": false, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let entry = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        entry[op.method.to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "baton Management API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Okta-compatible Management API (/api/v1) and AI-agent API (/workload-principals/api/v1) that this baton serves.",
        },
        "servers": [{"url": base}],
        "security": [{"SSWS": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"SSWS": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "SSWS {API token}"}},
            "schemas": {"Error": {
                "type": "object",
                "required": ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"],
                "properties": {
                    "errorCode": {"type": "string"}, "errorSummary": {"type": "string"}, "errorLink": {"type": "string"},
                    "errorId": {"type": "string"},
                    "errorCauses": {"type": "array", "items": {"type": "object", "properties": {"errorSummary": {"type": "string"}}}}
                }
            }}
        }
    })
}

/// `getApiV1UsersById`-style ids, unique because (method, path) is.
fn operation_id(op: &Operation) -> String {
    let mut id = op.method.to_ascii_lowercase();
    for seg in op.path.split('/').filter(|s| !s.is_empty()) {
        let word = seg.trim_start_matches('{').trim_end_matches('}');
        let mut chars = word.chars().filter(char::is_ascii_alphanumeric);
        if seg.starts_with('{') {
            id.push_str("By");
        }
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

//! Which authorization server a request is for: the org AS or an ACTIVE custom AS, with its
//! issuer, the owner of its keys and its endpoint URLs (okta-surface.md §1).

use crate::audit::Target;
use crate::domain::{AuthServer, Status};
use crate::oauth::authorize::PageError;
use crate::state::AppState;
use crate::store::StoreError;
use axum::http::StatusCode;

/// The issuer of custom AS `id` under `base`.
#[must_use]
pub fn custom_issuer(base: &str, id: &str) -> String {
    format!("{base}/oauth2/{id}")
}

/// Why a route names no server baton serves.
#[derive(Debug)]
pub enum NotServed {
    /// No ACTIVE custom AS has this id: 404 `E0000007` (okta-surface.md §1).
    Unknown(String),
    /// The store could not say.
    Store(StoreError),
}

impl NotServed {
    /// Okta's error code for an unknown resource.
    pub const CODE: &'static str = "E0000007";

    /// Okta's summary of the 404.
    #[must_use]
    pub fn summary(id: &str) -> String {
        format!("Not found: Resource not found: {id} (AuthorizationServer)")
    }

    /// The error page of an interactive endpoint (`/authorize`, `/logout`).
    #[must_use]
    pub fn page(self) -> PageError {
        match self {
            Self::Unknown(id) => PageError {
                status: StatusCode::NOT_FOUND,
                error: Self::CODE.to_owned(),
                description: Self::summary(&id),
            },
            Self::Store(e) => PageError::internal(&e),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    Org,
    Custom(AuthServer),
}

#[derive(Debug, Clone)]
pub struct Issuer {
    pub kind: Kind,
    /// Exact `iss` of this server's tokens; no trailing slash.
    pub issuer: String,
    /// The id its keys are stored under: the org id or the custom AS id.
    pub key_owner: String,
}

impl Issuer {
    /// Resolves `/oauth2/v1/…` (None) or `/oauth2/{id}/v1/…`; an unknown or INACTIVE custom
    /// AS is `NotServed::Unknown`.
    pub async fn resolve(state: &AppState, id: Option<&str>) -> Result<Self, NotServed> {
        match id {
            None => Ok(Self::org(state)),
            Some(id) => match state.store.find_auth_server(id).await.map_err(NotServed::Store)? {
                Some(server) if server.status == Status::Active => Ok(Self::custom(state, server)),
                _ => Err(NotServed::Unknown(id.to_owned())),
            },
        }
    }

    #[must_use]
    pub fn org(state: &AppState) -> Self {
        Self::org_under(state.base(), &state.org.id)
    }

    #[must_use]
    pub fn custom(state: &AppState, server: AuthServer) -> Self {
        Self::custom_under(state.base(), server)
    }

    /// The org AS of the baton whose issuer is `base`.
    #[must_use]
    pub fn org_under(base: &str, org_id: &str) -> Self {
        Self { kind: Kind::Org, issuer: base.to_owned(), key_owner: org_id.to_owned() }
    }

    /// A custom AS of the baton whose issuer is `base`: `{base}/oauth2/{id}`.
    #[must_use]
    pub fn custom_under(base: &str, server: AuthServer) -> Self {
        Self { issuer: custom_issuer(base, &server.id), key_owner: server.id.clone(), kind: Kind::Custom(server) }
    }

    #[must_use]
    pub fn is_org(&self) -> bool {
        matches!(self.kind, Kind::Org)
    }

    /// Which kind of server this is, as the grant registry and discovery tell them apart.
    #[must_use]
    pub fn server_kind(&self) -> crate::oauth::discovery::Kind {
        match self.kind {
            Kind::Org => crate::oauth::discovery::Kind::Org,
            Kind::Custom(_) => crate::oauth::discovery::Kind::Custom,
        }
    }

    /// The custom AS, if this is one.
    #[must_use]
    pub fn server(&self) -> Option<&AuthServer> {
        match &self.kind {
            Kind::Custom(s) => Some(s),
            Kind::Org => None,
        }
    }

    /// Id used in stored grants and logs: the custom AS id, or the org id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.key_owner
    }

    /// `{issuer}/v1/{path}` for a custom AS, `{base}/oauth2/v1/{path}` for the org AS.
    #[must_use]
    pub fn endpoint(&self, path: &str) -> String {
        if self.is_org() {
            format!("{}/oauth2/v1/{path}", self.issuer)
        } else {
            format!("{}/v1/{path}", self.issuer)
        }
    }

    /// The access-token audience: `audiences[0]` of a custom AS, the base URL for the org AS.
    #[must_use]
    pub fn audience(&self) -> String {
        match &self.kind {
            Kind::Custom(s) => s.audiences.first().cloned().unwrap_or_default(),
            Kind::Org => self.issuer.clone(),
        }
    }

    /// The System Log target for this server.
    #[must_use]
    pub fn target(&self) -> Target {
        let name = self.server().map_or("org", |s| s.name.as_str());
        Target::new(self.id(), "AuthorizationServer", &self.issuer, name)
    }
}

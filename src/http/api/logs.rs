//! Placeholder until this resource's routes are written.

use super::routes::ApiRoutes;

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r
}

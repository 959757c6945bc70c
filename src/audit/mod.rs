//! The System Log: Okta LogEvent construction (okta-surface.md §12, §14; xaa.md §8). Events
//! are built here and handed to the store together with the state change they record.

pub mod event;
pub mod filter;

pub use event::{Actor, Context, Event, Target};

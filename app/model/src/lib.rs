//! Ids and wire types shared by the browser and the server.
//!
//! Everything here crosses the wire between the WASM app and the server functions, so it is
//! plain data with serde and nothing else: it must build for `wasm32-unknown-unknown` and for
//! the server alike. Database rows live in the backend; these are what people see.

pub mod actions;
pub mod ids;
pub mod mail;
pub mod types;

pub use actions::*;
pub use ids::*;
pub use mail::*;
pub use types::*;

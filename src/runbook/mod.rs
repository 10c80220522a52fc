//! Runbooks: the format (model), loading with positions, validation, parameters, digests.

pub(crate) mod digest;
pub(crate) mod kinds;
pub(crate) mod load;
pub(crate) mod locate;
pub mod model;
pub(crate) mod names;
pub(crate) mod params;
pub mod schema;
pub mod selection;
pub(crate) mod template;
pub(crate) mod validate;

pub use load::{load, load_file, LoadedRunbook};

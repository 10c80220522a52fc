//! Runbooks: the format (model), loading with positions, validation, parameters, digests.

pub mod digest;
pub mod kinds;
pub mod load;
pub mod locate;
pub mod model;
pub mod names;
pub mod params;
pub mod schema;
pub mod selection;
pub mod template;
pub mod validate;

pub use load::{load, load_file, LoadedRunbook};
pub use model::{Action, Check, Direction, Runbook, Step};

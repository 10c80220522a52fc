//! The content of databases as a whole: fingerprints that tell apart any two states (every
//! document's bytes, every index spec) and server-side clones.

pub mod clone;
pub mod fingerprint;

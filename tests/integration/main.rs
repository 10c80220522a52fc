//! Integration tests: the real `rollbook` binary against a real MongoDB replica set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod catalog;
mod generated_files;
mod invalid_runbooks;
mod sandbox;
mod server;

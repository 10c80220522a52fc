//! Integration tests: the real `rollbook` binary against a real MongoDB replica set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod archive;
mod audit;
mod auth;
mod bad_input;
mod catalog;
mod connection;
mod contexts;
mod data;
mod deletes;
mod estimates;
mod execution;
mod faults;
mod fencing;
mod gates;
mod generated_files;
mod interruption;
mod invalid_runbooks;
mod notifications;
mod org_rename;
mod pipeline_updates;
mod progress;
mod restores;
mod samples;
mod sandbox;
mod secrets;
mod server;
mod snapshot_registry;
mod status;
mod tenant_restore;
mod views;

//! The typed bodies of the commands' JSON documents, one file per family of commands; each is
//! printed inside the common envelope of [`crate::output::json::Document`].

pub(crate) mod catalog;

//! Human output: tables on stdout, sized to the terminal when there is one.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

/// A table with the house style and the given header.
#[must_use]
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !header.is_empty() {
        table.set_header(header.iter().copied());
    }
    // On a terminal too narrow to wrap into (or one reporting no size), print unwrapped.
    if table.width().is_some_and(|width| width < 60) {
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
    table
}

/// `yes` or an empty cell.
#[must_use]
pub(crate) fn flag(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        ""
    }
}

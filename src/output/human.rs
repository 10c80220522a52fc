//! Human output: tables on stdout, sized to the terminal when there is one.

pub(crate) use crate::values::{expected, json_inline, value};
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

/// The width human views are laid out for: `COLUMNS` when set (scripts, tests), else the
/// terminal's; `None` when stdout is no terminal and `COLUMNS` is unset (then tables print
/// unwrapped, for files and `grep`).
#[must_use]
pub(crate) fn width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c >= 20)
    {
        return Some(columns);
    }
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    Table::new().width().map(usize::from)
}

/// Wraps `text` to `width` columns at spaces, never inside a word (a word longer than the
/// line stands alone on its own line); each line of `text` starts a new line. Continuation
/// lines start with `indent`.
#[must_use]
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for source in text.lines() {
        let lead: String = source.chars().take_while(|c| *c == ' ').collect();
        let mut line = lead.clone();
        let mut empty = true;
        for word in source.split(' ').filter(|w| !w.is_empty()) {
            let needed = if empty { 0 } else { 1 } + word.chars().count();
            if !empty && line.chars().count() + needed > width {
                lines.push(std::mem::take(&mut line));
                line = format!("{indent}{lead}");
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A table for rollbook's own views that always fits its width: a grid when every column can
/// hold its longest word, else one block per row (`header: value` lines, wrapped at spaces).
/// Multi-line cells are shown whole.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    width: Option<usize>,
}

/// A [`Grid`] with this header, laid out for [`width`].
#[must_use]
pub(crate) fn grid(header: &[&str]) -> Grid {
    Grid {
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows: Vec::new(),
        width: width(),
    }
}

impl Grid {
    /// Appends a row (missing cells are empty).
    pub(crate) fn add_row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Lays the grid out for another width (`None`: unwrapped).
    #[must_use]
    pub(crate) fn with_width(mut self, width: Option<usize>) -> Self {
        self.width = width;
        self
    }

    fn longest_words(&self) -> Vec<usize> {
        (0..self.header.len())
            .map(|column| {
                std::iter::once(&self.header[column])
                    .chain(self.rows.iter().filter_map(|r| r.get(column)))
                    .flat_map(|cell| cell.split([' ', '\n']))
                    .map(|word| word.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// True when the grid can be drawn at `width` without breaking a word.
    #[must_use]
    pub(crate) fn fits(&self, width: usize) -> bool {
        let words = self.longest_words();
        // Each column takes its content plus one space each side and a border.
        let needed: usize = words.iter().map(|w| w + 3).sum::<usize>() + 1;
        needed <= width
    }

    /// Column widths for `width`: each at least its longest word, at most its longest line;
    /// the room left goes one column at a time to the one that lacks the most.
    fn column_widths(&self, width: Option<usize>) -> Vec<usize> {
        let longest_line = |column: usize| {
            std::iter::once(&self.header[column])
                .chain(self.rows.iter().filter_map(|r| r.get(column)))
                .flat_map(|cell| cell.lines())
                .map(|line| line.chars().count())
                .max()
                .unwrap_or(0)
        };
        let most: Vec<usize> = (0..self.header.len()).map(longest_line).collect();
        let Some(width) = width else {
            return most;
        };
        let mut widths = self.longest_words();
        let overhead = 3 * widths.len() + 1;
        let mut room = width.saturating_sub(overhead + widths.iter().sum::<usize>());
        // Short columns (flags, counts, names) first get all they need, smallest need first,
        // so that only long prose wraps.
        let mut short: Vec<usize> = (0..widths.len()).filter(|&c| most[c] <= 20).collect();
        short.sort_by_key(|&c| most[c] - widths[c]);
        for column in short {
            let need = most[column] - widths[column];
            if need <= room {
                widths[column] = most[column];
                room -= need;
            }
        }
        while room > 0 {
            let lacking = (0..widths.len())
                .filter(|&c| widths[c] < most[c])
                .max_by_key(|&c| most[c] - widths[c]);
            let Some(column) = lacking else { break };
            widths[column] += 1;
            room -= 1;
        }
        widths
    }

    /// The grid drawn with box characters, every cell wrapped at spaces to its column.
    fn table(&self) -> String {
        let widths = self.column_widths(self.width);
        let rule = |left: &str, fill: &str, join: &str, right: &str| {
            let parts: Vec<String> = widths.iter().map(|w| fill.repeat(w + 2)).collect();
            format!("{left}{}{right}\n", parts.join(join))
        };
        let row = |cells: &[String]| {
            let wrapped: Vec<Vec<String>> = widths
                .iter()
                .enumerate()
                .map(|(column, width)| {
                    let cell = cells.get(column).map_or("", String::as_str);
                    cell.lines()
                        .flat_map(|line| wrap(line, (*width).max(1), ""))
                        .collect()
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut out = String::new();
            for index in 0..height {
                let parts: Vec<String> = wrapped
                    .iter()
                    .zip(&widths)
                    .map(|(lines, width)| {
                        let text = lines.get(index).map_or("", String::as_str);
                        let pad = width.saturating_sub(text.chars().count());
                        format!(" {text}{} ", " ".repeat(pad))
                    })
                    .collect();
                out.push_str(&format!("│{}│\n", parts.join("┆")));
            }
            out
        };
        let mut out = rule("┌", "─", "┬", "┐");
        out.push_str(&row(&self.header));
        out.push_str(&rule("╞", "═", "╪", "╡"));
        for cells in &self.rows {
            out.push_str(&row(cells));
        }
        out.push_str(&rule("└", "─", "┴", "┘"));
        out.trim_end_matches('\n').to_owned()
    }

    /// One block per row: the first cell as a heading, then `header: value` for every other
    /// non-empty cell, wrapped at `width`.
    #[must_use]
    pub(crate) fn blocks(&self, width: usize) -> String {
        let mut out = String::new();
        for (index, row) in self.rows.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            let mut cells = row.iter().zip(&self.header);
            if let Some((first, header)) = cells.next() {
                for line in wrap(&format!("{header} {first}"), width, "  ") {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
            for (cell, header) in cells {
                if cell.trim().is_empty() {
                    continue;
                }
                let text = if cell.contains('\n') {
                    format!("{header}:\n{}", indent_lines(cell, "  "))
                } else {
                    format!("{header}: {cell}")
                };
                for line in wrap(&text, width.saturating_sub(2), "    ") {
                    out.push_str("  ");
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// Every line of `text` with `indent` before it.
fn indent_lines(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Grid {
    /// The grid without the columns that are empty in every row.
    fn without_empty_columns(&self) -> Grid {
        let keep: Vec<usize> = (0..self.header.len())
            .filter(|&c| {
                self.rows
                    .iter()
                    .any(|r| r.get(c).is_some_and(|cell| !cell.trim().is_empty()))
            })
            .collect();
        let pick = |cells: &[String]| -> Vec<String> {
            keep.iter()
                .map(|&c| cells.get(c).cloned().unwrap_or_default())
                .collect()
        };
        Grid {
            header: pick(&self.header),
            rows: self.rows.iter().map(|r| pick(r)).collect(),
            width: self.width,
        }
    }
}

impl std::fmt::Display for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let grid = self.without_empty_columns();
        match grid.width {
            Some(width) if !grid.fits(width) => {
                f.write_str(grid.blocks(width).trim_end_matches('\n'))
            }
            _ => f.write_str(&grid.table()),
        }
    }
}

/// `label: value` lines, values wrapped at spaces with a hanging indent, multi-line values
/// shown whole below their label; for views of one record (`show`, a run's summary).
#[must_use]
pub(crate) fn fields(rows: &[(&str, String)], width: Option<usize>) -> String {
    let width = width.unwrap_or(usize::MAX);
    let mut out = String::new();
    for (label, value) in rows {
        let value = value.trim_end();
        if value.trim().is_empty() {
            continue;
        }
        if value.contains('\n') {
            out.push_str(&format!("{label}:\n"));
            for line in value.lines() {
                for wrapped in wrap(line, width.saturating_sub(2), "    ") {
                    out.push_str(&format!("  {wrapped}\n"));
                }
            }
        } else {
            for wrapped in wrap(&format!("{label}: {value}"), width, "    ") {
                out.push_str(&format!("{wrapped}\n"));
            }
        }
    }
    out
}

/// An RFC 3339 time as people read it in a table: `2026-12-02 00:12:03` (UTC, whole seconds,
/// joined by a no-break space);
/// anything else unchanged.
#[must_use]
pub(crate) fn time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(at) => at
            .with_timezone(&chrono::Utc)
            // A no-break space: a time is never wrapped between its date and its clock.
            .format("%Y-%m-%d\u{a0}%H:%M:%S")
            .to_string(),
        Err(_) => rfc3339.to_owned(),
    }
}

/// A line of prose wrapped to the layout width (unchanged without one).
#[must_use]
pub(crate) fn paragraph(text: &str) -> String {
    match width() {
        Some(width) => wrap(text, width, "  ").join("\n"),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_never_breaks_a_word() {
        let lines = wrap(
            "the quick brown fox jumps over sha256:0123456789abcdef0123456789abcdef",
            20,
            "  ",
        );
        assert_eq!(
            lines,
            [
                "the quick brown fox",
                "  jumps over",
                "  sha256:0123456789abcdef0123456789abcdef",
            ]
        );
        assert_eq!(wrap("a\nb c", 80, ""), ["a", "b c"]);
    }

    #[test]
    fn a_grid_too_wide_for_its_width_becomes_blocks() {
        let mut grid = grid(&["step", "title", "approval"]).with_width(Some(30));
        grid.add_row(["21", "Unlink users from customers", "user_linking"]);
        grid.add_row(["22", "Remove the delivery statuses", ""]);
        assert!(grid.fits(40));
        assert!(!grid.fits(30));
        assert_eq!(
            grid.to_string(),
            "step 21\n  title: Unlink users from\n      customers\n  approval: user_linking\n\n\
             step 22\n  title: Remove the delivery\n      statuses"
        );
        let wide = grid.clone().with_width(Some(80)).to_string();
        assert!(
            wide.contains("user_linking") && wide.lines().count() == 6,
            "{wide}"
        );
        for line in wide.lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }
}

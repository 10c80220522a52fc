//! Line prompts on the terminal: every answer is a whole line ended by Enter, so a key typed
//! after an answer (the Enter after `y`) can never answer the next prompt.

use std::io::{BufRead, Write};

/// What the operator answered to a yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// `y` or `yes`.
    Yes,
    /// `n`, `no`, or an empty line (the default).
    No,
    /// Input ended (Ctrl-D) or could not be read.
    Closed,
}

/// How a typed answer reads: `y`/`yes` and `n`/`no`/empty, any case; anything else asks again.
#[must_use]
pub(crate) fn parse_yes_no(line: &str) -> Option<bool> {
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(true),
        "" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// Reads one line from stdin; `None` at end of input or on a read error.
fn read_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_owned()),
    }
}

/// Asks `question [y/N]` on stderr and waits for a whole line; asks again (up to three times)
/// when the line is neither yes nor no.
pub(crate) fn yes_no(question: &str) -> Answer {
    for _ in 0..3 {
        eprint!(
            "{}\nType y or n, then Enter [y/N]: ",
            crate::output::human::paragraph(question)
        );
        let _ = std::io::stderr().flush();
        let Some(line) = read_line() else {
            eprintln!();
            return Answer::Closed;
        };
        match parse_yes_no(&line) {
            Some(true) => return Answer::Yes,
            Some(false) => return Answer::No,
            None => eprintln!("  {line:?} is neither y nor n."),
        }
    }
    Answer::No
}

/// The outcome of a typed confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Typed {
    /// The expected text was typed.
    Matched,
    /// Something else was typed (what, exactly).
    Mismatch(String),
    /// Input ended (Ctrl-D) or could not be read.
    Closed,
}

/// Asks the operator to type `expected` exactly, then Enter.
pub(crate) fn typed(question: &str, expected: &str) -> Typed {
    eprint!(
        "{}\nType {expected} and press Enter to continue (anything else cancels): ",
        crate::output::human::paragraph(question)
    );
    let _ = std::io::stderr().flush();
    match read_line() {
        None => {
            eprintln!();
            Typed::Closed
        }
        Some(line) if line.trim() == expected => Typed::Matched,
        Some(line) => Typed::Mismatch(line.trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_words_answer() {
        for yes in ["y", "Y", "yes", " YES "] {
            assert_eq!(parse_yes_no(yes), Some(true), "{yes}");
        }
        for no in ["", "n", "No", "no "] {
            assert_eq!(parse_yes_no(no), Some(false), "{no}");
        }
        for neither in ["yy", "ye", "ok", "sure", "y n"] {
            assert_eq!(parse_yes_no(neither), None, "{neither}");
        }
    }
}

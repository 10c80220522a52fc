//! Maps value paths (`steps[2].rollback[0].unset.collection`) to their line and column,
//! so validation errors found on the typed model can point into the YAML file.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Positions of every value in a YAML document, keyed by path.
#[derive(Debug, Default)]
pub(crate) struct Positions {
    by_path: HashMap<String, (usize, usize)>,
}

impl Positions {
    /// Indexes `source`; a document that does not parse yields an empty index.
    #[must_use]
    pub(crate) fn index(source: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(source);
        if parser.load(&mut builder, false).is_err() {
            return Positions::default();
        }
        Positions {
            by_path: builder.by_path,
        }
    }

    /// Line and column (both from 1) of the value at `path`, or of its nearest indexed parent.
    #[must_use]
    pub(crate) fn find(&self, path: &str) -> Option<(usize, usize)> {
        let mut path = path;
        loop {
            if let Some(found) = self.by_path.get(path) {
                return Some(*found);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

enum Frame {
    /// A mapping; `key` is the pending key and where it stood.
    Mapping {
        key: Option<(String, Marker)>,
    },
    Sequence {
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Path segments of the open containers.
    segments: Vec<String>,
    by_path: HashMap<String, (usize, usize)>,
}

impl Builder {
    fn path_with(&self, last: &str) -> String {
        let mut path = String::new();
        for segment in self.segments.iter().map(String::as_str).chain([last]) {
            if !segment.starts_with('[') && !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
        path
    }

    /// Called when a node starts; returns its path segment and the position to report for it
    /// (the key's, for a mapping value), or `None` if the node is a key.
    fn begin_node(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<(String, Marker)> {
        match self.stack.last_mut() {
            None => Some((String::new(), mark)),
            Some(Frame::Sequence { index }) => {
                let segment = format!("[{index}]");
                *index += 1;
                Some((segment, mark))
            }
            Some(Frame::Mapping { key }) => match key.take() {
                Some((current, key_mark)) => Some((current, key_mark)),
                None => {
                    *key = Some((scalar_key.unwrap_or("?").to_owned(), mark));
                    None
                }
            },
        }
    }

    fn record(&mut self, segment: &str, mark: Marker) {
        let path = self.path_with(segment);
        self.by_path
            .entry(path)
            .or_insert((mark.line(), mark.col() + 1));
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                if let Some((segment, _)) = self.begin_node(Some(&value), mark) {
                    // A scalar is reported where its value stands.
                    self.record(&segment, mark);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let (segment, at) = self.begin_node(None, mark).unwrap_or((String::new(), mark));
                // A collection is reported where its key stands (its own line for list items).
                self.record(&segment, at);
                self.segments.push(segment);
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping { key: None }
                    } else {
                        Frame::Sequence { index: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.segments.pop();
            }
            Event::Alias(_) => {
                let _ = self.begin_node(None, mark);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_falls_back_to_parents() {
        let source = "id: x\nsteps:\n  - id: \"19\"\n    rollback:\n      - unset:\n          collection: orders\n";
        let positions = Positions::index(source);
        assert_eq!(positions.find("id"), Some((1, 5)));
        assert_eq!(positions.find("steps[0].id"), Some((3, 9)));
        assert_eq!(
            positions.find("steps[0].rollback[0].unset.collection"),
            Some((6, 23))
        );
        assert_eq!(
            positions.find("steps[0].rollback[0].unset.fields"),
            positions.find("steps[0].rollback[0].unset")
        );
    }
}

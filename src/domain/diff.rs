//! Readable differences between two revisions of a case: changed fields side by side, and
//! the Markdown body line by line with a little context around each change.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// One line of a body diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
    /// Unchanged lines left out between two changes.
    Gap,
}

/// Lines of context kept around each change.
const CONTEXT: usize = 2;
/// Past this, the diff settles for a coarser (still correct) answer: bodies are long.
const TIME_LIMIT: Duration = Duration::from_millis(300);

/// The changes from `old` to `new`, line by line; empty when they are equal.
pub fn lines(old: &str, new: &str) -> Vec<DiffLine> {
    // A last line without its newline would differ from the same line with one.
    let (old, new) = (with_final_newline(old), with_final_newline(new));
    let diff = TextDiff::configure().timeout(TIME_LIMIT).diff_lines(&old, &new);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            out.push(DiffLine::Gap);
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches(['\r', '\n']).to_string();
                out.push(match change.tag() {
                    ChangeTag::Equal => DiffLine::Same(text),
                    ChangeTag::Insert => DiffLine::Added(text),
                    ChangeTag::Delete => DiffLine::Removed(text),
                });
            }
        }
    }
    out
}

fn with_final_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_come_with_context_and_gaps() {
        let old = "uno\ndos\ntres\ncuatro\ncinco\nseis\nsiete\nocho\nnueve\n";
        let new = "uno\nDOS\ntres\ncuatro\ncinco\nseis\nsiete\nocho\nnueve\ndiez\n";
        let diff = lines(old, new);
        assert_eq!(diff[0], DiffLine::Same("uno".into()));
        assert_eq!(diff[1], DiffLine::Removed("dos".into()));
        assert_eq!(diff[2], DiffLine::Added("DOS".into()));
        assert!(diff.contains(&DiffLine::Gap));
        assert_eq!(diff.last(), Some(&DiffLine::Added("diez".into())));
        assert!(lines("igual\n", "igual\n").is_empty());
        assert_eq!(
            lines("a\nb", "a\nb\nc"),
            [DiffLine::Same("a".into()), DiffLine::Same("b".into()), DiffLine::Added("c".into())]
        );
    }
}

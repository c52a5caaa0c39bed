//! The layers of `src/` point one way. Every `crate::` and `super::` path in every file is
//! read (in `use` lines, use trees and inline paths alike) and checked against two rules:
//!
//! - a top-level module uses only layers below its own, in the order of [`LAYERS`];
//! - modules that share a parent never import each other in a circle (in any folder: the
//!   features of `http`, the files of `store`, …).

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// Bottom to top. A module may use the layers before its own, never its own or later ones:
/// `config`, `db` and `error` are plumbing that uses only `domain`.
const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["config", "db", "error"],
    &["content", "markdown", "auth"],
    &["store"],
    &["search", "outbox"],
    &["i18n"],
    &["http"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// A reference from one module to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    from: Vec<String>,
    to: Vec<String>,
}

/// The module a file under `src/` defines: `http/cases/mod.rs` is `http::cases`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> =
        relative.with_extension("").iter().map(|part| part.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// The source with comments, strings and character literals blanked out, so that a path
/// in a comment or a message is not read as a reference.
fn code_only(source: &str) -> Vec<char> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in out.iter_mut().take(to.min(chars.len())).skip(from) {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        match chars[i] {
            '/' if next == Some('/') => {
                let end = (i..chars.len()).find(|&j| chars[j] == '\n').unwrap_or(chars.len());
                blank(&mut out, i, end);
                i = end;
            }
            '/' if next == Some('*') => {
                let end = (i + 2..chars.len()).find(|&j| chars[j] == '*' && chars.get(j + 1) == Some(&'/'));
                let end = end.map_or(chars.len(), |j| j + 2);
                blank(&mut out, i, end);
                i = end;
            }
            'r' if (next == Some('#') || next == Some('"')) && !is_ident(chars.get(i.wrapping_sub(1)).copied()) => {
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let rest: String = chars[i + 2 + hashes..].iter().collect();
                let end = rest.find(&closing).map_or(chars.len(), |at| i + 2 + hashes + rest[..at].chars().count())
                    + closing.chars().count();
                blank(&mut out, i, end);
                i = end;
            }
            '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            }
            '\'' => {
                // A character literal ('x', '\n', '\''); otherwise a lifetime.
                let end = if next == Some('\\') {
                    (i + 3..chars.len()).find(|&j| chars[j] == '\'').map(|j| j + 1)
                } else if chars.get(i + 2) == Some(&'\'') {
                    Some(i + 3)
                } else {
                    None
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i, end);
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn is_ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Reads a path or use tree at `at` (just after `crate::` or `super::`): every full path it
/// names, relative to where it starts.
fn use_tree(code: &[char], mut at: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    loop {
        while at < code.len() && code[at].is_whitespace() {
            at += 1;
        }
        if code.get(at) == Some(&'{') {
            at += 1;
            loop {
                while at < code.len() && (code[at].is_whitespace() || code[at] == ',') {
                    at += 1;
                }
                if at >= code.len() || code[at] == '}' {
                    return at + 1;
                }
                at = use_tree(code, at, &path, out);
            }
        }
        let start = at;
        while is_ident(code.get(at).copied()) {
            at += 1;
        }
        if start == at {
            out.push(path);
            return at;
        }
        path.push(code[start..at].iter().collect());
        let mut after = at;
        while after < code.len() && code[after].is_whitespace() {
            after += 1;
        }
        if code.get(after) == Some(&':') && code.get(after + 1) == Some(&':') {
            at = after + 2;
        } else {
            out.push(path);
            return at;
        }
    }
}

/// Every `crate::` and `super::` path in a file, with the module (inline ones included)
/// that holds it. Also returns the inline modules the file declares.
fn references(file_module: &[String], source: &str) -> (Vec<Reference>, Vec<Vec<String>>) {
    let code = code_only(source);
    let mut refs = Vec::new();
    let mut inline_modules = Vec::new();
    // Inline `mod name { … }` blocks open at a brace depth.
    let mut scopes: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth -= 1;
            if scopes.last().is_some_and(|(_, open)| *open == depth) {
                scopes.pop();
            }
        } else if is_ident(Some(c)) && !is_ident(code.get(i.wrapping_sub(1)).copied()) {
            let start = i;
            while is_ident(code.get(i).copied()) {
                i += 1;
            }
            let word: String = code[start..i].iter().collect();
            let here: Vec<String> = file_module.iter().cloned().chain(scopes.iter().map(|(n, _)| n.clone())).collect();
            let mut after = i;
            while after < code.len() && code[after].is_whitespace() {
                after += 1;
            }
            let is_path = code.get(after) == Some(&':') && code.get(after + 1) == Some(&':');
            match word.as_str() {
                "mod" => {
                    let name_start = after;
                    let mut name_end = name_start;
                    while is_ident(code.get(name_end).copied()) {
                        name_end += 1;
                    }
                    let mut brace = name_end;
                    while brace < code.len() && code[brace].is_whitespace() {
                        brace += 1;
                    }
                    if name_end > name_start && code.get(brace) == Some(&'{') {
                        let name: String = code[name_start..name_end].iter().collect();
                        inline_modules.push(here.iter().cloned().chain([name.clone()]).collect());
                        scopes.push((name, depth));
                        depth += 1;
                        i = brace + 1;
                    }
                    continue;
                }
                "crate" | "super" if is_path => {
                    let mut paths = Vec::new();
                    let end = use_tree(&code, after + 2, &[], &mut paths);
                    for path in paths {
                        let to = if word == "crate" {
                            path
                        } else {
                            let mut base = here[..here.len().saturating_sub(1)].to_vec();
                            let mut rest = path.as_slice();
                            while rest.first().is_some_and(|p| p == "super") {
                                base.pop();
                                rest = &rest[1..];
                            }
                            base.into_iter().chain(rest.iter().cloned()).collect()
                        };
                        refs.push(Reference { from: here.clone(), to });
                    }
                    i = end;
                    continue;
                }
                _ => continue,
            }
        }
        i += 1;
    }
    (refs, inline_modules)
}

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(current) = dirs.pop() {
        for entry in std::fs::read_dir(&current).expect("read a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                files.push((path.strip_prefix(dir).expect("under src").to_path_buf(), text));
            }
        }
    }
    files.sort();
    files
}

/// What breaks the rules, one line each.
fn violations(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut modules: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut all = Vec::new();
    for (path, text) in files {
        let module = module_of(path);
        let (refs, inline) = references(&module, text);
        modules.insert(module);
        modules.extend(inline);
        all.extend(refs.into_iter().map(|r| (path.clone(), r)));
    }
    let mut problems = Vec::new();
    // Sibling edges: (parent, from child, to child) → a file that makes it.
    let mut edges: BTreeMap<(Vec<String>, String, String), PathBuf> = BTreeMap::new();
    for (path, r) in &all {
        if let (Some(from), Some(to)) = (r.from.first(), r.to.first()) {
            if from != to && modules.contains(&vec![to.clone()]) {
                match (layer_of(from), layer_of(to)) {
                    (Some(a), Some(b)) if b >= a => problems.push(format!(
                        "{}: `{}` (layer {a}) reaches into `{}` (layer {b})",
                        path.display(),
                        r.from.join("::"),
                        r.to.join("::")
                    )),
                    (None, _) => problems.push(format!("`{from}` is in no layer: add it to LAYERS")),
                    (_, None) => problems.push(format!("`{to}` is in no layer: add it to LAYERS")),
                    _ => {}
                }
            }
        }
        let common = r.from.iter().zip(&r.to).take_while(|(a, b)| a == b).count();
        if common < r.from.len() && common < r.to.len() {
            let parent = r.from[..common].to_vec();
            let target: Vec<String> = r.to[..=common].to_vec();
            if modules.contains(&target) {
                edges.entry((parent, r.from[common].clone(), r.to[common].clone())).or_insert_with(|| path.clone());
            }
        }
    }
    for cycle in cycles(&edges) {
        problems.push(format!("import cycle: {cycle}"));
    }
    problems.sort();
    problems.dedup();
    problems
}

/// Circles among siblings, each written once: `parent: a, b use each other (files)`.
fn cycles(edges: &BTreeMap<(Vec<String>, String, String), PathBuf>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for ((parent, from, to), file) in edges {
        // A way back from `to` to `from` among the same siblings closes a circle.
        let mut seen = BTreeSet::new();
        let mut stack = vec![(to.clone(), vec![from.clone()], vec![file.clone()])];
        while let Some((at, mut members, files)) = stack.pop() {
            if &at == from {
                members.sort();
                let mut files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                files.sort();
                let name = if parent.is_empty() { "crate".to_string() } else { parent.join("::") };
                found.insert(format!("{name}: {} use each other ({})", members.join(", "), files.join(", ")));
                break;
            }
            if !seen.insert(at.clone()) {
                continue;
            }
            for ((p, a, b), f) in edges {
                if p == parent && a == &at {
                    let (mut members, mut files) = (members.clone(), files.clone());
                    members.push(at.clone());
                    files.push(f.clone());
                    stack.push((b.clone(), members, files));
                }
            }
        }
    }
    found
}

#[test]
fn layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    assert!(files.len() > 50, "read only {} files under {}", files.len(), src.display());
    let problems = violations(&files);
    assert!(problems.is_empty(), "{} layering problems:\n{}", problems.len(), problems.join("\n"));
}

/// The scan sees what the rules are about: inline paths, use trees, `super::super`, and
/// not paths in comments, strings or test modules' own `super::*`.
#[test]
fn the_scan_catches_upward_paths_and_circles() {
    let file = |path: &str, text: &str| (PathBuf::from(path), text.to_string());
    let files = vec![
        file("domain/mod.rs", "pub mod case;\n"),
        // Inline, deep in an expression, as `super::authoring::case_for` once was.
        file("domain/case.rs", "fn f() { let x = crate::store::cases::find(1); }\n"),
        file("store/mod.rs", "pub mod cases;\n// crate::http::x in a comment\n"),
        file("store/cases.rs", "use crate::{domain::case, error::{AppError}};\nfn g() -> &str { \"crate::http\" }\n"),
        file("error.rs", "use crate::{domain::Lang, config::Config};\n"),
        file("config.rs", "\n"),
        file("http/mod.rs", "mod a;\nmod b;\n"),
        file("http/a.rs", "use super::b::thing;\nmod tests { use super::*; }\n"),
        file("http/b.rs", "fn h() { super::super::http::a::other(); }\n"),
    ];
    let problems = violations(&files);
    let expected = [
        "domain/case.rs: `domain::case` (layer 0) reaches into `store::cases::find` (layer 3)",
        "error.rs: `error` (layer 1) reaches into `config::Config` (layer 1)",
        "import cycle: crate: domain, error, store use each other (domain/case.rs, error.rs, store/cases.rs)",
        "import cycle: crate: domain, store use each other (domain/case.rs, store/cases.rs)",
        "import cycle: http: a, b use each other (http/a.rs, http/b.rs)",
    ];
    assert_eq!(problems, expected);
}

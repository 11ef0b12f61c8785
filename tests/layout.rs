//! The shape of the crate, checked: every file under `src/` is named in
//! the README's Layout (and every name there exists), and modules import
//! only modules below them in the order written here — no import cycle,
//! nothing importing upward.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::root;

/// The library's top-level modules, lowest first. A module may use only
/// modules of earlier rows; modules of one row are independent of each
/// other. (`cli`, `main.rs` and `lib.rs` sit above all and are not
/// listed.)
const LAYERS: &[&[&str]] = &[
    &[
        "units",
        "issues",
        "progress",
        "scratch",
        "geodesy",
        "power",
        "contained",
        "coincident",
        "validity",
        "stats",
    ],
    &["model", "reporting"],
    &["error"],
    &["index", "feed"],
    &["crs", "fields"],
    &["input"],
    &["normalise", "assess", "demo"],
    &["rules", "surface"],
    &["pools"],
    &["prepare"],
    &["check", "corridor", "validate"],
    &["diff", "suggest"],
    &["output"],
    &["generate"],
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The modules a file's code names through `crate::` (comments and test
/// modules left out).
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    let mut used = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if name.is_empty() {
                // `use crate::{a, b::c}`: every name at the start of a part.
                if let Some(group) = rest.strip_prefix('{') {
                    let group = group.split('}').next().unwrap_or("");
                    for part in group.split(',') {
                        let head: String = part
                            .trim()
                            .chars()
                            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                            .collect();
                        if !head.is_empty() && head != "self" {
                            used.insert(head);
                        }
                    }
                }
            } else {
                used.insert(name);
            }
        }
    }
    used
}

#[test]
fn modules_import_only_modules_below_them() {
    let rank: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, row)| row.iter().map(move |m| (*m, i)))
        .collect();
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let rel = path.strip_prefix(&src).unwrap();
        let module = module_of(rel);
        if matches!(module.as_str(), "cli" | "main" | "lib") {
            continue;
        }
        seen.insert(module.clone());
        let Some(&own) = rank.get(module.as_str()) else {
            wrong.push(format!(
                "{}: module {module} is in no row of LAYERS",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in uses(&text) {
            if used == module {
                continue;
            }
            match rank.get(used.as_str()) {
                Some(&r) if r < own => {}
                Some(_) => wrong.push(format!(
                    "{}: {module} uses {used}, which is not below it",
                    rel.display()
                )),
                None => wrong.push(format!("{}: uses unknown module {used}", rel.display())),
            }
        }
    }
    let listed: BTreeSet<String> = rank.keys().map(|m| m.to_string()).collect();
    for gone in listed.difference(&seen) {
        wrong.push(format!("LAYERS names {gone}, which is no module"));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The paths the README's Layout block names under `src/`: a line of the
/// tree is `<two spaces per level><name>[/]  <description>`; a name may
/// be a pattern (`presets/*.toml`).
fn layout_names() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## Layout\n")
        .nth(1)
        .expect("a Layout section");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a text block in Layout");
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut inside = false;
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(token) = line.split_whitespace().next() else {
            continue;
        };
        if indent >= 24 {
            continue; // a description's continuation
        }
        if indent == 0 {
            inside = token == "src/";
            stack.clear();
            continue;
        }
        if !inside {
            continue;
        }
        let level = indent / 2;
        stack.truncate(level - 1);
        let path = format!("{}{token}", stack.concat());
        if token.ends_with('/') {
            stack.push(token.to_owned());
        } else {
            names.push(path);
        }
    }
    names
}

fn matches(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        Some((head, tail)) => {
            path.starts_with(head)
                && path.ends_with(tail)
                && !path[head.len()..path.len() - tail.len()].contains('/')
        }
        None => pattern == path,
    }
}

#[test]
fn the_readme_layout_names_every_file_under_src() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let files: BTreeSet<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let names = layout_names();
    assert!(names.len() > 50, "the Layout block was not read: {names:?}");
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !names.iter().any(|n| matches(n, f)))
        .collect();
    let stale: Vec<&String> = names
        .iter()
        .filter(|n| !files.iter().any(|f| matches(n, f)))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README Layout: files not named {missing:?}; names of no file {stale:?}"
    );
}

#[test]
fn the_import_parser_reads_paths_and_groups() {
    let text = "use crate::model::Area;\nuse crate::{error::Error, input};\n// crate::output in a comment\nfn f() { crate::geodesy::distance_m(); }\n#[cfg(test)]\nmod tests { use crate::check; }\n";
    let found: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(found, ["error", "geodesy", "input", "model"]);
}

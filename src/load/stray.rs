//! YAML files under the registry root but outside its folders: never read as the registry, so a document of
//! an nhi kind among them would slip past the gate unseen (`identity/new-admin.yaml`). Each such document is
//! a `misplaced-document` finding; documents of other tools, which carry `apiVersion`, are left alone.

use std::path::Path;
use std::sync::Arc;

use super::yaml::{self, Value};
use super::{slash_path, FOLDERS, POLICY_FILE};
use crate::catalogue::RuleId;
use crate::finding::Finding;
use crate::model::{Kind, Source};

/// Folders never looked into: other tools' dependencies and build output.
const SKIPPED: [&str; 2] = ["node_modules", "target"];

/// Whether `rel` (a `/`-separated path from the registry root) is a YAML file the registry does not read
/// and that could hold a stray document: outside the folders, not in a hidden folder (`.github`, `.git`)
/// nor a build folder, and not `nhi.yaml` itself. Nested registries are excluded by the callers, which know
/// where other `nhi.yaml` files are.
pub fn is_outside(rel: &str) -> bool {
    let yaml = rel.ends_with(".yaml") || rel.ends_with(".yml");
    let parts: Vec<&str> = rel.split('/').collect();
    let hidden = parts
        .iter()
        .any(|p| p.is_empty() || p.starts_with('.') || SKIPPED.contains(p));
    yaml && !hidden && rel != POLICY_FILE && !(parts.len() > 1 && FOLDERS.contains(&parts[0]))
}

/// Whether `rel` lies in a nested registry: a folder (below the root) among `registries`, the folders that
/// hold their own `nhi.yaml`.
pub fn in_nested(rel: &str, registries: &[String]) -> bool {
    registries
        .iter()
        .any(|dir| rel.starts_with(dir.as_str()) && rel[dir.len()..].starts_with('/'))
}

/// The YAML files outside the registry's folders on disk, as `/`-separated relative paths, sorted. Symbolic
/// links are not followed; nested registries, hidden and build folders are not entered.
pub fn discover(root: &Path) -> Vec<String> {
    let walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            let registry_folder = e.depth() == 1 && FOLDERS.contains(&name.as_ref());
            !(registry_folder
                || name.starts_with('.')
                || SKIPPED.contains(&name.as_ref())
                || e.path().join(POLICY_FILE).exists()
                || e.path().join("CACHEDIR.TAG").exists())
        });
    walk.filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some(slash_path(e.path().strip_prefix(root).ok()?)))
        .filter(|rel| is_outside(rel))
        .collect()
}

/// Whether a line could start an nhi document's `kind` (a cheap test before parsing a file of another tool).
fn mentions_kind(text: &str) -> bool {
    text.lines().any(|line| {
        let Some(rest) = line.strip_prefix("kind:") else {
            return false;
        };
        let word = rest.trim().trim_matches(|c| c == '"' || c == '\'');
        let word = word.split([' ', '#']).next().unwrap_or("");
        Kind::parse(word).is_some()
    })
}

/// The `misplaced-document` findings of one file outside the folders (`rel` its path, `text` its contents).
pub fn misplaced(rel: &str, text: &str) -> Vec<Finding> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !mentions_kind(text) {
        return Vec::new();
    }
    let file: Arc<str> = Arc::from(rel);
    let mut findings = Vec::new();
    for (index, document) in yaml::parse(text).documents.into_iter().enumerate() {
        let Value::Map(entries) = &document.root.value else {
            continue;
        };
        let text_of = |key: &str| entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v);
        if text_of("apiVersion").is_some() {
            continue; // another tool's document (Kubernetes, Backstage…)
        }
        let Some(Value::Str(kind)) = text_of("kind").map(|n| &n.value) else {
            continue;
        };
        let Some(kind) = Kind::parse(kind) else {
            continue;
        };
        let id = match text_of("id").map(|n| &n.value) {
            Some(Value::Str(id)) => id.clone(),
            _ => String::new(),
        };
        let source = Source {
            file: file.clone(),
            start: document.root.pos,
            doc: u32::try_from(index).unwrap_or(u32::MAX),
            flawed: true,
        };
        let place = match kind {
            Kind::Policy => format!("the policy belongs in {POLICY_FILE} at the registry root"),
            other => format!("move it under {}/", other.group()),
        };
        let article = if matches!(kind, Kind::Identity | Kind::Exception) {
            "an"
        } else {
            "a"
        };
        let message = format!(
            "{article} {} document outside identities/, owners/, systems/ and exceptions/ is never read, so nothing checks it: {place}",
            kind.name()
        );
        let mut f = Finding::at_pos(
            RuleId::MisplacedDocument,
            kind.name(),
            &id,
            &source,
            document.root.pos,
            "/kind",
            message,
        );
        f.anchor = crate::finding::Anchor::Key;
        findings.push(f);
    }
    findings
}

/// The YAML files a change touched under the registry that are not read at all (`--changed-from`,
/// `nhi diff`): not registry files, not in a nested registry, still present, and not already reported as
/// `misplaced-document` (in `known`). `changed` holds paths from the top of the work tree; `prefix` is the
/// registry's place there (`/`-terminated, or empty).
pub fn unread_changes(
    root: &Path,
    prefix: &str,
    changed: &std::collections::BTreeSet<String>,
    known: &[Finding],
) -> Vec<Finding> {
    let nested = |rel: &str| {
        let mut dir = Path::new(rel).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if root.join(d).join(POLICY_FILE).exists() {
                return true;
            }
            dir = d.parent();
        }
        false
    };
    changed
        .iter()
        .filter_map(|path| path.strip_prefix(prefix))
        .filter(|rel| is_outside(rel) && root.join(rel).is_file() && !nested(rel))
        .filter(|rel| {
            !known
                .iter()
                .any(|f| f.rule == RuleId::MisplacedDocument && &*f.file == *rel)
        })
        .map(|rel| {
            let source = Source {
                file: Arc::from(rel),
                start: crate::span::Pos::START,
                doc: 0,
                flawed: true,
            };
            let message = "this changed file is not read: nhi reads only nhi.yaml and the YAML files under identities/, owners/, systems/ and exceptions/, so nothing in it is checked".to_string();
            Finding::at_pos(
                RuleId::NotRead,
                "File",
                "",
                &source,
                crate::span::Pos::START,
                "",
                message,
            )
        })
        .collect()
}

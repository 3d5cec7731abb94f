//! Walk the registry, parse every file in parallel, and build the typed registry plus the load findings
//! (`schema` and `secret-in-registry`). A bad file is a finding; only an unreadable registry is an error.

pub mod document;
pub(crate) mod fast;
mod positions;
pub mod schema;
pub mod stray;
pub mod versions;
pub mod yaml;

pub use positions::{resolve_positions, value_positions};

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::catalogue::RuleId;
use crate::finding::{Anchor, Finding};
use crate::model::{Doc, Kind, Registry, Source};
use crate::model::{Policy, PolicyFile};

use crate::secrets;
use crate::span::Pos;

/// The folders a registry's documents live in.
pub const FOLDERS: [&str; 4] = ["identities", "owners", "systems", "exceptions"];
/// The policy file at the registry root.
pub const POLICY_FILE: &str = "nhi.yaml";
/// Larger files are refused with a finding: no registry file needs this much.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// More documents in one file are refused with a finding.
pub const MAX_DOCUMENTS: usize = 10_000;

/// What stops the run: the registry cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    #[error(
        "{0} is not an nhi registry: it has no {POLICY_FILE} (create one with `kind: Policy`)"
    )]
    NoPolicy(PathBuf),
    // The cause is part of the message, not a `source`: error chains print each source again.
    #[error("cannot read {path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// The registry and the findings of loading it.
pub struct Loaded {
    pub registry: Registry,
    pub findings: Vec<Finding>,
}

/// The contents of one file, typed. Each item is moved once into the registry, so the size difference
/// between variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Item {
    Identity(Doc<crate::model::Identity>),
    Team(Doc<crate::model::Team>),
    Person(Doc<crate::model::Person>),
    System(Doc<crate::model::System>),
    Exception(Doc<crate::model::Exception>),
    Policy(Source, PolicyFile),
}

#[derive(Clone, Default)]
struct FileResult {
    items: Vec<Item>,
    findings: Vec<Finding>,
}

/// Loads the registry rooted at `root`.
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    load_inner(root, false).map(|(loaded, _)| loaded)
}

/// Every file's parse of a registry loaded from disk, by path relative to the registry root: what the
/// registry at another revision takes unchanged files from ([`versions::Versions::seed`]).
#[derive(Default)]
pub struct Kept(std::collections::HashMap<String, FileResult>);

/// [`load`], keeping every file's parse for a second load of the same files at another revision.
pub fn load_keeping(root: &Path) -> Result<(Loaded, Kept), LoadError> {
    load_inner(root, true)
}

fn load_inner(root: &Path, keep: bool) -> Result<(Loaded, Kept), LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    if !root.join(POLICY_FILE).is_file() {
        return Err(LoadError::NoPolicy(root.to_path_buf()));
    }
    let canonical_root = root.canonicalize().map_err(|cause| LoadError::Io {
        path: root.to_path_buf(),
        cause,
    })?;
    let (files, skipped) = crate::timings::phase("walk", || discover(root, &canonical_root))?;
    let results: Vec<FileResult> = crate::timings::phase("parse", || {
        files
            .par_iter()
            .map_init(Vec::new, |buffer, rel| {
                load_file(root, &canonical_root, rel, buffer)
            })
            .collect()
    });
    let kept = if keep {
        Kept(
            files
                .par_iter()
                .zip(results.par_iter())
                .map(|(rel, result)| (rel.clone(), result.clone()))
                .collect(),
        )
    } else {
        Kept::default()
    };
    let mut loaded = crate::timings::phase("assemble", || assemble(&files, results));
    let skipped = skipped.into_iter().map(|(rel, message)| {
        file_finding(
            RuleId::Schema,
            &Arc::from(rel.as_str()),
            Pos::START,
            message,
        )
    });
    loaded.findings.extend(skipped);
    let misplaced = crate::timings::phase("stray", || {
        stray::discover(root)
            .par_iter()
            .filter_map(|rel| {
                let text = read_again(&canonical_root, &root.join(rel))?;
                Some(stray::misplaced(rel, &text))
            })
            .flatten()
            .collect::<Vec<_>>()
    });
    loaded.findings.extend(misplaced);
    Ok((loaded, kept))
}

/// A registry file's text read again after loading (to place findings), under the loader's rules: nothing
/// outside the registry, nothing over the size limit, only UTF-8.
pub fn read_again(canonical_root: &Path, path: &Path) -> Option<String> {
    let mut buffer = Vec::new();
    read_file(canonical_root, path, &mut buffer).ok()?;
    String::from_utf8(buffer).ok()
}

/// Whether `path` resolves, through any symbolic links, to a place inside the registry at `canonical_root`:
/// nothing outside the registry is read, nor shown.
pub fn resolves_inside(canonical_root: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(canonical_root))
}

/// Loads a registry from files held in memory, as `(path relative to the registry root, contents)`, e.g. a
/// tree read from a git revision. Paths that [`is_registry_file`] rejects are ignored, as on disk; `name`
/// says where the files came from in the error when there is no `nhi.yaml`.
pub fn load_files(name: &str, files: Vec<(String, Vec<u8>)>) -> Result<Loaded, LoadError> {
    let (files, outside) = classify(name, files)?;
    let misplaced: Vec<Finding> = outside
        .iter()
        .flat_map(|(rel, bytes)| misplaced_in(rel, bytes))
        .collect();
    let names: Vec<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
    let results: Vec<FileResult> = files
        .into_par_iter()
        .map(|(rel, bytes)| parse_bytes(&rel, &bytes))
        .collect();
    let mut loaded = assemble(&names, results);
    loaded.findings.extend(misplaced);
    Ok(loaded)
}

/// The registry's files in the order they are read on disk (`nhi.yaml` first, then by path, each once), and
/// apart from them the YAML files outside the registry folders that could hold a misplaced document (nested
/// registries' files left out); an error when there is no `nhi.yaml`.
#[allow(clippy::type_complexity)]
fn classify<T>(
    name: &str,
    files: Vec<(String, T)>,
) -> Result<(Vec<(String, T)>, Vec<(String, T)>), LoadError> {
    let nested: Vec<String> = files
        .iter()
        .filter_map(|(rel, _)| rel.strip_suffix(&format!("/{POLICY_FILE}")))
        .map(str::to_string)
        .collect();
    let (mut files, outside): (Vec<_>, Vec<_>) = files
        .into_iter()
        .filter(|(rel, _)| {
            is_registry_file(rel) || (stray::is_outside(rel) && !stray::in_nested(rel, &nested))
        })
        .partition(|(rel, _)| is_registry_file(rel));
    if !files.iter().any(|(rel, _)| rel == POLICY_FILE) {
        return Err(LoadError::NoPolicy(PathBuf::from(name)));
    }
    // The same order as on disk: nhi.yaml first, then by path.
    files.sort_by(|(a, _), (b, _)| (a != POLICY_FILE, a).cmp(&(b != POLICY_FILE, b)));
    files.dedup_by(|(a, _), (b, _)| a == b);
    Ok((files, outside))
}

/// The `misplaced-document` findings of a YAML file outside the registry folders, given as bytes.
fn misplaced_in(rel: &str, bytes: &[u8]) -> Vec<Finding> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Vec::new();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => stray::misplaced(rel, text),
        Err(_) => Vec::new(),
    }
}

/// Parses one registry file given as bytes, as on disk: too large or not UTF-8 is a finding.
fn parse_bytes(rel: &str, bytes: &[u8]) -> FileResult {
    let text = if bytes.len() as u64 > MAX_FILE_BYTES {
        Err(too_large())
    } else {
        utf8_text(bytes)
    };
    parse_file(rel, text)
}

/// Whether a `/`-separated path relative to the registry root is read as part of the registry: `nhi.yaml`,
/// or a `.yaml`/`.yml` file under one of the [`FOLDERS`].
pub fn is_registry_file(rel: &str) -> bool {
    if rel == POLICY_FILE {
        return true;
    }
    let Some((top, _)) = rel.split_once('/') else {
        return false;
    };
    let parts_ok = rel
        .split('/')
        .all(|p| !p.is_empty() && p != "." && p != "..");
    let yaml = rel.ends_with(".yaml") || rel.ends_with(".yml");
    parts_ok && yaml && FOLDERS.contains(&top)
}

/// The typed registry from the results of every file, in file order.
fn assemble(files: &[String], results: Vec<FileResult>) -> Loaded {
    let mut registry = Registry {
        files: files.iter().map(|f| Arc::from(f.as_str())).collect(),
        ..Registry::default()
    };
    // Reserving each list once spares a million moves of large documents through repeated growth.
    let mut counts = [0usize; 5];
    for item in results.iter().flat_map(|r| &r.items) {
        match item {
            Item::Identity(_) => counts[0] += 1,
            Item::Team(_) => counts[1] += 1,
            Item::Person(_) => counts[2] += 1,
            Item::System(_) => counts[3] += 1,
            Item::Exception(_) => counts[4] += 1,
            Item::Policy(..) => {}
        }
    }
    registry.identities.reserve_exact(counts[0]);
    registry.teams.reserve_exact(counts[1]);
    registry.persons.reserve_exact(counts[2]);
    registry.systems.reserve_exact(counts[3]);
    registry.exceptions.reserve_exact(counts[4]);
    let mut findings = Vec::with_capacity(results.iter().map(|r| r.findings.len()).sum());
    for result in results {
        findings.extend(result.findings);
        for item in result.items {
            match item {
                Item::Identity(d) => registry.identities.push(d),
                Item::Team(d) => registry.teams.push(d),
                Item::Person(d) => registry.persons.push(d),
                Item::System(d) => registry.systems.push(d),
                Item::Exception(d) => registry.exceptions.push(d),
                Item::Policy(source, file) => {
                    registry.policy = Policy::from_file(file);
                    registry.policy_source = Some(source);
                }
            }
        }
    }
    Loaded { registry, findings }
}

/// `nhi.yaml` first, then every YAML file under the registry folders, sorted, as `/`-separated relative paths;
/// and the YAML files not read (symbolic links out of the registry or that do not resolve), with why.
fn discover(root: &Path, canonical_root: &Path) -> Result<Discovered, LoadError> {
    let mut files = vec![POLICY_FILE.to_string()];
    let mut skipped = Vec::new();
    for folder in FOLDERS {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        if !resolves_inside(canonical_root, &dir) {
            // The walk would follow a linked folder wherever it points.
            let message =
                format!("`{folder}` is a symbolic link to outside the registry and is not read");
            skipped.push((folder.to_string(), message));
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| LoadError::Io {
                path: e.path().map_or_else(|| dir.clone(), Path::to_path_buf),
                cause: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("file system loop")),
            })?;
            let path = entry.path();
            let is_yaml = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            );
            if !is_yaml {
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let rel = slash_path(rel);
            if !entry.path_is_symlink() {
                if entry.file_type().is_file() {
                    files.push(rel);
                }
                continue;
            }
            // A link is read only when it points at a file inside the registry.
            match path.canonicalize() {
                Ok(target) if target.starts_with(canonical_root) && target.is_file() => {
                    files.push(rel);
                }
                Ok(target) if target.is_dir() => {}
                Ok(_) => skipped.push((rel, "a symbolic link to a file outside the registry is not read: registry files live in the registry".to_string())),
                Err(_) => skipped.push((rel, "a symbolic link that does not resolve (a missing target or a loop) is not read".to_string())),
            }
        }
    }
    Ok((files, skipped))
}

/// The files to read, and the files not read with why.
type Discovered = (Vec<String>, Vec<(String, String)>);

fn file_source(file: &Arc<str>, pos: Pos) -> Source {
    Source {
        file: file.clone(),
        start: pos,
        doc: 0,
        flawed: true,
    }
}

fn file_finding(rule: RuleId, file: &Arc<str>, pos: Pos, message: String) -> Finding {
    Finding::at_pos(rule, "File", "", &file_source(file, pos), pos, "", message)
}

/// Reads and parses one discovered file, reading through `buffer` (kept between files, so reading
/// allocates nothing once it has grown to the largest file).
fn load_file(root: &Path, canonical_root: &Path, rel: &str, buffer: &mut Vec<u8>) -> FileResult {
    let path = root.join(rel);
    match read_file(canonical_root, &path, buffer) {
        Ok(()) => parse_file(rel, utf8_text(buffer)),
        Err(problem) => parse_file(rel, Err(problem)),
    }
}

/// Parses one file's text (or reports why it could not be read) into documents and findings.
fn parse_file(rel: &str, text: Result<&str, (Pos, String)>) -> FileResult {
    let file: Arc<str> = Arc::from(rel);
    let mut result = FileResult::default();
    let text = match text {
        Ok(text) => text,
        Err((pos, message)) => {
            result
                .findings
                .push(file_finding(RuleId::Schema, &file, pos, message));
            return result;
        }
    };
    let parsed = yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(text));
    let is_policy = rel == POLICY_FILE;
    if parsed.documents.len() > MAX_DOCUMENTS {
        let message = format!("the file holds more than {MAX_DOCUMENTS} documents; split it");
        result
            .findings
            .push(file_finding(RuleId::Schema, &file, Pos::START, message));
        return result;
    }
    // Most files hold one document: an exact capacity, not the four large items a first push reserves.
    result.items.reserve_exact(parsed.documents.len());
    let empty = parsed.documents.is_empty();
    for (index, document) in parsed.documents.into_iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        load_document(&file, index, document, is_policy, &mut result);
    }
    if empty && parsed.fatal.is_none() && !is_policy {
        let message = "the file holds no YAML document (it is empty or only comments): add one or delete the file".to_string();
        result
            .findings
            .push(file_finding(RuleId::Schema, &file, Pos::START, message));
    }
    if let Some(problem) = parsed.fatal {
        secrets_in_lines(&file, text, &mut result.findings);
        let message = format!("invalid YAML: {}", problem.message);
        result
            .findings
            .push(file_finding(RuleId::Schema, &file, problem.pos, message));
    }
    result
}

/// A file that does not parse may still hold a secret: report each line that looks like one (and is not
/// already reported from a document read before the error).
fn secrets_in_lines(file: &Arc<str>, text: &str, findings: &mut Vec<Finding>) {
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let known = findings
            .iter()
            .any(|f| f.rule == RuleId::SecretInRegistry && f.pos.line.get() == line_no);
        if let Some(what) = secrets::detect(line).filter(|_| !known) {
            let message = secrets::message(&format!("line {line_no}"), what);
            let pos = Pos::new(line_no, 1);
            findings.push(file_finding(RuleId::SecretInRegistry, file, pos, message));
        }
    }
}

/// Reads a discovered file into `buffer`, refusing large ones and links out of the registry. The file is
/// opened without following a final symbolic link, so the common case (a plain file) costs one path
/// lookup: only a link is resolved, and read only when its target is inside the registry.
fn read_file(
    canonical_root: &Path,
    path: &Path,
    buffer: &mut Vec<u8>,
) -> Result<(), (Pos, String)> {
    use std::io::Read;
    let cannot = |e: std::io::Error| (Pos::START, format!("cannot read the file: {e}"));
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if is_link_error(&e) => {
            if !resolves_inside(canonical_root, path) {
                let message = "a symbolic link to outside the registry is not read: registry files live in the registry".to_string();
                return Err((Pos::START, message));
            }
            fs::File::open(path).map_err(cannot)?
        }
        Err(e) => return Err(cannot(e)),
    };
    buffer.clear();
    // `take` bounds a file of any size, or one that grows while it is read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(buffer)
        .map_err(cannot)?;
    if buffer.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(())
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Elsewhere a link is found with one `lstat` before opening.
#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<fs::File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other(LINK));
    }
    fs::File::open(path)
}

#[cfg(not(unix))]
const LINK: &str = "a symbolic link";

/// Whether opening failed because the path is a symbolic link.
fn is_link_error(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        e.to_string() == LINK
    }
}

fn too_large() -> (Pos, String) {
    let limit = MAX_FILE_BYTES / 1024 / 1024;
    (
        Pos::START,
        format!("the file is larger than the {limit} MiB limit"),
    )
}

fn utf8_text(bytes: &[u8]) -> Result<&str, (Pos, String)> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        let pos = Pos::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        );
        (pos, "the file is not valid UTF-8".to_string())
    })
}

fn load_document(
    file: &Arc<str>,
    index: u32,
    document: yaml::Document,
    is_policy: bool,
    out: &mut FileResult,
) {
    let start = document.root.pos;
    let converted = document::convert(document.root);
    let mut source = Source {
        file: file.clone(),
        start,
        doc: index,
        flawed: false,
    };
    let mut json = converted.json;
    let id = json
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string();
    let declared = json.get("kind").and_then(Json::as_str).map(str::to_string);
    let kind = document_kind(&json, declared.as_deref(), is_policy);
    let kind_name = kind.as_ref().map_or("File", |k| k.name());
    let finding = |rule, pos, pointer: &str, message| {
        Finding::at_pos(rule, kind_name, &id, &source, pos, pointer, message)
    };
    if let Err(message) = &kind {
        let mut f = finding(RuleId::Schema, start, "/kind", message.clone());
        f.anchor = Anchor::Key;
        out.findings.push(f);
    }
    // YAML problems and secrets are reported for every document, even one without a known kind.
    for problem in &document.problems {
        out.findings.push(finding(
            RuleId::Schema,
            problem.pos,
            "",
            problem.message.clone(),
        ));
    }
    for hit in &converted.secrets {
        let message = secrets::message(&crate::hint::field_name(&hit.pointer), hit.what);
        out.findings.push(finding(
            RuleId::SecretInRegistry,
            hit.pos,
            &hit.pointer,
            message,
        ));
    }
    let Ok(kind) = kind else { return };
    if is_policy && declared.is_none() {
        json["kind"] = Json::String("Policy".into());
    }
    let violations = schema::validate(kind, &json);
    for v in &violations {
        let mut f = finding(RuleId::Schema, start, &v.pointer, v.message.clone());
        f.anchor = if v.bad_value {
            Anchor::Value
        } else {
            Anchor::Key
        };
        out.findings.push(f);
    }
    source.flawed = !violations.is_empty();
    if violations.iter().any(|v| v.bad_value && v.pointer == "/id") {
        return; // an id that cannot name a file or a page takes no part in the rules
    }
    for v in violations.iter().filter(|v| v.bad_value) {
        document::remove(&mut json, &v.pointer);
    }
    document::compact(&mut json);
    if kind != Kind::Policy && id.is_empty() {
        return; // the schema finding about `id` says it all
    }
    let item = match kind {
        Kind::Identity => typed(json, &source).map(Item::Identity),
        Kind::Team => typed(json, &source).map(Item::Team),
        Kind::Person => typed(json, &source).map(Item::Person),
        Kind::System => typed(json, &source).map(Item::System),
        Kind::Exception => typed(json, &source).map(Item::Exception),
        Kind::Policy => policy_file(json).map(|file| Item::Policy(source.clone(), file)),
    };
    match item {
        Some(item) => out.items.push(item),
        None => out.findings.push(Finding::at_pos(
            RuleId::Schema,
            kind.name(),
            &id,
            &source,
            start,
            "",
            "the document cannot be read as its kind".into(),
        )),
    }
}

/// The kind of a document, or why it has none. `nhi.yaml` holds the Policy, and only it does.
fn document_kind(json: &Json, declared: Option<&str>, is_policy: bool) -> Result<Kind, String> {
    let names = ["Identity", "Team", "Person", "System", "Exception"];
    if !json.is_object() {
        return Err(
            "a document must be a map with `kind` and `id`, not a list or a single value".into(),
        );
    }
    match (declared, is_policy) {
        (None | Some("Policy"), true) => Ok(Kind::Policy),
        (Some(other), true) => Err(format!(
            "{POLICY_FILE} holds the policy (`kind: Policy`), not `{other}`"
        )),
        (Some("Policy"), false) => Err(format!(
            "a Policy belongs in {POLICY_FILE} at the registry root"
        )),
        (None, false) => Err(format!(
            "missing required field `kind` (one of {})",
            names.join(", ")
        )),
        (Some(name), false) => Kind::parse(name).ok_or_else(|| {
            let hint = crate::hint::did_you_mean(name, names.iter().copied());
            let shown = if name.chars().count() > 40 {
                "…"
            } else {
                name
            };
            format!(
                "unknown kind `{shown}`{hint} (expected one of {})",
                names.join(", ")
            )
        }),
    }
}

/// Builds the typed document from JSON the schema's offending values were removed from.
fn typed<T: DeserializeOwned>(json: Json, source: &Source) -> Option<Doc<T>> {
    serde_json::from_value(json).ok().map(|item| Doc {
        source: source.clone(),
        item,
    })
}

/// `nhi.yaml` as written, ignoring `x-` extension keys inside its maps; `None` (a finding, and the defaults)
/// when it cannot be read, never a silent fallback.
fn policy_file(mut json: Json) -> Option<PolicyFile> {
    for map in ["rotation_days", "review_days_by_criticality", "rules"] {
        if let Some(Json::Object(m)) = json.get_mut(map) {
            m.retain(|k, _| !k.starts_with("x-"));
        }
    }
    serde_json::from_value(json).ok()
}

/// A relative path as the registry names files (and git does): its components joined by `/`, whatever
/// the platform's separator.
pub fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

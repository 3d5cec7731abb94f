//! `github-actions`: the secrets a repository's workflows reference, found in a checkout of it.
//!
//! Every `.github/workflows/*.yml|yaml` file (GitHub reads no subfolders) is scanned for `secrets.NAME`,
//! `secrets['NAME']` and `secrets["NAME"]` inside `${{ … }}` expressions and `if:` conditions (which are
//! expressions without the braces); comments are ignored. Secret names are case-insensitive on GitHub and
//! shown upper-case. `GITHUB_TOKEN` is not imported: GitHub issues it per job and it expires with the job.
//! `secrets: inherit` (a reusable workflow receiving every secret) is reported as a note.
//!
//! External ids are `github-actions:<owner/repo>:<SECRET_NAME>`; the repository is `--repo`, else the
//! `origin` remote of `.git/config`, else the directory's name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use super::{ids, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};
use crate::span::Place;

/// The prefix of this source's external ids.
pub const PREFIX: &str = "github-actions:";
/// Workflow files larger than this are refused.
const MAX_WORKFLOW_BYTES: u64 = 10 * 1024 * 1024;
/// References listed per secret in a draft.
const MAX_LISTED: usize = 10;

/// The repository of an external id of this source, lower-cased.
pub fn repo_of(external_id: &str) -> Option<String> {
    let rest = external_id.trim().strip_prefix(PREFIX)?;
    let (repo, name) = rest.rsplit_once(':')?;
    (!repo.is_empty() && !name.is_empty()).then(|| repo.to_lowercase())
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[^\w.\-])secrets(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)|\s*\[\s*'([^'\]]+)'\s*\]|\s*\[\s*"([^"\]]+)"\s*\])"#)
        .expect("reference pattern compiles")
});

static INHERIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:-\s+)?secrets\s*:\s*inherit\s*$").expect("inherit pattern compiles")
});

static CONDITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:-\s+)?if\s*:(.*)$").expect("condition pattern compiles"));

static BLOCK_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|:|^\s*-)\s*[|>][0-9+-]*\s*$").expect("block pattern compiles")
});

static TO_JSON_SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\btojson\s*\(\s*secrets\s*\)").expect("toJSON pattern compiles")
});

static ROLE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:-\s+)?role-to-assume\s*:").expect("role pattern compiles")
});

/// Reads the checkout at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    if !path.is_dir() {
        return Err(ImportError::io(
            path,
            std::io::Error::other("expected a repository checkout (a directory)"),
        ));
    }
    let workflows = path.join(".github").join("workflows");
    if !workflows.is_dir() {
        return Err(ImportError::io(
            &workflows,
            std::io::Error::other("the checkout has no .github/workflows directory"),
        ));
    }
    let repo = match &options.repo {
        Some(repo) => repo.clone(),
        None => origin_repo(path).unwrap_or_else(|| directory_name(path)),
    };
    let mut scan = Scan::default();
    for file in workflow_files(&workflows)? {
        let rel = format!(
            ".github/workflows/{}",
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let text = read_workflow(&file)?;
        scan.workflow(&rel, &text);
    }
    let Scan {
        found,
        token_uses,
        roles,
        notes,
    } = scan;
    export.notes.extend(notes);
    if token_uses > 0 {
        export.notes.push(format!("GITHUB_TOKEN is referenced {token_uses} time(s): issued per job and short-lived, so not imported"));
    }
    export.scope.insert(repo.to_lowercase());
    let short = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    for (name, refs) in found {
        let role = roles.contains(&name);
        export
            .records
            .push(record(path, &repo, &short, &name, &refs, role));
    }
    Ok(())
}

/// What the workflows of a checkout reference.
#[derive(Default)]
struct Scan {
    found: BTreeMap<String, Vec<Place>>,
    token_uses: usize,
    /// Secrets given to `aws-actions/configure-aws-credentials` as `role-to-assume`: role ARNs.
    roles: BTreeSet<String>,
    notes: Vec<String>,
}

impl Scan {
    /// Scans one workflow file. Inside a block scalar (`run: |`) every line is text GitHub evaluates
    /// expressions in, shell comments included; elsewhere YAML comments are ignored.
    fn workflow(&mut self, rel: &str, text: &str) {
        let assumes_roles = text.contains("aws-actions/configure-aws-credentials");
        let mut block: Option<usize> = None;
        for (i, line) in text.lines().enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let indent = line.len() - line.trim_start().len();
            if block.is_some_and(|parent| indent <= parent && !line.trim().is_empty()) {
                block = None;
            }
            let in_block = block.is_some();
            let code = if in_block { line } else { strip_comment(line) };
            if !in_block {
                if INHERIT.is_match(code) {
                    self.notes.push(format!("{rel}:{number}: `secrets: inherit` passes every secret of the repository to a reusable workflow"));
                }
                if BLOCK_START.is_match(code) {
                    block = Some(indent);
                }
            }
            if TO_JSON_SECRETS.is_match(code) {
                self.notes.push(format!("{rel}:{number}: `toJSON(secrets)` exposes every secret of the repository to this step"));
            }
            let role = !in_block && assumes_roles && ROLE_KEY.is_match(code);
            let mut seen_here = BTreeSet::new();
            for name in references(code, !in_block) {
                if name == "GITHUB_TOKEN" {
                    self.token_uses += 1;
                    continue;
                }
                if role {
                    self.roles.insert(name.clone());
                }
                if seen_here.insert(name.clone()) {
                    self.found
                        .entry(name)
                        .or_default()
                        .push(Place::new(rel.to_string(), number));
                }
            }
        }
    }
}

fn record(
    checkout: &Path,
    repo: &str,
    short: &str,
    name: &str,
    refs: &[Place],
    role: bool,
) -> Record {
    let first = &refs[0];
    let file = checkout.join(&first.file).display().to_string();
    let external_id = format!("{PREFIX}{repo}:{name}");
    let mut record = Record::new(
        external_id,
        ids::sanitize(&format!("{short}-{name}")),
        name.to_string(),
        guess_type(name),
        &file,
        first.line.get(),
    );
    record.credential = Some(CredentialKind::Static);
    if role {
        record.kind = IdentityType::Workload;
        record.credential = Some(CredentialKind::Federated);
        record.notes.push(format!("the secret holds the ARN of a role that `aws-actions/configure-aws-credentials` assumes through GitHub's OIDC provider: the identity is that role, federated to subjects such as repo:{repo}:…; no stored credential"));
    } else if let Some(what) = identifier(name) {
        record.skipped = Some(format!(
            "holds {what}, an identifier rather than a credential"
        ));
    } else {
        record.notes.push(
            "an Actions secret: its type is guessed from its name; not every secret is a credential"
                .into(),
        );
    }
    for r in refs.iter().take(MAX_LISTED) {
        record.notes.push(format!("referenced at {r}"));
    }
    if refs.len() > MAX_LISTED {
        record
            .notes
            .push(format!("and {} more reference(s)", refs.len() - MAX_LISTED));
    }
    record
}

/// What a secret's name says it holds when that is an identifier (role ARN, region, user name, tenant id…)
/// rather than a credential. Webhook URLs and connection strings embed credentials, so they are not here.
pub fn identifier(name: &str) -> Option<&'static str> {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let ends = |tail: &[&str]| words.ends_with(tail);
    let table: [(&[&str], &str); 14] = [
        (&["ARN"], "an ARN"),
        (&["REGION"], "a region"),
        (&["USERNAME"], "a user name"),
        (&["USER"], "a user name"),
        (&["USER", "NAME"], "a user name"),
        (&["LOGIN"], "a user name"),
        (&["EMAIL"], "an e-mail address"),
        (&["TENANT", "ID"], "a tenant id"),
        (&["CLIENT", "ID"], "a client id"),
        (&["SUBSCRIPTION", "ID"], "a subscription id"),
        (&["ACCOUNT", "ID"], "an account id"),
        (&["PROJECT", "ID"], "a project id"),
        (
            &["ACCESS", "KEY", "ID"],
            "an access key id (its secret is the credential)",
        ),
        (&["APP", "ID"], "an application id"),
    ];
    if words
        .iter()
        .any(|w| matches!(*w, "SECRET" | "PASSWORD" | "TOKEN" | "KEY" | "PAT"))
        && !ends(&["ACCESS", "KEY", "ID"])
    {
        return None;
    }
    table
        .iter()
        .find(|(tail, _)| ends(tail))
        .map(|(_, what)| *what)
}

/// The identity type a secret's name suggests.
pub fn guess_type(name: &str) -> IdentityType {
    let has = |w: &str| {
        name.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part == w)
    };
    if has("SSH") || name.contains("DEPLOY_KEY") {
        IdentityType::SshKey
    } else if has("CERT") || has("CERTIFICATE") || has("P12") || has("PFX") {
        IdentityType::Certificate
    } else if has("TOKEN") || has("PAT") {
        IdentityType::Token
    } else if has("PASSWORD") || has("PASS") {
        IdentityType::ServiceAccount
    } else {
        IdentityType::ApiKey
    }
}

/// The secret names referenced in expressions on one line (comments already stripped), upper-cased, once
/// per reference: an `if:` condition is one expression, whether or not it is wrapped in `${{ }}`.
/// `conditions` is false inside block scalars, where `if:` is script text.
fn references(code: &str, conditions: bool) -> Vec<String> {
    let mut regions: Vec<&str> = Vec::new();
    match CONDITION.captures(code).filter(|_| conditions) {
        Some(caps) => regions.push(caps.get(1).map_or("", |m| m.as_str())),
        None => {
            let mut rest = code;
            while let Some(start) = rest.find("${{") {
                let after = &rest[start + 3..];
                let end = after.find("}}").unwrap_or(after.len());
                regions.push(&after[..end]);
                rest = &after[end..];
            }
        }
    }
    let mut names = Vec::new();
    for region in regions {
        for caps in REFERENCE.captures_iter(region) {
            if let Some(name) = caps.get(1).or_else(|| caps.get(2)).or_else(|| caps.get(3)) {
                names.push(name.as_str().trim().to_uppercase());
            }
        }
    }
    names
}

/// The line without a trailing YAML comment (`#` after whitespace, outside quotes).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

fn workflow_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ImportError::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ImportError::io(dir, e))?;
        let path = entry.path();
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml")
        );
        if yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read_workflow(path: &Path) -> Result<String, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::io(path, e))?;
    if meta.len() > MAX_WORKFLOW_BYTES {
        return Err(ImportError::format(
            &path.display().to_string(),
            1,
            "the workflow file is larger than 10 MiB",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ImportError::format(
            &path.display().to_string(),
            u32::try_from(line).unwrap_or(u32::MAX),
            "the workflow file is not valid UTF-8",
        )
    })
}

/// `owner/repo` from the `origin` remote's URL, if there is one.
fn origin_repo(checkout: &Path) -> Option<String> {
    repo_from_url(&crate::git::origin_url(checkout)?)
}

/// `owner/repo` from `git@host:owner/repo.git` or `https://host/owner/repo(.git)`.
fn repo_from_url(url: &str) -> Option<String> {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/')?.1,
        None => url.split_once(':')?.1,
    };
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let [.., owner, repo] = parts.as_slice() else {
        return None;
    };
    Some(format!("{owner}/{repo}"))
}

fn directory_name(path: &Path) -> String {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    canonical.file_name().map_or_else(
        || "repository".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_expressions_and_conditions_only() {
        assert_eq!(
            references("token: ${{ secrets.NPM_TOKEN }}", true),
            ["NPM_TOKEN"]
        );
        assert_eq!(
            references(
                "key: ${{ secrets['aws-key'] }} ${{ secrets[\"Other\"] }}",
                true
            ),
            ["AWS-KEY", "OTHER"]
        );
        assert_eq!(
            references("if: secrets.SLACK_WEBHOOK != ''", true),
            ["SLACK_WEBHOOK"]
        );
        // Regression: a condition wrapped in `${{ }}` was counted twice.
        assert_eq!(
            references("if: ${{ secrets.SLACK_WEBHOOK != '' }}", true),
            ["SLACK_WEBHOOK"]
        );
        assert!(references("run: cat secrets.txt", true).is_empty());
        assert!(references("x: ${{ needs.build.outputs.secrets.X }}", true).is_empty());
        assert_eq!(
            strip_comment("a: ${{ secrets.A }} # ${{ secrets.B }}"),
            "a: ${{ secrets.A }} "
        );
        assert_eq!(strip_comment("a: '#not' # yes"), "a: '#not' ");
    }

    #[test]
    fn repositories_from_remote_urls() {
        for url in [
            "git@github.com:northwind/web.git",
            "https://github.com/northwind/web",
        ] {
            assert_eq!(
                repo_from_url(url).as_deref(),
                Some("northwind/web"),
                "{url}"
            );
        }
        let secret = "github-actions:northwind/web:NPM_TOKEN";
        assert_eq!(repo_of(secret).as_deref(), Some("northwind/web"));
        assert_eq!(repo_of("github:northwind/web"), None);
    }

    #[test]
    fn types_are_guessed_from_names() {
        assert_eq!(guess_type("DEPLOY_SSH_KEY"), IdentityType::SshKey);
        assert_eq!(guess_type("NPM_TOKEN"), IdentityType::Token);
        assert_eq!(guess_type("STRIPE_API_KEY"), IdentityType::ApiKey);
        assert_eq!(guess_type("APPLE_SIGNING_CERT"), IdentityType::Certificate);
    }

    #[test]
    fn identifiers_are_told_from_credentials() {
        for name in [
            "AWS_ROLE_ARN",
            "AWS_REGION",
            "DOCKERHUB_USERNAME",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_SUBSCRIPTION_ID",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(identifier(name).is_some(), "{name}");
        }
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "DOCKERHUB_TOKEN",
            "AZURE_CLIENT_SECRET",
            "SLACK_WEBHOOK_URL",
            "NPM_TOKEN",
            "DB_PASSWORD",
        ] {
            assert!(identifier(name).is_none(), "{name}");
        }
    }
}

//! Discovery: read real inventory exports (cloud, cluster, CI) into one normalised record per identity, for
//! `nhi import` (draft registry documents) and `nhi drift` (what the registry and the export disagree on).
//!
//! Each source parses its tool's documented output format in its own file. Parsing never panics: a
//! malformed export is an [`ImportError`] naming the file and line.

pub mod aws;
pub mod aws_roles;
pub mod aws_secrets;
pub mod azure;
pub mod draft;
pub mod gcp;
pub mod github;
pub mod github_apps;
pub mod github_keys;
pub mod github_pats;
pub mod gitleaks;
pub mod ids;
pub mod input;
pub mod json_stream;
pub mod k8s;
pub mod trufflehog;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::model::{CredentialKind, IdentityType};
use crate::span::Place;

/// The export formats `nhi import` and `nhi drift` read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum SourceKind {
    /// The IAM credential report CSV (`aws iam get-credential-report`, decoded)
    AwsCredentialReport,
    /// `gcloud iam service-accounts list --format=json` (keys via `--keys`)
    GcpServiceAccounts,
    /// `kubectl get serviceaccounts -A -o json`
    K8sServiceAccounts,
    /// A repository checkout: the secrets its `.github/workflows/*.yml` reference
    GithubActions,
    /// IAM roles and their trust policies (`aws iam get-account-authorization-details`, `aws iam list-roles`)
    AwsIamRoles,
    /// A gitleaks JSON report (`gitleaks git --report-format json`): secrets found in code
    Gitleaks,
    /// trufflehog's JSON Lines (`trufflehog git … --json`): secrets found in code
    Trufflehog,
    /// `aws secretsmanager list-secrets`: secrets, their rotation and last access
    AwsSecretsManager,
    /// `az ad sp list --all -o json`: Microsoft Entra service principals and their credentials
    AzureServicePrincipals,
    /// A repository's deploy keys (`gh api repos/OWNER/REPO/keys`, with --repo)
    GithubDeployKeys,
    /// The organisation's GitHub App installations (`gh api orgs/ORG/installations`)
    GithubAppInstallations,
    /// Fine-grained personal access tokens with organisation access (`gh api orgs/ORG/personal-access-tokens`, with --org)
    GithubPersonalAccessTokens,
}

impl SourceKind {
    pub const ALL: [SourceKind; 12] = [
        SourceKind::AwsCredentialReport,
        SourceKind::GcpServiceAccounts,
        SourceKind::K8sServiceAccounts,
        SourceKind::GithubActions,
        SourceKind::AwsIamRoles,
        SourceKind::Gitleaks,
        SourceKind::Trufflehog,
        SourceKind::AwsSecretsManager,
        SourceKind::AzureServicePrincipals,
        SourceKind::GithubDeployKeys,
        SourceKind::GithubAppInstallations,
        SourceKind::GithubPersonalAccessTokens,
    ];

    /// The name on the command line, in reports, and of the folder drafts are written to.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::AwsCredentialReport => "aws-credential-report",
            SourceKind::GcpServiceAccounts => "gcp-service-accounts",
            SourceKind::K8sServiceAccounts => "k8s-service-accounts",
            SourceKind::GithubActions => "github-actions",
            SourceKind::AwsIamRoles => "aws-iam-roles",
            SourceKind::Gitleaks => "gitleaks",
            SourceKind::Trufflehog => "trufflehog",
            SourceKind::AwsSecretsManager => "aws-secrets-manager",
            SourceKind::AzureServicePrincipals => "azure-service-principals",
            SourceKind::GithubDeployKeys => "github-deploy-keys",
            SourceKind::GithubAppInstallations => "github-app-installations",
            SourceKind::GithubPersonalAccessTokens => "github-personal-access-tokens",
        }
    }

    pub fn parse(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Options some sources take.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// GCP: key listings (`gcloud iam service-accounts keys list --iam-account=… --format=json`).
    pub keys: Vec<PathBuf>,
    /// GitHub Actions and deploy keys: `owner/repo` for external ids (Actions: instead of the one found in
    /// `.git/config`).
    pub repo: Option<String>,
    /// GitHub organisation listings that do not name their organisation (personal access tokens).
    pub org: Option<String>,
    /// Keep what a source skips by default (console users, `default` and `kube-*` service accounts).
    pub all: bool,
    /// The day credentials' validity is judged on (GCP key expiry).
    pub as_of: Option<Date>,
}

/// One identity as an export shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// What the registry's `external_id` must say to match (ARN, SA e-mail, `k8s:ns/name`, …).
    pub external_id: String,
    /// The id a draft gets before it is made unique (already valid).
    pub base_id: String,
    /// A display name.
    pub name: String,
    pub kind: IdentityType,
    /// `None` when the export cannot tell (a draft marks it TODO).
    pub credential: Option<CredentialKind>,
    /// Whether the export shows a usable credential (an active key, an enabled account, a live reference).
    pub active: bool,
    pub created: Option<Date>,
    /// When the oldest credential still active was issued.
    pub rotated: Option<Date>,
    pub last_used: Option<Date>,
    pub expires: Option<Date>,
    /// How many long-lived keys are active (two means a rotation left the old key behind, or reuse).
    pub active_keys: u32,
    /// A description from the export, as a draft purpose.
    pub purpose: Option<String>,
    /// The file the record comes from (the export, or for GitHub Actions the workflow) and its line.
    pub at: Place,
    /// Facts for a person completing the draft (become YAML comments).
    pub notes: Vec<String>,
    /// Why the record is not imported nor reported as undeclared (it is still matched for drift).
    pub skipped: Option<String>,
    /// The identity providers a role's trust policy admits, with their subjects (`aws-iam-roles`).
    pub trust: Vec<crate::federation::trust::Grant>,
}

impl Record {
    /// A record with the given identity and position and nothing known yet.
    pub fn new(
        external_id: String,
        base_id: String,
        name: String,
        kind: IdentityType,
        file: &str,
        line: u32,
    ) -> Record {
        Record {
            external_id,
            base_id,
            name,
            kind,
            credential: None,
            active: true,
            created: None,
            rotated: None,
            last_used: None,
            expires: None,
            active_keys: 0,
            purpose: None,
            at: Place::new(file, line),
            notes: Vec::new(),
            skipped: None,
            trust: Vec::new(),
        }
    }

    /// One static credential whose listing gives no rotation (a deploy key cannot be rotated in place: a new
    /// key is a new id): its age counts from `created`, its one key usable while `active`.
    fn single_static(&mut self, created: Option<Date>, active: bool) {
        self.credential = Some(CredentialKind::Static);
        self.created = created;
        self.rotated = created;
        self.active = active;
        self.active_keys = u32::from(active);
    }
}

/// A secret found where it must not be: a secret scanner's finding in code, or a key its provider saw
/// exposed. It never holds the secret value: sources read only the fields around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// What leaked, in words (the scanner's rule, the key's id suffix), never the value.
    pub what: String,
    /// Where the finding points: the file as the scanner names it (or the export), and its line.
    pub at: Place,
    /// The commit the scanner found it in, if any.
    pub commit: Option<String>,
    /// A link that says where it was exposed (GCP gives one).
    pub url: Option<String>,
    /// Non-secret identifiers the report gives beside the secret (an ARN, a service account e-mail): a
    /// registry identity whose `external_id` is one of them is the leaked identity.
    pub identifiers: Vec<String>,
}

/// What an export holds, and what it speaks for.
#[derive(Clone, Debug)]
pub struct Export {
    pub source: SourceKind,
    /// The export as named on the command line.
    pub file: String,
    pub records: Vec<Record>,
    /// The accounts, projects, namespaces or repository the export covers: a registry identity outside
    /// them is not expected in it (and so never `stale`).
    pub scope: BTreeSet<String>,
    /// Observations about the export as a whole (e.g. `secrets: inherit`).
    pub notes: Vec<String>,
    /// Secrets found exposed: `secret-in-code` findings.
    pub leaks: Vec<Leak>,
}

impl Export {
    fn new(source: SourceKind, file: &Path) -> Export {
        Export {
            source,
            file: file.display().to_string(),
            records: Vec::new(),
            scope: BTreeSet::new(),
            notes: Vec::new(),
            leaks: Vec::new(),
        }
    }

    /// Whether `external_id` (with the identity's type) names something this export would list.
    pub fn covers(&self, external_id: &str, kind: Option<IdentityType>) -> bool {
        self.scope_of(external_id, kind)
            .is_some_and(|s| self.scope.contains(&s))
    }

    /// Adds `records`, and what each belongs to (account, organisation, …) to what the export covers.
    fn add_covering(&mut self, records: Vec<Record>) {
        for record in &records {
            if let Some(scope) = self.scope_of(&record.external_id, Some(record.kind)) {
                self.scope.insert(scope);
            }
        }
        self.records.extend(records);
    }

    /// What `external_id` belongs to in this export's terms: an account, project, namespace, repository or
    /// organisation.
    fn scope_of(&self, external_id: &str, kind: Option<IdentityType>) -> Option<String> {
        match self.source {
            SourceKind::AwsCredentialReport => aws::account_of(external_id),
            SourceKind::GcpServiceAccounts => gcp::project_of(external_id),
            SourceKind::K8sServiceAccounts => k8s::namespace_of(external_id, kind),
            SourceKind::GithubActions => github::repo_of(external_id),
            SourceKind::AwsIamRoles => aws_roles::account_of(external_id),
            // Scanner reports list leaks, not identities: nothing is expected in them.
            SourceKind::Gitleaks | SourceKind::Trufflehog => None,
            SourceKind::AwsSecretsManager => aws_secrets::scope_of(external_id),
            SourceKind::AzureServicePrincipals => azure::scope_of(external_id),
            SourceKind::GithubDeployKeys => github_keys::repo_of(external_id),
            SourceKind::GithubAppInstallations => ids::org_of(github_apps::PREFIX, external_id),
            SourceKind::GithubPersonalAccessTokens => ids::org_of(github_pats::PREFIX, external_id),
        }
    }
}

/// The key external ids are matched on: `k8s:` is optional, and case does not matter (IAM user names, SA
/// e-mails, repositories and Actions secret names are all unique regardless of case).
pub fn match_key(source: SourceKind, external_id: &str) -> String {
    let id = external_id.trim();
    let id = match source {
        SourceKind::K8sServiceAccounts => id.strip_prefix("k8s:").unwrap_or(id),
        SourceKind::AwsSecretsManager => return aws_secrets::partial(id),
        _ => id,
    };
    id.to_lowercase()
}

/// What stops an import: the export cannot be read or is not in the expected format.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    // The cause is part of the message, not a `source`: error chains print each source again.
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{file}:{line}: {message}")]
    Format {
        file: String,
        line: u32,
        message: String,
    },
}

impl ImportError {
    pub fn format(file: &str, line: u32, message: impl Into<String>) -> ImportError {
        ImportError::Format {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    pub fn io(path: &Path, cause: std::io::Error) -> ImportError {
        ImportError::Io {
            path: path.display().to_string(),
            cause,
        }
    }
}

/// What each source provides: it reads the export at `path` into `export`.
type Reader = fn(&Path, &Options, &mut Export) -> Result<(), ImportError>;

/// Reads the export at `path` (a file, or for GitHub Actions a repository directory).
pub fn read(source: SourceKind, path: &Path, options: &Options) -> Result<Export, ImportError> {
    let mut export = Export::new(source, path);
    let read: Reader = match source {
        SourceKind::AwsCredentialReport => aws::read,
        SourceKind::GcpServiceAccounts => gcp::read,
        SourceKind::K8sServiceAccounts => k8s::read,
        SourceKind::GithubActions => github::read,
        SourceKind::AwsIamRoles => aws_roles::read,
        SourceKind::Gitleaks => gitleaks::read,
        SourceKind::Trufflehog => trufflehog::read,
        SourceKind::AwsSecretsManager => aws_secrets::read,
        SourceKind::AzureServicePrincipals => azure::read,
        SourceKind::GithubDeployKeys => github_keys::read,
        SourceKind::GithubAppInstallations => github_apps::read,
        SourceKind::GithubPersonalAccessTokens => github_pats::read,
    };
    read(path, options, &mut export)?;
    merge_duplicates(&mut export);
    scrub(&mut export);
    Ok(export)
}

/// An item as the typed struct `T`, or an error naming the line and what was expected. serde's own message
/// is left out: it quotes the offending value, which may be anything the export holds.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(
    item: serde_json::Value,
    line: u32,
    what: &str,
) -> Result<T, json_stream::SyntaxError> {
    typed_naming(item, line, what, &[])
}

/// [`typed`], whose error for a field of the wrong type lists `fields`, the members `T` reads.
pub(crate) fn typed_naming<T: serde::de::DeserializeOwned>(
    item: serde_json::Value,
    line: u32,
    what: &str,
    fields: &[&str],
) -> Result<T, json_stream::SyntaxError> {
    let bad = |why: &str| json_stream::SyntaxError {
        line,
        message: format!("not {what}: {why}"),
    };
    if !item.is_object() {
        return Err(bad("expected a JSON object"));
    }
    serde_json::from_value(item).map_err(|e| {
        let why = e.to_string();
        match why.split_once('`') {
            Some((_, rest)) if why.starts_with("missing field") => {
                bad(&format!("no `{}", rest.split('`').next().unwrap_or("")))
            }
            _ if fields.is_empty() => bad("a field has the wrong type"),
            _ => {
                let named: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
                bad(&format!(
                    "a field has the wrong type ({})",
                    named.join(", ")
                ))
            }
        }
    })
}

/// The UTC day of a timestamp as exports write it: RFC 3339 text, or seconds since the epoch (the AWS API
/// and AWS CLI v1 print numbers such as `1523477145.729`). `None` for null or absent.
pub(crate) fn day_of(value: Option<&serde_json::Value>) -> Result<Option<Date>, String> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(text)) => crate::day::of_timestamp(text)
            .map(Some)
            .ok_or_else(|| "not an RFC 3339 timestamp".to_string()),
        Some(serde_json::Value::Number(n)) => n
            .as_f64()
            .and_then(|secs| jiff::Timestamp::from_second(secs.floor() as i64).ok())
            .map(|ts| Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date()))
            .ok_or_else(|| "not a time in seconds".to_string()),
        Some(_) => Err("not a timestamp".to_string()),
    }
}

/// [`day_of`] for the member `field` of the item at `line`; the error names the member.
pub(crate) fn day_at(
    value: &Option<serde_json::Value>,
    field: &str,
    line: u32,
) -> Result<Option<Date>, json_stream::SyntaxError> {
    day_of(value.as_ref()).map_err(|why| json_stream::SyntaxError {
        line,
        message: format!("`{field}` is {why}"),
    })
}

/// Reads the report of the secret scanner `scanner` at `path` into `export.leaks`, each item through `leak`
/// (`None`: an item that is no finding), with the note the report gets: it drafts nothing, and says where
/// its findings go.
fn scanner_report(
    path: &Path,
    export: &mut Export,
    scanner: &str,
    mut leak: impl FnMut(serde_json::Value, u32) -> Result<Option<Leak>, json_stream::SyntaxError>,
) -> Result<(), ImportError> {
    let mut leaks = Vec::new();
    json_stream::items_under(input::open(path)?, &[], |item, line| {
        leaks.extend(leak(item, line)?);
        Ok(())
    })
    .map_err(|e| ImportError::format(&export.file, e.line, e.message))?;
    let count = leaks.len();
    export.notes.push(format!("the {scanner} report lists {count} leaked secret(s), not identities: nothing is drafted; `nhi drift {scanner} FILE REGISTRY` reports each as `secret-in-code` (the values are never shown)"));
    export.leaks.extend(leaks);
    Ok(())
}

impl Leak {
    /// A secret scanner's finding of `what` in `file`: at `line` (line 1 when the scanner gives none that
    /// fits), in the `commit` and with the `link` the scanner gives, each when not empty.
    fn scanned(
        what: String,
        file: String,
        line: Option<u64>,
        commit: Option<String>,
        link: Option<String>,
    ) -> Leak {
        Leak {
            what,
            at: Place::new(file, line.and_then(|l| u32::try_from(l).ok()).unwrap_or(1)),
            commit: given(commit),
            url: given(link),
            identifiers: Vec::new(),
        }
    }
}

/// A scanner report's text, when it is given and not empty.
fn given(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

/// What replaces a string from the export that looks like a secret value.
pub const LEFT_OUT: &str = "(a value that looks like a secret was left out)";

/// Every string an export contributes to any output is checked as the registry's strings are: one that
/// looks like a secret value (a description holding a token, an annotation holding a key) is left out.
fn scrub(export: &mut Export) {
    let secret = |text: &str| crate::secrets::detect(text).is_some();
    let clean = |text: &mut String| {
        if secret(text) {
            *text = LEFT_OUT.to_string();
        }
    };
    for record in &mut export.records {
        if secret(&record.name) {
            record.name = record.base_id.clone();
        }
        if record.purpose.as_deref().is_some_and(secret) {
            record.purpose = None;
            record
                .notes
                .push(format!("the description was left out: {LEFT_OUT}"));
        }
        record.notes.iter_mut().for_each(clean);
        if secret(&record.external_id) {
            record.skipped = Some(format!(
                "its identifier looks like a secret value {LEFT_OUT}"
            ));
            record.external_id = record.at.to_string();
        }
    }
    export.notes.iter_mut().for_each(clean);
    for leak in &mut export.leaks {
        clean(&mut leak.what);
        clean(&mut leak.at.file);
        if leak.url.as_deref().is_some_and(secret) {
            leak.url = Some(LEFT_OUT.to_string());
        }
    }
}

/// One identity listed twice (a report concatenated with itself, a re-run, overlapping namespaces) is one
/// record: the first, noting where else it appears.
fn merge_duplicates(export: &mut Export) {
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut kept: Vec<Record> = Vec::with_capacity(export.records.len());
    let mut repeated = 0usize;
    for record in std::mem::take(&mut export.records) {
        let key = match_key(export.source, &record.external_id);
        match first.get(&key) {
            Some(&i) => {
                let original = &mut kept[i];
                if original
                    .notes
                    .iter()
                    .all(|n| !n.starts_with("also listed at"))
                {
                    repeated += 1;
                }
                original.notes.push(format!("also listed at {}", record.at));
            }
            None => {
                first.insert(key, kept.len());
                kept.push(record);
            }
        }
    }
    export.records = kept;
    if repeated > 0 {
        export.notes.push(format!(
            "{repeated} identit{} listed more than once in the export: each is drafted and compared once, from its first listing",
            if repeated == 1 { "y is" } else { "ies are" }
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the cause was also the error's `source`, so a printed chain said it twice.
    #[test]
    fn an_error_chain_says_its_cause_once() {
        let cause = std::io::Error::other("the checkout has no .github/workflows directory");
        let e = anyhow::Error::from(ImportError::io(Path::new("x"), cause));
        let shown = format!("{e:#}");
        assert_eq!(shown.matches("no .github/workflows").count(), 1, "{shown}");
        let cause = std::io::Error::other("gone");
        let load = anyhow::Error::from(crate::load::LoadError::Io {
            path: "r".into(),
            cause,
        });
        assert_eq!(format!("{load:#}").matches("gone").count(), 1);
    }
}

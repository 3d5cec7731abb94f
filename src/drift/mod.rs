//! Drift: compare a registry with an inventory export, matched on `external_id`.
//!
//! Three rules: `undeclared` (in the export, not in the registry: a shadow identity), `stale` (active in the
//! registry, absent from an export that covers it) and `drift` (both have it, and the export disagrees with a
//! fact the registry states). Each finding has a natural severity (documented in docs/discovery.md); the
//! policy's `rules` override it, and exceptions in force waive `stale` and `drift` as they waive other rules.

mod federation;
pub mod leaks;

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;

use crate::catalogue::RuleId;
use crate::finding::{Finding, Severity};
use crate::import::{ids, match_key, Export, Record, SourceKind};
use crate::model::{CredentialKind, Doc, Identity, Kind, Registry, Source, Status};
use crate::rules::{exceptions, Ctx};
use crate::span::{push_token, Place, Pos};

/// Where a finding points: a registry identity file, or the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Registry,
    Export,
}

/// A drift finding with what the site and JSON consumers need besides the finding itself.
#[derive(Clone, Debug)]
pub struct Drifted {
    pub finding: Finding,
    pub origin: Origin,
    pub external_id: String,
    /// The registry field that disagrees (`status`, `credential.last_rotated`, …), for `drift`.
    pub field: Option<&'static str>,
    /// What the registry says, and what the export says, when there are values to show.
    pub registry: Option<String>,
    pub export: Option<String>,
}

/// Compares `registry` with `export` as of `as_of`: findings in output order, policy and waivers applied.
pub fn compare(registry: &Registry, export: &Export, as_of: Date) -> Vec<Drifted> {
    let source = export.source;
    let mut declared: HashMap<String, &Doc<Identity>> = HashMap::new();
    for doc in &registry.identities {
        if let Some(ext) = doc.item.external_id.as_deref() {
            declared.entry(match_key(source, ext)).or_insert(doc);
        }
    }
    let mut unique = ids::Unique::with_taken(registry.identities.iter().map(|d| d.item.id.clone()));
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for record in &export.records {
        let key = match_key(source, &record.external_id);
        seen.insert(key.clone());
        match declared.get(&key) {
            Some(doc) => {
                facts(doc, record, source, &mut out);
                if source == SourceKind::AwsIamRoles {
                    federation::declared(doc, record, &mut out);
                }
            }
            None if record.skipped.is_none() => {
                let id = unique.claim(&record.base_id);
                out.push(undeclared(record, &id));
                federation::undeclared(record, &id, &mut out);
            }
            None => {}
        }
    }
    for leak in &export.leaks {
        out.push(leaks::leaked(registry, leak));
    }
    for doc in &registry.identities {
        let Some(ext) = doc.item.external_id.as_deref() else {
            continue;
        };
        if doc.item.is_active()
            && !seen.contains(&match_key(source, ext))
            && export.covers(ext, doc.item.kind)
        {
            out.push(stale(doc, ext, export));
        }
    }
    finish(registry, as_of, out)
}

/// Policy severities, waivers (the exceptions' own unused findings belong to `nhi check`), and order.
pub fn finish(registry: &Registry, as_of: Date, drifted: Vec<Drifted>) -> Vec<Drifted> {
    let mut drifted: Vec<Drifted> = drifted
        .into_iter()
        .filter_map(|mut d| {
            // A leaked secret is an error whatever the policy says: it cannot be turned down or off.
            if d.finding.rule != RuleId::SecretInCode {
                d.finding.severity = registry
                    .policy
                    .severity(d.finding.rule, d.finding.severity)?;
            }
            Some(d)
        })
        .collect();
    let ctx = Ctx::new(registry, as_of);
    let mut findings: Vec<Finding> = drifted.iter().map(|d| d.finding.clone()).collect();
    let _unused = exceptions::waive(&ctx, &mut findings);
    for (d, f) in drifted.iter_mut().zip(findings) {
        d.finding.waived_by = f.waived_by;
    }
    drifted.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    drifted
}

fn undeclared(record: &Record, id: &str) -> Drifted {
    let mut pointer = String::new();
    push_token(&mut pointer, &record.external_id);
    let (severity, state) = if record.active {
        (Severity::Error, "")
    } else {
        (Severity::Warning, " (it has no active credential)")
    };
    let message = format!(
        "`{}` is in the export but not in the registry{state}: a shadow identity nobody owns; declare it (`nhi import` drafts it as `{id}`) or remove it",
        record.external_id
    );
    let mut d = at_export(
        RuleId::Undeclared,
        id,
        record.external_id.clone(),
        &record.at,
        &pointer,
        message,
    );
    d.finding.severity = severity;
    d
}

fn stale(doc: &Doc<Identity>, ext: &str, export: &Export) -> Drifted {
    let message = format!(
        "active in the registry, but `{ext}` is not in the {} export: decommission the identity, or correct `external_id`",
        export.source.name()
    );
    let mut d = at_identity(
        RuleId::Stale,
        doc,
        "/external_id",
        message,
        Severity::Warning,
    );
    d.registry = Some("active".into());
    d
}

/// A finding about the registry identity `doc` at `pointer`, with `severity`.
pub(crate) fn at_identity(
    rule: RuleId,
    doc: &Doc<Identity>,
    pointer: &str,
    message: String,
    severity: Severity,
) -> Drifted {
    // Placed on the disagreeing field (or its nearest ancestor) when positions are resolved.
    let mut finding = crate::finding::on_identity(rule, doc, pointer, message);
    finding.severity = severity;
    let external_id = doc.item.external_id.clone().unwrap_or_default();
    Drifted {
        finding,
        origin: Origin::Registry,
        external_id,
        field: None,
        registry: None,
        export: None,
    }
}

/// A finding about the line `at` of an export, where it names `external_id` (`id` in the registry, or the id
/// `nhi import` would give it), at `pointer`.
pub(crate) fn at_export(
    rule: RuleId,
    id: &str,
    external_id: String,
    at: &Place,
    pointer: &str,
    message: String,
) -> Drifted {
    let source = Source {
        file: at.file.as_str().into(),
        start: Pos::START,
        doc: 0,
        flawed: false,
    };
    let pos = Pos::new(at.line.get(), 1);
    let finding = Finding::at_pos(
        rule,
        Kind::Identity.name(),
        id,
        &source,
        pos,
        pointer,
        message,
    );
    Drifted {
        finding,
        origin: Origin::Export,
        external_id,
        field: None,
        registry: None,
        export: None,
    }
}

/// One `drift` finding: the field, both values, and the message.
pub(crate) struct Disagreement {
    pub severity: Severity,
    pub field: &'static str,
    pub registry: Option<String>,
    pub export: Option<String>,
    pub message: String,
}

impl Disagreement {
    /// The finding on `doc`, at the field that disagrees.
    pub(crate) fn on(self, doc: &Doc<Identity>) -> Drifted {
        let pointer = format!("/{}", self.field.replace('.', "/"));
        let mut drifted = at_identity(RuleId::Drift, doc, &pointer, self.message, self.severity);
        drifted.field = Some(self.field);
        drifted.registry = self.registry;
        drifted.export = self.export;
        drifted
    }
}

fn facts(doc: &Doc<Identity>, record: &Record, source: SourceKind, out: &mut Vec<Drifted>) {
    for d in disagreements(&doc.item, record, source) {
        out.push(d.on(doc));
    }
}

/// What the export shows that makes an identity usable, in the source's terms.
fn usable(source: SourceKind) -> &'static str {
    match source {
        SourceKind::AwsCredentialReport => "an active access key or signing certificate",
        SourceKind::GcpServiceAccounts => "the service account enabled",
        SourceKind::K8sServiceAccounts => "the service account still in the cluster",
        SourceKind::GithubActions => "a workflow still referencing the secret",
        SourceKind::AwsIamRoles => "the role still in the account",
        SourceKind::Gitleaks | SourceKind::Trufflehog => "the secret in code",
        SourceKind::AwsSecretsManager => "the secret not scheduled for deletion",
        SourceKind::AzureServicePrincipals => "sign-in enabled",
        SourceKind::GithubDeployKeys => "the deploy key still on the repository",
        SourceKind::GithubAppInstallations => "the App installed and not suspended",
        SourceKind::GithubPersonalAccessTokens => {
            "the token unexpired with access to the organisation"
        }
    }
}

fn disagreements(identity: &Identity, record: &Record, source: SourceKind) -> Vec<Disagreement> {
    let mut out = Vec::new();
    let status = identity.status.unwrap_or(Status::Active);
    let retired = status != Status::Active;
    let registry_kind = identity.credential.kind;
    let show = |d: Option<Date>| d.map(|d| d.to_string());
    if retired && record.active {
        let message = format!(
            "the registry says {status}, but the export shows {}: revoke it, or correct `status`",
            usable(source)
        );
        out.push(Disagreement {
            severity: Severity::Error,
            field: "status",
            registry: Some(status.to_string()),
            export: Some("active".into()),
            message,
        });
    }
    let holds_credential = registry_kind.is_some_and(|k| k != CredentialKind::None);
    if !retired && !record.active && holds_credential {
        let message = format!("the registry says active, but the export no longer shows {}: set `status`, or check the export", usable(source));
        out.push(Disagreement {
            severity: Severity::Warning,
            field: "status",
            registry: Some("active".into()),
            export: Some("inactive".into()),
            message,
        });
    }
    let long_lived = record.credential == Some(CredentialKind::Static) && record.active;
    if long_lived
        && matches!(
            registry_kind,
            Some(CredentialKind::ShortLived | CredentialKind::Federated | CredentialKind::None)
        )
    {
        let kind = registry_kind.map(|k| k.to_string()).unwrap_or_default();
        let message = format!("the registry says the credential is `{kind}`, but the export shows a long-lived one: remove it, or correct `credential.kind`");
        out.push(Disagreement {
            severity: Severity::Error,
            field: "credential.kind",
            registry: Some(kind),
            export: Some("static".into()),
            message,
        });
    }
    if record.active && !retired {
        rotation(identity, record, &mut out);
    }
    if !retired && record.active_keys >= 2 {
        let message = format!(
            "the export shows {} active keys: a rotation left the old key active, or the key is shared; deactivate all but one",
            record.active_keys
        );
        out.push(Disagreement {
            severity: Severity::Warning,
            field: "credential",
            registry: None,
            export: Some(record.active_keys.to_string()),
            message,
        });
    }
    if let Some(used) = record.last_used {
        let recorded = identity.last_used;
        if let Some(day) = identity.retired_on().filter(|day| used > *day) {
            let message = format!("used on {used}, after the identity was {status} on {day}: someone still holds the credential; revoke it and investigate");
            out.push(Disagreement {
                severity: Severity::Error,
                field: "last_used",
                registry: show(recorded),
                export: show(Some(used)),
                message,
            });
        } else if recorded.is_none_or(|r| used > r) {
            let was = recorded
                .map(|r| format!("the registry's {r}"))
                .unwrap_or_else(|| "none recorded".into());
            let severity = if retired {
                Severity::Warning
            } else {
                Severity::Notice
            };
            let message = format!("last used on {used} ({was}): update `last_used`");
            out.push(Disagreement {
                severity,
                field: "last_used",
                registry: show(recorded),
                export: show(Some(used)),
                message,
            });
        }
    }
    out
}

fn rotation(identity: &Identity, record: &Record, out: &mut Vec<Disagreement>) {
    let Some(issued) = record.rotated else { return };
    let claimed = identity.last_rotation();
    let show = |d: Date| Some(d.to_string());
    match claimed {
        Some(claimed) if issued < claimed => {
            let message = format!(
                "the registry says the credential was rotated on {claimed}, but the oldest active key was issued on {issued}: the rotation did not happen, or left the old key active"
            );
            out.push(Disagreement {
                severity: Severity::Error,
                field: "credential.last_rotated",
                registry: show(claimed),
                export: show(issued),
                message,
            });
        }
        Some(claimed) if issued > claimed => {
            let message = format!("the active key was issued on {issued}, after the registry's {claimed}: record the rotation in `credential.last_rotated`");
            out.push(Disagreement {
                severity: Severity::Notice,
                field: "credential.last_rotated",
                registry: show(claimed),
                export: show(issued),
                message,
            });
        }
        None => {
            let message = format!("the active key was issued on {issued}; the registry records no creation or rotation: set `credential.last_rotated`");
            out.push(Disagreement {
                severity: Severity::Notice,
                field: "credential.last_rotated",
                registry: None,
                export: show(issued),
                message,
            });
        }
        Some(_) => {}
    }
}

//! Tracing who obtained credentials: issuance logs (first CloudTrail) against the registry's identities,
//! matched on the role ARN in `external_id`.
//!
//! Findings (the shape of `nhi drift`'s): `undeclared` (a credential issued for a role the registry does
//! not declare), `unexpected-subject` (issued to a subject outside the identity's `federation.subjects`, or
//! through another issuer), `drift` on `status` (issued while the registry says the identity is retired),
//! and `issuance-failed` notices for denied attempts. Per identity, the issuances seen: count, first, last
//! and the distinct subjects. Events are folded in as they stream past, so memory grows with the distinct
//! roles and subjects, never with the log.

pub mod cloudtrail;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::Timestamp;

use crate::catalogue::RuleId;
use crate::drift::{self, at_export, at_identity, Disagreement, Drifted};
use crate::federation::pattern::{issuer_key, matches};
use crate::finding::Severity;
use crate::import::{ids, match_key, SourceKind};
use crate::model::{Doc, Identity, Registry};
use crate::report::trace::{Subject, Traced};
use crate::secrets;
use crate::span::Place;

/// The issuance logs `nhi trace` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogSource {
    /// CloudTrail log files (`{"Records": […]}`) or `aws cloudtrail lookup-events` output
    Cloudtrail,
}

impl LogSource {
    pub fn name(self) -> &'static str {
        match self {
            LogSource::Cloudtrail => "cloudtrail",
        }
    }
}

/// The STS call that issued (or refused) a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    WebIdentity,
    Saml,
    AssumeRole,
}

/// One issuance as a log shows it; borrowed from the event being read.
#[derive(Clone, Copy, Debug)]
pub struct Issuance<'a> {
    pub line: u32,
    pub call: Call,
    pub role: &'a str,
    /// The token's subject (web identity, SAML), or the caller (`AssumeRole`).
    pub subject: &'a str,
    /// The identity provider (web identity, SAML), or `aws` (`AssumeRole`).
    pub issuer: &'a str,
    pub time: Timestamp,
    pub error: Option<&'a str>,
    pub error_message: Option<&'a str>,
}

/// The most distinct subjects kept per role; issuances to further subjects are only counted.
pub const MAX_SUBJECTS: usize = 1_000;

/// A line of a log file: where an issuance was read.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct LogLine {
    file: Arc<str>,
    line: u32,
}

impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What the logs show of a role or of a subject: its name as shown, how many credentials were issued to
/// it, where the first was read, and when the first and the last were issued.
#[derive(Default)]
struct Seen {
    shown: String,
    count: u64,
    first_at: LogLine,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

impl Seen {
    /// Counts one more issuance, at `time`.
    fn add(&mut self, time: Timestamp) {
        self.count += 1;
        self.first = Some(self.first.map_or(time, |t| t.min(time)));
        self.last = Some(self.last.map_or(time, |t| t.max(time)));
    }

    /// The order findings about roles and subjects are written in: where first read, then the name.
    fn order(&self) -> (&LogLine, &str) {
        (&self.first_at, &self.shown)
    }
}

#[derive(Default)]
struct SubjectStats {
    seen: Seen,
    declared: bool,
    issuer: String,
}

#[derive(Default)]
struct Stats {
    seen: Seen,
    failed: u64,
    subjects: HashMap<String, SubjectStats>,
    /// Issuances to subjects beyond [`MAX_SUBJECTS`].
    unlisted: u64,
}

#[derive(Default)]
struct Failure {
    count: u64,
    at: LogLine,
    role: String,
    subject: String,
    message: String,
}

/// Folds issuances into per-role statistics.
pub struct Tracer<'r> {
    registry: &'r Registry,
    index: HashMap<String, usize>,
    declared: Vec<Option<Stats>>,
    undeclared: HashMap<String, Stats>,
    failures: HashMap<(String, String, String), Failure>,
    /// The log file being read.
    file: Arc<str>,
    pub issuances: u64,
    pub failed: u64,
}

/// What a trace found: the findings, and per identity the issuances seen.
pub struct Trace {
    pub drifted: Vec<Drifted>,
    pub identities: Vec<Traced>,
    pub issuances: u64,
    pub failed: u64,
}

impl<'r> Tracer<'r> {
    pub fn new(registry: &'r Registry) -> Tracer<'r> {
        let mut index = HashMap::new();
        for (n, doc) in registry.identities.iter().enumerate() {
            if let Some(ext) = doc.item.external_id.as_deref() {
                index
                    .entry(match_key(SourceKind::AwsIamRoles, ext))
                    .or_insert(n);
            }
        }
        Tracer {
            registry,
            index,
            declared: (0..registry.identities.len()).map(|_| None).collect(),
            undeclared: HashMap::new(),
            failures: HashMap::new(),
            file: Arc::from(""),
            issuances: 0,
            failed: 0,
        }
    }

    /// Names the log file the next issuances come from.
    pub fn set_file(&mut self, file: &str) {
        self.file = Arc::from(file);
    }

    /// Adds one issuance.
    pub fn add(&mut self, i: Issuance<'_>) {
        let key = match_key(SourceKind::AwsIamRoles, i.role);
        // The line of the log being read, for the first issuance (or failure) of its kind.
        let here = || LogLine {
            file: self.file.clone(),
            line: i.line,
        };
        let doc = self.index.get(&key).copied();
        if let Some(code) = i.error {
            self.failed += 1;
            let failure = self
                .failures
                .entry((key.clone(), i.subject.to_string(), code.to_string()))
                .or_insert_with(|| Failure {
                    at: here(),
                    role: clean(i.role),
                    subject: clean(i.subject),
                    message: format!(
                        "{}{}",
                        clean(code),
                        i.error_message
                            .map(|m| format!(": {}", clean(m)))
                            .unwrap_or_default()
                    ),
                    ..Failure::default()
                });
            failure.count += 1;
            let stats = match doc {
                Some(n) => self.declared[n].get_or_insert_with(Stats::default),
                None => return,
            };
            stats.failed += 1;
            return;
        }
        self.issuances += 1;
        let federation = doc.and_then(|n| self.registry.identities[n].item.federation.clone());
        let stats = match doc {
            Some(n) => self.declared[n].get_or_insert_with(Stats::default),
            None => self.undeclared.entry(key).or_default(),
        };
        if stats.seen.count == 0 && stats.seen.shown.is_empty() {
            stats.seen.shown = clean(i.role);
            stats.seen.first_at = here();
        }
        stats.seen.add(i.time);
        let full = stats.subjects.len() >= MAX_SUBJECTS;
        let subject = match stats.subjects.get_mut(i.subject) {
            Some(s) => s,
            None if full => {
                stats.unlisted += 1;
                return;
            }
            None => {
                let declared = federation.as_deref().is_none_or(|f| {
                    let same_issuer = f
                        .issuer
                        .as_deref()
                        .is_some_and(|d| issuer_key(d) == issuer_key(i.issuer));
                    same_issuer && f.subjects.iter().any(|p| matches(p, i.subject))
                });
                let new = SubjectStats {
                    seen: Seen {
                        shown: clean(i.subject),
                        first_at: here(),
                        ..Seen::default()
                    },
                    declared,
                    issuer: clean(i.issuer),
                };
                stats.subjects.entry(i.subject.to_string()).or_insert(new)
            }
        };
        subject.seen.add(i.time);
    }

    /// The findings (policy severities and waivers applied, in output order) and the issuances per identity.
    pub fn finish(self, as_of: Date) -> Trace {
        let mut out = Vec::new();
        let mut traced = Vec::new();
        for (doc, stats) in self.registry.identities.iter().zip(&self.declared) {
            let Some(stats) = stats else { continue };
            findings_of(doc, stats, &mut out);
            traced.push(summary(doc, stats));
        }
        let mut taken =
            ids::Unique::with_taken(self.registry.identities.iter().map(|d| d.item.id.clone()));
        let mut roles: Vec<&Stats> = self.undeclared.values().collect();
        roles.sort_by(|a, b| a.seen.order().cmp(&b.seen.order()));
        for stats in roles {
            let seen = &stats.seen;
            let name = seen.shown.rsplit('/').next().unwrap_or(&seen.shown);
            let id = taken.claim(&ids::sanitize(name));
            let message = format!(
                "a credential for `{}` was issued {} between {} and {} to {}, but the registry does not declare the role: declare it (`nhi import aws-iam-roles` drafts it) or delete the role",
                seen.shown,
                times(seen.count),
                day(seen.first),
                day(seen.last),
                subjects_phrase(stats),
            );
            out.push(at_log(
                RuleId::Undeclared,
                &id,
                &seen.first_at,
                &seen.shown,
                message,
                Severity::Error,
            ));
        }
        let mut failures: Vec<&Failure> = self.failures.values().collect();
        failures.sort_by(|a, b| (&a.at, &a.role).cmp(&(&b.at, &b.role)));
        for f in failures {
            let who = if f.subject.is_empty() {
                String::new()
            } else {
                format!(" by `{}`", f.subject)
            };
            let message = format!(
                "{} to obtain a credential for `{}`{who} failed ({}); first on this line",
                times_attempt(f.count),
                f.role,
                f.message
            );
            let id = self
                .index
                .get(&match_key(SourceKind::AwsIamRoles, &f.role))
                .map(|&n| self.registry.identities[n].item.id.clone())
                .unwrap_or_default();
            out.push(at_log(
                RuleId::IssuanceFailed,
                &id,
                &f.at,
                &f.role,
                message,
                Severity::Notice,
            ));
        }
        Trace {
            drifted: drift::finish(self.registry, as_of, out),
            identities: traced,
            issuances: self.issuances,
            failed: self.failed,
        }
    }
}

fn findings_of(doc: &Doc<Identity>, stats: &Stats, out: &mut Vec<Drifted>) {
    let identity = &doc.item;
    if !identity.is_active() && stats.seen.count > 0 {
        let status = identity.status.map(|s| s.to_string()).unwrap_or_default();
        let message = format!(
            "the registry says {status}, but a credential was issued {} (last on {}): someone still assumes the role; revoke its trust policy and investigate",
            times(stats.seen.count),
            day(stats.seen.last)
        );
        let d = Disagreement {
            severity: Severity::Error,
            field: "status",
            registry: Some(status),
            export: Some("issued".into()),
            message,
        };
        out.push(d.on(doc));
    }
    let Some(federation) = identity.federation.as_deref() else {
        return;
    };
    let mut odd: Vec<&SubjectStats> = stats.subjects.values().filter(|s| !s.declared).collect();
    odd.sort_by(|a, b| a.seen.order().cmp(&b.seen.order()));
    let declared = federation.subjects.join(", ");
    for s in odd {
        let issuer = federation.issuer.as_deref().unwrap_or("");
        let through = if issuer_key(issuer) == issuer_key(&s.issuer) {
            String::new()
        } else {
            format!(" through `{}` (the registry declares `{issuer}`)", s.issuer)
        };
        let message = format!(
            "a credential was issued {} to `{}`{through}, which `federation.subjects` does not admit (first at {}, last on {}): declare the subject, or tighten the role's trust policy",
            times(s.seen.count),
            s.seen.shown,
            s.seen.first_at,
            day(s.seen.last)
        );
        let mut d = at_identity(
            RuleId::UnexpectedSubject,
            doc,
            "/federation/subjects",
            message,
            Severity::Error,
        );
        d.field = Some("federation.subjects");
        d.registry = Some(declared.clone());
        d.export = Some(s.seen.shown.clone());
        out.push(d);
    }
}

fn summary(doc: &Doc<Identity>, stats: &Stats) -> Traced {
    let mut subjects: Vec<Subject> = stats
        .subjects
        .values()
        .map(|s| Subject {
            subject: s.seen.shown.clone(),
            issuer: s.issuer.clone(),
            count: s.seen.count,
            first: s.seen.first,
            last: s.seen.last,
            declared: s.declared,
        })
        .collect();
    subjects.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    Traced {
        id: doc.item.id.clone(),
        external_id: doc.item.external_id.clone().unwrap_or_default(),
        count: stats.seen.count,
        failed: stats.failed,
        first: stats.seen.first,
        last: stats.seen.last,
        subjects,
        unlisted: stats.unlisted,
    }
}

fn at_log(
    rule: RuleId,
    id: &str,
    at: &LogLine,
    role: &str,
    message: String,
    severity: Severity,
) -> Drifted {
    let mut d = at_export(
        rule,
        id,
        role.to_string(),
        &Place::new(&*at.file, at.line),
        "",
        message,
    );
    d.finding.severity = severity;
    d
}

/// A value from the log as it may be shown: control characters become spaces, anything that looks like a
/// secret is withheld, and long values are cut.
pub fn clean(text: &str) -> String {
    if let Some(what) = secrets::detect(text) {
        return format!("[withheld: {what}]");
    }
    let mut out: String = text
        .chars()
        .take(300)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

fn day(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
        .unwrap_or_else(|| "?".into())
}

fn times(n: u64) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

fn times_attempt(n: u64) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}

fn subjects_phrase(stats: &Stats) -> String {
    let mut names: Vec<&SubjectStats> = stats.subjects.values().collect();
    names.sort_by(|a, b| {
        b.seen
            .count
            .cmp(&a.seen.count)
            .then_with(|| a.seen.shown.cmp(&b.seen.shown))
    });
    let shown: Vec<String> = names
        .iter()
        .take(3)
        .map(|s| format!("`{}`", s.seen.shown))
        .collect();
    let more = names.len().saturating_sub(3) as u64 + u64::from(stats.unlisted > 0);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{}{tail}", shown.join(", "))
}

//! The rule catalogue: every rule id, defined once, with its default severity, compliance mappings, and
//! what to do about it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::severity::Severity;

/// One rule as `nhi rules` and `nhi explain` show it.
#[derive(Debug)]
pub struct Rule {
    pub id: RuleId,
    pub default: Severity,
    /// OWASP Non-Human Identities Top 10 (2025): NHI1..NHI10.
    pub owasp: &'static [&'static str],
    /// NIST Cybersecurity Framework 2.0 subcategories.
    pub nist: &'static [&'static str],
    pub summary: &'static str,
    pub explanation: &'static str,
    pub fix: &'static str,
    /// Whether an Exception can waive it (only rules about an identity's own state can).
    pub waivable: bool,
}

/// OWASP NHI Top 10 (2025) titles.
pub const OWASP: [(&str, &str); 10] = [
    ("NHI1", "Improper Offboarding"),
    ("NHI2", "Secret Leakage"),
    ("NHI3", "Vulnerable Third-Party NHI"),
    ("NHI4", "Insecure Authentication"),
    ("NHI5", "Overprivileged NHI"),
    ("NHI6", "Insecure Cloud Deployment Configurations"),
    ("NHI7", "Long-Lived Secrets"),
    ("NHI8", "Environment Isolation"),
    ("NHI9", "NHI Reuse"),
    ("NHI10", "Human Use of NHI"),
];

/// NIST CSF 2.0 subcategories the rules map to, with their outcome statements (abridged).
pub const NIST: [(&str, &str); 13] = [
    ("GV.RR-02", "Roles, responsibilities, and authorities related to cybersecurity risk management are established, communicated, understood, and enforced"),
    ("GV.SC-07", "The risks posed by a supplier, their products and services, and other third parties are understood, recorded, prioritized, assessed, responded to, and monitored"),
    ("ID.AM-01", "Inventories of hardware managed by the organization are maintained (here: of non-human identities)"),
    ("ID.AM-04", "Inventories of services provided by suppliers are maintained"),
    ("ID.AM-08", "Systems, hardware, software, services, and data are managed throughout their life cycles"),
    ("ID.RA-06", "Risk responses are chosen, prioritized, planned, tracked, and communicated"),
    ("PR.AA-01", "Identities and credentials for authorized users, services, and hardware are managed by the organization"),
    ("PR.AA-02", "Identities are proofed and bound to credentials based on the context of interactions"),
    ("PR.AA-03", "Users, services, and hardware are authenticated"),
    ("PR.AA-05", "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties"),
    ("PR.DS-01", "The confidentiality, integrity, and availability of data-at-rest are protected"),
    ("PR.IR-01", "Networks and environments are protected from unauthorized logical access and usage"),
    ("DE.CM-03", "Personnel activity and technology usage are monitored to find potentially adverse events"),
];

macro_rules! catalogue {
    ($($variant:ident = $id:literal, $sev:ident, [$($o:literal),*], [$($n:literal),*], $waivable:literal,
        $summary:literal, $explanation:literal, $fix:literal;)*) => {
        /// A rule's id. The catalogue below defines every id once: code names a rule by its variant, so a
        /// misspelt id does not compile. Written and read as the kebab-case id (`owner-missing`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $($variant),*
        }

        impl RuleId {
            /// Every rule id, in the order of the catalogue.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),*];

            /// The id as users write it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id),*
                }
            }
        }

        /// Every rule, in the order of the specification (the order of [`RuleId`]).
        pub const RULES: &[Rule] = &[$(
            Rule {
                id: RuleId::$variant, default: Severity::$sev, owasp: &[$($o),*], nist: &[$($n),*],
                waivable: $waivable, summary: $summary, explanation: $explanation, fix: $fix,
            }
        ),*];
    };
}

// Adding a rule is one entry here: its variant and id, default severity, OWASP and NIST mappings, whether
// an exception can waive it, and the texts `nhi rules` / `nhi explain` show. The rule's function then names
// it as `RuleId::Variant`; severities, waivers, SARIF and the site all follow from the entry.
catalogue! {
    Schema = "schema", Error, [], ["ID.AM-01"], false,
        "A document does not match the JSON Schema of its kind",
        "Every document must be valid YAML, a map with a known `kind`, and match the JSON Schema of that kind: required fields present, values of the right type, ids and dates well formed, no unknown keys (keys starting with `x-` are free extensions). A document that cannot be read is not governed.",
        "Correct the field named in the message; `nhi schema KIND` prints the schema, and a `# yaml-language-server: $schema=…` comment gives completion in editors.";
    DuplicateId = "duplicate-id", Error, [], ["ID.AM-01"], false,
        "Two documents of one kind group share an id",
        "Ids are unique within identities, owners (teams and persons together), systems and exceptions: references and site pages depend on it.",
        "Rename one of the documents, or merge them if they describe the same thing.";
    DuplicateExternalId = "duplicate-external-id", Error, ["NHI9"], ["ID.AM-01", "PR.AA-01"], false,
        "Two identities share an `external_id`",
        "An `external_id` names one identity in its provider (an ARN, a service account e-mail, `k8s:ns/name`). Two registry identities with the same one split its facts: owners, reviews and rotations are recorded on one while `nhi drift` compares the provider with the other, and the real identity looks owned twice or reused. Matched as `nhi drift` matches (trimmed, case ignored); a decommissioned identity may keep the id of a re-created successor.",
        "Merge the two documents into one, or correct the `external_id` of the one that names something else.";
    UnknownReference = "unknown-reference", Error, [], ["ID.AM-01", "GV.RR-02"], false,
        "An owner, contact, system, store, person, identity or rule id that does not exist",
        "Every id a document names must exist in the registry with the right kind, otherwise ownership, reach and approvals cannot be established.",
        "Fix the id, or add the missing Team, Person or System document.";
    OwnerMissing = "owner-missing", Error, ["NHI1"], ["GV.RR-02", "ID.AM-01", "PR.AA-01"], true,
        "An active identity has no owner",
        "An identity without an accountable owner is never rotated, reviewed or removed: nobody is asked.",
        "Set `owner` to the Team accountable for the identity.";
    Orphaned = "orphaned", Error, ["NHI1"], ["GV.RR-02", "PR.AA-01"], true,
        "An active identity's owner is an inactive Person, or a Team with no active member",
        "When the owner has left, or the owning team has no active member left, the identity is orphaned: nobody is accountable for it any more.",
        "Hand the identity to a staffed Team, or decommission it and revoke its credential.";
    OwnerIsPerson = "owner-is-person", Notice, ["NHI1"], ["GV.RR-02"], true,
        "An identity is owned by a Person rather than a Team",
        "People change jobs; identities owned by a person become orphans when they leave. A team outlives its members.",
        "Set `owner` to a Team and keep the person as `contact`.";
    CredentialExpired = "credential-expired", Error, ["NHI7"], ["PR.AA-01"], true,
        "An active identity's credential has expired",
        "An expired credential breaks whatever uses it, or the registry is out of date.",
        "Renew the credential and update `credential.expires`, or decommission the identity.";
    CredentialExpiring = "credential-expiring", Warning, ["NHI7"], ["PR.AA-01"], true,
        "An active identity's credential expires within `expiry_warning_days`",
        "Renew before the expiry breaks production.",
        "Renew the credential and update `credential.expires`.";
    RotationOverdue = "rotation-overdue", Error, ["NHI7", "NHI2"], ["PR.AA-01"], true,
        "A static credential was not rotated within its rotation period",
        "The longer a static secret lives, the more copies of it exist and the longer a leak stays useful. The period is `credential.rotation_days`, else the policy's `rotation_days` for the identity's type, else `default`; the last rotation is `last_rotated`, else `created`.",
        "Rotate the credential and set `credential.last_rotated`, or move to short-lived or federated credentials.";
    ReviewMissing = "review-missing", Error, ["NHI5"], ["PR.AA-05"], true,
        "An active identity has never been reviewed",
        "An access review confirms that the identity is still needed and holds no more access than it needs.",
        "Review the identity's access and record `review: {last: DATE, by: PERSON}`.";
    ReviewOverdue = "review-overdue", Error, ["NHI5"], ["PR.AA-05"], true,
        "An active identity's last review is older than its review period",
        "The review period is `review_days`, or `review_days_by_criticality` for the highest criticality among the systems in the identity's blast radius.",
        "Review the identity's access again and update `review.last` and `review.by`.";
    Dormant = "dormant", Warning, ["NHI1"], ["PR.AA-01", "DE.CM-03"], true,
        "An active identity has not been used for `dormant_days`",
        "An unused credential is all risk and no value: it should be removed.",
        "Confirm it is unused, then decommission it and revoke the credential; or update `last_used`.";
    DecommissionedNotRevoked = "decommissioned-not-revoked", Error, ["NHI1"], ["PR.AA-01", "ID.AM-08"], true,
        "A decommissioned identity still has a credential or access",
        "Decommissioning ends with the credential revoked and every access removed; otherwise the identity still works.",
        "Revoke the credential and set `credential.revoked_on`; remove the `access` entries.";
    SecretOutsideVault = "secret-outside-vault", Error, ["NHI2"], ["PR.DS-01", "PR.AA-01"], true,
        "A static credential is stored in a system that is not an allowed secret store",
        "Secrets in CI variables, config files or wikis leak. The policy's `allowed_secret_stores` names the System types that may hold static credentials.",
        "Move the secret to a secret store and update `credential.stores`.";
    AdminWithoutJustification = "admin-without-justification", Error, ["NHI5"], ["PR.AA-05"], true,
        "An admin access entry has no justification",
        "Admin access is the largest blast radius an identity can have; it must be justified where a reviewer can see it.",
        "Add `justification` to the access entry, or lower its `level`.";
    PreferShortLived = "prefer-short-lived", Notice, ["NHI7", "NHI4"], ["PR.AA-01", "PR.AA-03"], true,
        "A static credential in prod for a workload or service account",
        "Workloads in production can usually use short-lived or federated credentials (workload identity, OIDC), which need no rotation and leak nothing lasting.",
        "Switch to workload identity federation or short-lived tokens and set `credential.kind` accordingly.";
    CrossEnvironment = "cross-environment", Warning, ["NHI8"], ["PR.IR-01", "PR.AA-05"], true,
        "A prod identity reaches a non-prod system, or a non-prod identity reaches a prod system",
        "Environments are isolated so that a compromise of a test system cannot reach production. `shared` is neither prod nor non-prod.",
        "Use a separate identity per environment.";
    SharedIdentity = "shared-identity", Warning, ["NHI9"], ["PR.AA-01", "PR.AA-05"], true,
        "`used_by` names more than one system",
        "One identity reused by several workloads cannot be scoped, attributed or rotated without touching all of them.",
        "Give each workload its own identity.";
    HumanUse = "human-use", Error, ["NHI10"], ["PR.AA-01", "PR.AA-02"], true,
        "`used_by` names a Person",
        "A person using a non-human identity escapes the controls (MFA, offboarding, attribution) that apply to people.",
        "Give the person their own account; remove them from `used_by`.";
    VendorReviewOverdue = "vendor-review-overdue", Warning, ["NHI3"], ["GV.SC-07", "ID.AM-04"], true,
        "A third party's access was not reviewed within the review period",
        "An identity held or issued by a vendor is part of the supply chain; its access needs the same periodic review.",
        "Review the vendor's access and set `vendor_review`.";
    RotationDue = "rotation-due", Notice, ["NHI7"], ["PR.AA-01"], true,
        "A static credential's rotation falls due within `expiry_warning_days`",
        "A notice before `rotation-overdue` fails the gate, as `credential-expiring` precedes `credential-expired`: the rotation falls due on the last day of its period (the last rotation, else the creation, plus `credential.rotation_days` or the policy's `rotation_days`). It fires from `expiry_warning_days` before that day up to the day itself.",
        "Rotate the credential and record it with `nhi rotated ID` (it sets `credential.last_rotated`).";
    ReviewDue = "review-due", Notice, ["NHI5"], ["PR.AA-05"], true,
        "An access review falls due within `expiry_warning_days`",
        "A notice before `review-overdue` fails the gate: the next review falls due on the last review plus the identity's review period (`review_days`, or `review_days_by_criticality` for the highest criticality in its blast radius). It fires from `expiry_warning_days` before that day up to the day itself.",
        "Review the identity's access and record it with `nhi review ID --by PERSON` (it sets `review.last` and `review.by`).";
    ContactLeft = "contact-left", Warning, ["NHI1"], ["GV.RR-02", "PR.AA-01"], true,
        "An active identity's `contact` is a Person who left",
        "The technical contact is who gets asked when the credential leaks, breaks or must be rotated. A contact who has left answers nothing, and a page or runbook pointing at them wastes the first hour of an incident.",
        "Set `contact` to a Person who is still active (`nhi offboard PERSON --to TEAM` hands over everything a leaver held).";
    ReviewerLeft = "reviewer-left", Notice, ["NHI1"], ["PR.AA-05", "GV.RR-02"], true,
        "The latest review of an active identity was made by a Person who has since left",
        "A review is a person's word that the access is still needed. When that person has left, nobody can answer for the last review, and the knowledge behind it left with them.",
        "Have a current member review the identity's access again and record it (`nhi review ID --by PERSON`).";
    ReviewNotIndependent = "review-not-independent", Warning, ["NHI5"], ["PR.AA-05", "GV.RR-02"], true,
        "The reviewer belongs to the owning team, and the policy asks for independent reviews",
        "Off by default: with `review_by_owner: false` in `nhi.yaml`, an access review counts as independent only when the reviewer is neither the owning Person nor a member of the owning Team (separation of duties: the team that uses the access does not confirm it alone).",
        "Have someone outside the owning team review the access, and record them in `review.by`.";
    BlastRadiusCritical = "blast-radius-critical", Warning, ["NHI5", "NHI7"], ["PR.AA-05"], true,
        "A static credential's blast radius reaches more than `max_critical_reach` critical systems",
        "The blast radius of an identity is what an attacker holding its credential reaches: the systems it can access, and through every system it controls (admin, or any access to a secret store) the credentials kept or run there, and onwards. A long-lived static secret that opens many critical systems is a single point of compromise. The policy's `max_critical_reach` (default 3) sets how many critical systems are too many.",
        "Run `nhi blast ID` to see the paths; narrow the identity's access (no admin on secret stores or clusters it does not manage), split it into narrower identities, or move to short-lived or federated credentials.";
    FederationTooBroad = "federation-too-broad", Error, ["NHI6", "NHI5"], ["PR.AA-05", "PR.AA-01"], true,
        "A federated identity admits the workflows of a whole organisation, or any subject at all",
        "A federated credential is only as narrow as the subjects its issuer may present. Patterns follow AWS `StringLike` (`*` matches any run of characters, `:` and `/` included). For GitHub's issuer a subject is too broad when its `repo:OWNER/NAME` part holds a wildcard or is missing: `repo:northwind/*` lets every repository of the organisation, forks' pull requests where allowed, and any repository created later, assume the role; `repo:*` and `*` let any GitHub workflow do it. Kubernetes subjects likewise need `system:serviceaccount:NAMESPACE:NAME` without wildcards. `nhi drift aws-iam-roles` applies the same test to the trust policies in an export, and reports a policy that trusts the provider with no `sub` condition at all.",
        "Scope the subject to one repository, and better one environment or branch. In the registry: `federation: {issuer: https://token.actions.githubusercontent.com, subjects: [\"repo:northwind/deploy:environment:prod\"], audience: sts.amazonaws.com}`. In the role's trust policy: `\"Condition\": {\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\", \"token.actions.githubusercontent.com:sub\": \"repo:northwind/deploy:environment:prod\"}}`.";
    RotateAfterDeparture = "rotate-after-departure", Warning, ["NHI1", "NHI7"], ["PR.AA-01", "PR.AA-05"], true,
        "An active static credential whose owner, contact or human user left after it was last rotated",
        "Whoever owned, looked after or used a static secret could have kept a copy. When that Person leaves (`active: false`, `left_on`) after the credential was last rotated (or created, when it never was), the copy still works after their accounts are closed: leavers' access is revoked for people, and must be for the secrets they knew too. A Person who left on an unrecorded day counts, and so does a credential whose rotation day is unknown.",
        "Rotate the credential (`nhi leak ID` lists where it is kept and who consumes it), then record it with `nhi rotated ID`; `nhi offboard PERSON` lists every credential to rotate when someone leaves.";
    ExceptionExpired = "exception-expired", Error, [], ["ID.RA-06"], false,
        "An exception's `expires` is before the day",
        "Exceptions are time-boxed. An expired exception waives nothing, and fails the gate until it is renewed or removed.",
        "Fix what the exception waived and delete it, or renew it with a new approval.";
    ExceptionExpiring = "exception-expiring", Warning, [], ["ID.RA-06"], false,
        "An exception expires within `expiry_warning_days`",
        "Plan the fix, or the renewal, before the gate fails.",
        "Fix what the exception waives, or renew the approval.";
    ExceptionUnapproved = "exception-unapproved", Error, [], ["ID.RA-06", "GV.RR-02"], false,
        "An exception has no approval, or the approver is not an active Person",
        "An exception is in force only when an active Person approved it on a recorded day.",
        "Record `approved_by` and `approved_on`.";
    ExceptionSelfApproved = "exception-self-approved", Error, [], ["ID.RA-06", "PR.AA-05"], false,
        "An exception is approved by its requester or by a member of the owning team",
        "Separation of duties: whoever accepts a risk must not be the one who benefits from it.",
        "Have someone outside the owning team approve it.";
    ExceptionTooLong = "exception-too-long", Error, [], ["ID.RA-06"], false,
        "An exception runs longer than `max_exception_days` after its approval",
        "Long exceptions become permanent. The policy caps their length.",
        "Shorten `expires`, and renew later if still needed.";
    ExceptionUnused = "exception-unused", Warning, [], ["ID.RA-06"], false,
        "An exception in force waives nothing",
        "The waived problem is fixed (or the rule cannot be waived): the exception is dead weight and widens what could be waived later.",
        "Delete the exception.";
    SecretInRegistry = "secret-in-registry", Error, ["NHI2"], ["PR.DS-01"], false,
        "A string value looks like a secret",
        "The registry holds metadata, never secret values: anything in it is readable by everyone with access to the repository and stays in git history. Known formats (cloud keys, platform tokens, JWTs, private keys, URLs with passwords) and long high-entropy strings are detected; the value is never repeated in any output.",
        "Remove the value, keep the secret in a secret store, and rotate it: it is in git history now.";
    MisplacedDocument = "misplaced-document", Error, [], ["ID.AM-01"], false,
        "A YAML file outside the registry's folders holds a document of an nhi kind",
        "Only `nhi.yaml` and the YAML files under `identities/`, `owners/`, `systems/` and `exceptions/` are read. A document of an nhi kind anywhere else under the registry root (`identity/new-admin.yaml`, `nhi.yml`) is never checked: it would pass the gate unseen, and never appear on the site. Documents of other tools carry `apiVersion` (Kubernetes, Backstage) and are left alone; so are hidden folders, `node_modules`, build output and nested registries (a folder with its own `nhi.yaml`).",
        "Move the file under the folder of its kind (`identities/`, `owners/`, `systems/`, `exceptions/`); a Policy belongs in `nhi.yaml` at the root.";
    CodeownersApprovers = "codeowners-approvers", Warning, [], ["GV.RR-02", "PR.AA-05"], false,
        "The policy names approvers, and the repository's CODEOWNERS does not give them `exceptions/` and `nhi.yaml`",
        "`approved_by` is only text: anyone can type a colleague's id in their own pull request. With the policy's `approvers` owning `exceptions/` and `nhi.yaml` in CODEOWNERS (and branch protection requiring code owners' review), GitHub itself asks an approver to review every exception and every policy change. Checked in the CODEOWNERS GitHub reads (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS` at the top of the repository): the last line whose pattern is exactly the folder (`/exceptions/` or `/exceptions/**`) or the file must name every approver's GitHub handle. An approver without a `github` handle cannot be required and is reported too.",
        "Run `nhi codeowners --write` (it adds the approvers' lines to the generated block), and give every approver Team or Person a `github` handle.";
    NotRead = "not-read", Warning, [], ["ID.AM-01"], false,
        "A YAML file the change touched under the registry is not read at all (`--changed-from`, `nhi diff`)",
        "Reported only when a change is compared (`nhi check --changed-from REV`, `nhi diff --base REV`): a YAML file the change adds or edits under the registry root, outside `nhi.yaml` and the four folders, is never read, so a pull request could add a file that looks like part of the registry but passes the gate unchecked. Hidden folders, `node_modules`, build output and nested registries are not reported; a file holding an nhi document is `misplaced-document` instead.",
        "Move the file under `identities/`, `owners/`, `systems/` or `exceptions/` if it belongs to the registry (and give each document a `kind`); otherwise keep it out of the registry's folder.";
    Undeclared = "undeclared", Error, ["NHI1"], ["ID.AM-01", "DE.CM-03"], false,
        "An identity in an inventory export is not in the registry (`nhi drift`)",
        "A service account, access key or CI secret that exists but is not declared is a shadow identity: nobody owns, rotates, reviews or removes it. Reported by `nhi drift` at the export's line; an error while it has an active credential, a warning otherwise. No exception can waive it: declare the identity instead (`nhi import` drafts it).",
        "Declare it (`nhi import SOURCE FILE -o REGISTRY` drafts the document), or delete it from the system that issued it.";
    Stale = "stale", Warning, ["NHI1"], ["ID.AM-01", "ID.AM-08"], true,
        "An active registry identity is absent from an export that covers it (`nhi drift`)",
        "The registry says the identity is active, but the account, project, namespace or repository it belongs to no longer has it: it was removed without the registry knowing, or its `external_id` is wrong. Only identities whose `external_id` the export speaks for are compared.",
        "Set `status: decommissioned` with `decommissioned_on` and `credential.revoked_on`, or correct `external_id`.";
    Drift = "drift", Error, ["NHI1", "NHI7"], ["ID.AM-01", "PR.AA-01", "DE.CM-03"], true,
        "An export disagrees with a fact the registry states (`nhi drift`)",
        "The registry is only as good as its facts. An error when the export shows a retired identity still usable or used after its retirement, a long-lived credential the registry calls short-lived or federated, or a key older than the rotation the registry claims; a warning for two active keys or an active identity with no usable credential; a notice when the registry merely lags (a later rotation or use to record).",
        "Fix the system (revoke, deactivate, rotate) or the registry field the finding names, whichever is wrong.";
    UnexpectedSubject = "unexpected-subject", Error, ["NHI6", "NHI5"], ["DE.CM-03", "PR.AA-05"], false,
        "A credential was issued to a subject outside the identity's declared patterns (`nhi trace`)",
        "The registry's `federation.subjects` say who may obtain the identity's credential. An issuance log (CloudTrail `AssumeRoleWithWebIdentity` and `AssumeRole` events) showing a credential issued to any other subject means the cloud's trust policy admits more than the registry declares, and someone used it: a workflow of another repository or branch, or another principal. No exception can waive it: either the registry or the trust policy is wrong.",
        "Find who obtained it (the subject and the log line are in the message). If that workload should have the credential, add its exact subject to `federation.subjects`; otherwise tighten the role's trust policy to the declared subjects (`StringEquals` on `…:sub`) and review what the session did.";
    SecretInCode = "secret-in-code", Error, ["NHI2"], ["PR.DS-01", "DE.CM-03"], false,
        "A secret scanner or the provider found a credential in code (`nhi drift`)",
        "A secret in a repository, even in an old commit, is readable by everyone who can clone it and stays in history: it must be treated as leaked. Reported by `nhi drift` from gitleaks and trufflehog reports (at the file, line and commit the scanner gives) and from GCP keys Google found exposed, naming the registry identity when the report's identifiers match its `external_id`. The secret value itself is never shown. No exception can waive it.",
        "Revoke and rotate the credential now (`nhi leak ID` prints the runbook), then remove it from the code; removing it from history does not un-leak it.";
    IssuanceFailed = "issuance-failed", Notice, ["NHI6"], ["DE.CM-03"], false,
        "An issuance log shows denied attempts to obtain a role's credential (`nhi trace`)",
        "A denied `AssumeRoleWithWebIdentity` or `AssumeRole` is either a workflow whose subject no longer matches the trust policy (a renamed branch, a new environment) or someone probing the role. One notice per role, subject and error code, at the first attempt's line, with the number of attempts.",
        "If the workload is legitimate, fix its subject or the trust policy (and declare the subject in `federation.subjects`); otherwise find who made the attempts.";
}

/// The rules only `nhi drift` reports: `nhi check` never expects exceptions for them to be used.
pub const DRIFT_RULES: [RuleId; 4] = [
    RuleId::Undeclared,
    RuleId::Stale,
    RuleId::Drift,
    RuleId::SecretInCode,
];

impl RuleId {
    /// The rule id written `id`, if there is one (for ids users write: exceptions, policy, `nhi explain`).
    pub fn parse(id: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|r| r.as_str() == id)
    }

    /// The catalogue entry of this rule.
    pub fn rule(self) -> &'static Rule {
        &RULES[self.index()]
    }

    /// This rule's position in the catalogue (a SARIF `ruleIndex`).
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Ordered as the ids are spelt, as outputs sort them.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        RuleId::parse(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{id}`")))
    }
}

/// The rule written `id`, if there is one.
pub fn get(id: &str) -> Option<&'static Rule> {
    RuleId::parse(id).map(RuleId::rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_its_entry_and_spelt_once() {
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(RULES[i].id, *id);
            assert_eq!(RuleId::parse(id.as_str()), Some(*id));
        }
        let mut spelt: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        spelt.sort_unstable();
        spelt.dedup();
        assert_eq!(spelt.len(), RULES.len());
        assert_eq!(RuleId::parse("owner-mising"), None);
    }
}

//! What to do when a credential of one kind leaks: one table, one row per kind of credential and system.
//!
//! A row says which identities it fits (by type, credential kind, and the platform of the system of
//! record) and, as text, what to disable first, what to create, what to delete once consumers run on the
//! new credential, and which logs to pull. The runbook ([`super::runbook`]) puts rows and the registry's
//! facts together; no other code knows about any platform. Placeholders in the text: `{id}`,
//! `{external_id}`, `{system}` (the system of record), `{stores}`, `{last}` (the last rotation).

use crate::model::{CredentialKind, IdentityType, SystemType};

/// How the rotation is recorded once the old credential is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// `nhi rotated ID`
    Rotated,
    /// `nhi rotated ID --expires DAY`: the new credential has its own expiry.
    RotatedWithExpiry,
    /// Nothing to rotate (short-lived or federated): the review records the incident.
    ReviewOnly,
}

/// Which identities a playbook fits. Every given condition must hold; an empty list holds for anything.
#[derive(Debug)]
pub struct Fits {
    pub types: &'static [IdentityType],
    pub credentials: &'static [CredentialKind],
    /// The system of record's `vendor`, or a prefix or suffix of `external_id`.
    pub platforms: &'static [&'static str],
    /// The system of record's type.
    pub systems: &'static [SystemType],
}

/// One row of the table.
#[derive(Debug)]
pub struct Playbook {
    pub key: &'static str,
    pub title: &'static str,
    pub fits: Fits,
    pub disable: &'static str,
    /// `None`: nothing to create (no long-lived secret).
    pub create: Option<&'static str>,
    /// Deleting what is left of the old credential once every consumer runs on the new one.
    pub retire: Option<&'static str>,
    pub logs: &'static str,
    pub record: Record,
}

use CredentialKind as C;
use IdentityType as T;

const ANY: Fits = Fits {
    types: &[],
    credentials: &[],
    platforms: &[],
    systems: &[],
};

/// The table, most specific first: the first row that fits is used; the last fits everything.
pub const PLAYBOOKS: &[Playbook] = &[
    Playbook {
        key: "federated",
        title: "Short-lived or federated credential",
        fits: Fits { credentials: &[C::ShortLived, C::Federated], ..ANY },
        disable: "Revoke the sessions already issued: on AWS, \"Revoke active sessions\" on the role (a deny on `aws:TokenIssueTime` older than now); on GCP, disable the service account for a moment; elsewhere, the issuer's session revocation. Then find what leaked: a token (it expires on its own) or the trust itself (a subject pattern anyone can match).",
        create: None,
        retire: None,
        logs: "The issuer's log of tokens issued for the identity ({external_id}; CloudTrail `AssumeRoleWithWebIdentity`, GCP `GenerateAccessToken`; `nhi trace` compares them with the declared subjects) and {system}'s audit log of what those sessions did. Narrow `federation.subjects` if a subject outside them obtained a token.",
        record: Record::ReviewOnly,
    },
    Playbook {
        key: "tls-certificate",
        title: "TLS certificate and private key",
        fits: Fits { types: &[T::Certificate], ..ANY },
        disable: "Revoke the certificate with the CA that issued it, reason keyCompromise (ACME: `certbot revoke --cert-path CERT --reason keycompromise`; a private CA: revoke it so the CRL and OCSP say so): the private key is public, so nobody should trust the certificate any longer.",
        create: Some("Generate a new private key (never reuse the leaked one) and a CSR, have it signed, and put key and chain in {stores}."),
        retire: Some("Delete the old key and certificate from every host and from {stores}; check that no endpoint still serves the old serial number."),
        logs: "Certificate Transparency (crt.sh) for certificates issued for the same names that you did not request, and the TLS endpoints' access logs since {last}.",
        record: Record::RotatedWithExpiry,
    },
    Playbook {
        key: "ssh-key",
        title: "SSH key",
        fits: Fits { types: &[T::SshKey], ..ANY },
        disable: "Remove the public key from every `authorized_keys` it is in (the hosts of {system} and every system it reaches), or add it to the server's `RevokedKeys` list (`ssh-keygen -k -f revoked_keys KEY.pub`) and reload sshd; for a deploy key, delete it from the repository's settings.",
        create: Some("Generate a new key pair for this purpose alone (`ssh-keygen -t ed25519 -C {id}`), install the public key where the old one was, and put the private key in {stores}."),
        retire: Some("Delete the old private key from {stores} and from every consumer's disk; `ssh-keygen -lf KEY.pub` gives the fingerprint to search for."),
        logs: "sshd authentication logs on each host (`journalctl -u ssh` or `/var/log/auth.log`: `Accepted publickey … SHA256:FINGERPRINT`) since {last}; the partner's transfer logs when a vendor runs the server.",
        record: Record::Rotated,
    },
    Playbook {
        key: "aws-access-key",
        title: "AWS IAM access key",
        fits: Fits { platforms: &["aws", "arn:aws:"], systems: &[SystemType::CloudAccount], ..ANY },
        disable: "Deactivate the access key now: `aws iam update-access-key --user-name USER --access-key-id KEY_ID --status Inactive` (the user is {external_id}). Deactivation can be undone while consumers are found; add a deny on `aws:TokenIssueTime` for session credentials the key may have minted.",
        create: Some("`aws iam create-access-key --user-name USER` and write the new key straight to {stores}, never to a ticket or chat. Better still: a role with short-lived credentials instead of a user key."),
        retire: Some("Delete the old key: `aws iam delete-access-key --user-name USER --access-key-id OLD_KEY_ID`."),
        logs: "CloudTrail: `aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=KEY_ID` (90 days; CloudTrail Lake or Athena beyond), and GuardDuty findings for the key. Look for calls the consumers never make: `CreateUser`, `CreateAccessKey`, `AttachUserPolicy`, `AssumeRole`, `GetSecretValue`.",
        record: Record::Rotated,
    },
    Playbook {
        key: "gcp-service-account-key",
        title: "Google Cloud service-account key",
        fits: Fits { platforms: &["google", "gcp", ".iam.gserviceaccount.com"], systems: &[SystemType::CloudAccount], ..ANY },
        disable: "Disable the key now: `gcloud iam service-accounts keys disable KEY_ID --iam-account={external_id}` (`gcloud iam service-accounts keys list` shows the key ids).",
        create: Some("`gcloud iam service-accounts keys create key.json --iam-account={external_id}`, write it to {stores} and delete the local file. Better still: workload identity federation, with no key at all."),
        retire: Some("Delete the old key: `gcloud iam service-accounts keys delete KEY_ID --iam-account={external_id}`."),
        logs: "Cloud Audit Logs for the key: `gcloud logging read 'protoPayload.authenticationInfo.serviceAccountKeyName:\"KEY_ID\"'` (Admin Activity, and Data Access where enabled), since {last}.",
        record: Record::Rotated,
    },
    Playbook {
        key: "kubernetes-token",
        title: "Kubernetes service-account token",
        fits: Fits { systems: &[SystemType::Cluster], ..ANY },
        disable: "Invalidate the token: delete its Secret for a long-lived token (`kubectl delete secret TOKEN_SECRET -n NAMESPACE`); for bound tokens, delete and recreate the ServiceAccount ({external_id}): every token bound to the old one stops working.",
        create: Some("Recreate the ServiceAccount from its manifest and let the pods receive projected, short-lived tokens; where a token must leave the cluster, `kubectl create token NAME -n NAMESPACE --duration=1h` and keep it in {stores}."),
        retire: Some("Restart the workloads that mounted the old token, and remove copies of it outside the cluster."),
        logs: "The API server's audit log for `user.username` = `system:serviceaccount:NAMESPACE:NAME` (EKS: CloudWatch `/aws/eks/CLUSTER/cluster`, streams `kube-apiserver-audit-*`; GKE: Cloud Logging `k8s.io`); look for reads of Secrets, `pods/exec` and new RoleBindings.",
        record: Record::Rotated,
    },
    Playbook {
        key: "github-app-key",
        title: "GitHub App private key",
        fits: Fits { types: &[T::OauthApp, T::Bot], platforms: &["github"], ..ANY },
        disable: "Suspend the installation so installation tokens already minted with the key stop working (`PUT /app/installations/INSTALLATION_ID/suspended`), and delete the leaked private key in the App's settings (Developer settings → GitHub Apps → Private keys).",
        create: Some("Generate a new private key on the same page, put the PEM in {stores}, then unsuspend the installation (`DELETE /app/installations/INSTALLATION_ID/suspended`)."),
        retire: None,
        logs: "The organisation's audit log for the App's installation and its bot user's actions (`gh api /orgs/ORG/audit-log -f phrase='actor:APP[bot]'`), and the App's webhook deliveries since {last}.",
        record: Record::Rotated,
    },
    Playbook {
        key: "github-token",
        title: "GitHub token",
        fits: Fits { platforms: &["github"], ..ANY },
        disable: "Revoke the token: a personal access token from its owner's Developer settings, or from the organisation's Personal access tokens page; an Actions secret: delete it; a token exposed in public can also be revoked through GitHub's credential revocation API.",
        create: Some("Create a fine-grained token limited to the repositories and permissions its access entries need, with an expiry, and put it in {stores}."),
        retire: None,
        logs: "The organisation's audit log for the token (`gh api /orgs/ORG/audit-log -f phrase='hashed_token:\"SHA256_BASE64\"'`), clone and push events of the repositories it reaches, and the runs of workflows that used it, since {last}.",
        record: Record::Rotated,
    },
    Playbook {
        key: "saas-api-key",
        title: "SaaS API key",
        fits: Fits { systems: &[SystemType::Saas], ..ANY },
        disable: "Revoke the key in {system}'s admin console or API ({external_id}); when the provider offers to roll it with a grace period, take no grace period: the leaked key must stop now.",
        create: Some("Create a new key with the narrowest scope its access entries need, and put it in {stores}."),
        retire: Some("Delete the old key in {system} if revoking left it listed, and remove it from every consumer's configuration."),
        logs: "{system}'s audit or API request log for calls made with the key (by key id or its last characters) since {last}; ask the provider's security contact when the log is not available to you.",
        record: Record::Rotated,
    },
    Playbook {
        key: "generic",
        title: "Credential",
        fits: ANY,
        disable: "Revoke or disable the credential in {system}, the system that issued it ({external_id}), before anything else, even if consumers break: a leaked secret is often tried within minutes.",
        create: Some("Issue a new credential with the same or narrower access, and put it in {stores}."),
        retire: Some("Delete the old credential in {system} and every copy of it outside {stores}."),
        logs: "{system}'s access and audit logs for the credential since {last}.",
        record: Record::Rotated,
    },
];

/// A playbook text with its placeholders named rather than filled, for a page that every identity's
/// runbook links to (each identity shows its own values beside the link).
pub fn unfilled(text: &str) -> String {
    text.replace("{id}", "ID")
        .replace("{external_id}", "the external id")
        .replace("{system}", "the system of record")
        .replace("{stores}", "the stores")
        .replace("{last}", "the last rotation")
}

/// What a playbook is chosen by.
pub struct Facts<'a> {
    pub kind: Option<IdentityType>,
    pub credential: Option<CredentialKind>,
    pub vendor: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub system: Option<SystemType>,
}

impl Fits {
    fn holds(&self, f: &Facts<'_>) -> bool {
        let platform = self.platforms.is_empty()
            || self.platforms.iter().any(|p| {
                f.vendor.is_some_and(|v| v.eq_ignore_ascii_case(p))
                    || f.external_id
                        .is_some_and(|e| e.starts_with(p) || (p.starts_with('.') && e.ends_with(p)))
            });
        any(self.types, &f.kind)
            && any(self.credentials, &f.credential)
            && any(self.systems, &f.system)
            && platform
    }
}

/// Whether `list` is empty or holds `value`.
fn any<T: PartialEq + Copy>(list: &[T], value: &Option<T>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.contains(&v))
}

/// The first playbook that fits.
pub fn choose(facts: &Facts<'_>) -> &'static Playbook {
    PLAYBOOKS
        .iter()
        .find(|p| p.fits.holds(facts))
        .unwrap_or(&PLAYBOOKS[PLAYBOOKS.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: IdentityType, vendor: &str, system: SystemType) -> Facts<'static> {
        Facts {
            kind: Some(kind),
            credential: Some(CredentialKind::Static),
            vendor: Some(Box::leak(vendor.to_string().into_boxed_str())),
            external_id: None,
            system: Some(system),
        }
    }

    #[test]
    fn each_kind_of_credential_finds_its_row() {
        let cases = [
            (
                facts(T::ApiKey, "aws", SystemType::CloudAccount),
                "aws-access-key",
            ),
            (
                facts(T::ServiceAccount, "google", SystemType::CloudAccount),
                "gcp-service-account-key",
            ),
            (
                facts(T::Token, "github", SystemType::Repository),
                "github-token",
            ),
            (
                facts(T::OauthApp, "github", SystemType::Repository),
                "github-app-key",
            ),
            (
                facts(T::ServiceAccount, "aws", SystemType::Cluster),
                "kubernetes-token",
            ),
            (facts(T::SshKey, "bluewater", SystemType::Other), "ssh-key"),
            (
                facts(T::Certificate, "lets-encrypt", SystemType::Service),
                "tls-certificate",
            ),
            (facts(T::ApiKey, "stripe", SystemType::Saas), "saas-api-key"),
            (facts(T::Token, "acme", SystemType::Database), "generic"),
        ];
        for (f, want) in cases {
            assert_eq!(choose(&f).key, want);
        }
    }

    #[test]
    fn external_ids_name_the_platform_when_no_vendor_does() {
        let f = Facts {
            kind: Some(T::ServiceAccount),
            credential: Some(CredentialKind::Static),
            vendor: None,
            external_id: Some("loader@proj.iam.gserviceaccount.com"),
            system: Some(SystemType::CloudAccount),
        };
        assert_eq!(choose(&f).key, "gcp-service-account-key");
        let federated = Facts {
            credential: Some(CredentialKind::Federated),
            ..f
        };
        assert_eq!(choose(&federated).key, "federated");
    }

    #[test]
    fn the_last_row_fits_everything_and_every_row_says_what_to_do() {
        let last = &PLAYBOOKS[PLAYBOOKS.len() - 1];
        let nothing = Facts {
            kind: None,
            credential: None,
            vendor: None,
            external_id: None,
            system: None,
        };
        assert!(last.fits.holds(&nothing));
        for p in PLAYBOOKS {
            assert!(!p.disable.is_empty() && !p.logs.is_empty(), "{}", p.key);
        }
    }
}

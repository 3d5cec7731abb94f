//! `secret-in-registry`: recognise secret values in any string of the registry, without ever repeating them.
//!
//! Known formats (cloud keys, platform tokens, JWTs, private keys, URLs with passwords) by pattern; anything
//! else by length and Shannon entropy of its word-like tokens, tuned so that ids, ARNs, e-mail addresses and
//! prose do not trip it.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

const PATTERNS: &[(&str, &str)] = &[
    (
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        "an AWS access key id",
    ),
    (r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", "a GitHub token"),
    (
        r"\bgithub_pat_[A-Za-z0-9_]{22,}",
        "a GitHub fine-grained token",
    ),
    (r"\bglpat-[A-Za-z0-9_-]{20,}", "a GitLab token"),
    (
        r"\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-[A-Za-z0-9-]{10,}",
        "a Slack token",
    ),
    (
        r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{12,}",
        "a Slack webhook URL",
    ),
    (
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
        "a Stripe secret key",
    ),
    (r"\bwhsec_[A-Za-z0-9]{20,}", "a webhook signing secret"),
    (r"\bAIza[0-9A-Za-z_-]{35}\b", "a Google API key"),
    (
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        "a JSON Web Token",
    ),
    (
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        "a private key",
    ),
    (
        r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
        "a SendGrid API key",
    ),
    (r"\bnpm_[A-Za-z0-9]{36}\b", "an npm token"),
    (r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}", "a PyPI token"),
    (
        r"(?i)\bAccountKey=[A-Za-z0-9+/=]{40,}",
        "an Azure storage account key",
    ),
    (
        r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@]*:([^\s/@$*{<]{3,})@",
        "a URL with a password",
    ),
    (
        r#"(?i)(?:^|[;\s,"'])(?:password|passwd|pwd)\s*=\s*[^;\s'"$*{<]{6,}"#,
        "a connection string with a password",
    ),
    (r"\bSK[0-9a-f]{32}\b", "a Twilio API key"),
    (
        r"\bsk-(?:proj-|ant-api\d\d-|svcacct-)?[A-Za-z0-9_-]{32,}",
        "an AI platform API key",
    ),
    (r"\bHRKU-[A-Za-z0-9_-]{20,}", "a Heroku API key"),
];

fn set() -> &'static RegexSet {
    static CELL: OnceLock<RegexSet> = OnceLock::new();
    CELL.get_or_init(|| {
        RegexSet::new(PATTERNS.iter().map(|(p, _)| p)).expect("secret patterns compile")
    })
}

fn not_secret() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    CELL.get_or_init(|| {
        Regex::new(concat!(
            r"(?i)\bsha(?:1|224|256|384|512):[A-Za-z0-9+/=]+",
            r"|\b(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+AAAA[A-Za-z0-9+/]+=*",
        ))
        .expect("public-value pattern compiles")
    })
}

/// What kind of secret `text` looks like, if any. The value itself is never returned.
pub fn detect(text: &str) -> Option<&'static str> {
    if text.len() < 16 {
        return None;
    }
    if let Some(i) = set().matches(text).iter().next() {
        return Some(PATTERNS[i].1);
    }
    // Digests and public keys are random by design and public by nature: not counted as secrets.
    let text = not_secret().replace_all(text, " ");
    if text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_')))
        .any(high_entropy)
    {
        return Some("a high-entropy secret");
    }
    None
}

/// A word-like token long and random enough to be a key: hex of 32+ characters, or mixed-case
/// alphanumerics with digits of 24+ characters and high entropy.
fn high_entropy(token: &str) -> bool {
    let token = token.trim_matches('/');
    let len = token.len();
    if len < 24 {
        return false;
    }
    let (mut upper, mut lower, mut digit) = (0usize, 0usize, 0usize);
    for b in token.bytes() {
        match b {
            b'A'..=b'Z' => upper += 1,
            b'a'..=b'z' => lower += 1,
            b'0'..=b'9' => digit += 1,
            _ => {}
        }
    }
    let hex = token.bytes().all(|b| b.is_ascii_hexdigit()) && digit > 0 && (upper + lower) > 0;
    if hex {
        return len >= 32 && entropy(token) >= 3.0;
    }
    let mixed = upper > 0 && lower > 0 && digit > 0;
    mixed && digit * 10 >= len && entropy(token) >= if len >= 32 { 4.2 } else { 4.0 }
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| f64::from(c) / n)
        .map(|p| -p * p.log2())
        .sum()
}

/// The finding's message: what it looks like, where, and how to fix it; never the value.
pub fn message(field: &str, what: &str) -> String {
    format!(
        "`{field}` holds what looks like {what}; the registry keeps metadata, never secret values. Remove it, keep the secret in a secret store, and rotate it: it is now in git history"
    )
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn known_formats_are_found() {
        let fakes = [
            "AKIAQ4RZ7LMN2XWT5PKD",
            "ghp_R4nd0mL00k1ngT0kenV4lue0123456789abc",
            "xoxb-2048203-4920220-Zq8mRk2LpWnX",
            "sk_live_51HxQr2eZvKYlo2CAbcDef123",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "postgres://app:Sup3rS3cret@db.internal:5432/orders",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlLXZhbHVl",
            "glpat-9xQmZ2pL7vR4tY8wK3nB",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzx9Qe4Kt7m",
            "3f8a9c2d7e1b4a6f9c0d2e8b7a1f3c5d",
        ];
        for fake in fakes {
            assert!(
                detect(fake).is_some(),
                "missed a fake secret of length {}",
                fake.len()
            );
        }
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        let ordinary = [
            "payments-stripe-key",
            "stripe:acct_1Hx9Qr2eZvKYlo2C",
            "arn:aws:iam::123456789012:user/ci-deployer",
            "etl-loader@northwind-data.iam.gserviceaccount.com",
            "spiffe://example.org/ns/payments/sa/checkout",
            "Charges cards at checkout and refunds disputed orders",
            "https://wiki.example.com/payments/stripe-key-rotation-runbook",
            "postgres://db.internal:5432/orders",
            "https://user:${PASSWORD}@host/x",
            "ServiceAccountForPaymentsBackendProduction",
            "projects/northwind-data/serviceAccounts/etl-loader",
        ];
        for value in ordinary {
            assert_eq!(detect(value), None, "{value}");
        }
    }
}

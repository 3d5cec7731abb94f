//! Subject patterns with AWS `StringLike` semantics, and when a pattern is too broad (SPEC section 14).
//!
//! `*` matches any run of characters (including `:` and `/`), `?` exactly one; everything else matches
//! itself, case-sensitively. The match is linear in practice: one backtrack point, as in glob matchers.

/// Whether `subject` matches `pattern` under `StringLike`.
pub fn matches(pattern: &str, subject: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = subject.chars().collect();
    let (mut pi, mut si) = (0, 0);
    // The last `*` seen and the subject position it currently stands for.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si])) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether every subject `specific` matches is also matched by `general` (both `StringLike` patterns): a
/// `*` in `specific` must be absorbed by a `*` in `general`, a `?` by a `?` or a `*`.
pub fn covers(general: &str, specific: &str) -> bool {
    let g: Vec<char> = general.chars().collect();
    let s: Vec<char> = specific.chars().collect();
    // row[j]: general[..i] covers specific[..j].
    let mut row = vec![false; s.len() + 1];
    row[0] = true;
    for &gc in &g {
        let mut next = vec![false; s.len() + 1];
        if gc == '*' {
            // A star covers any run of the specific pattern, stars included.
            let mut any = false;
            for j in 0..=s.len() {
                any |= row[j];
                next[j] = any;
            }
        } else {
            for j in 1..=s.len() {
                let sc = s[j - 1];
                let one = match gc {
                    '?' => sc != '*',
                    c => c == sc && sc != '*' && sc != '?',
                };
                next[j] = row[j - 1] && one;
            }
        }
        row = next;
    }
    row[s.len()]
}

/// Whether `text` holds a wildcard.
pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// What kind of issuer signs the subjects: the breadth rule depends on its subject format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerKind {
    /// GitHub Actions (`token.actions.githubusercontent.com`, also with an enterprise slug).
    GitHub,
    /// A Kubernetes service-account issuer (EKS `oidc.eks.…`, or `k8s`).
    Kubernetes,
    Other,
}

/// The kind of an issuer as a registry or a trust policy writes it: a URL, a bare host, or a provider ARN
/// (`arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com`).
pub fn issuer_kind(issuer: &str) -> IssuerKind {
    let host = issuer_host(issuer);
    if host == "token.actions.githubusercontent.com" {
        IssuerKind::GitHub
    } else if host == "k8s" || host == "kubernetes" || host.starts_with("oidc.eks.") {
        IssuerKind::Kubernetes
    } else {
        IssuerKind::Other
    }
}

/// The issuer's host in lower case, whatever the spelling: `https://HOST/path`, `HOST/path`, or an IAM
/// OIDC provider ARN whose resource is `oidc-provider/HOST/path`.
pub fn issuer_host(issuer: &str) -> String {
    let key = issuer_key(issuer);
    key.split('/').next().unwrap_or("").to_string()
}

/// The issuer as a comparable key: host and path in lower case, without scheme, ARN prefix or trailing `/`.
pub fn issuer_key(issuer: &str) -> String {
    let text = issuer.trim();
    let text = match text.split_once(":oidc-provider/") {
        Some((arn, rest)) if arn.starts_with("arn:") => rest,
        _ => text,
    };
    let text = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    text.trim_end_matches('/').to_ascii_lowercase()
}

/// Why `pattern`, for an issuer of `kind`, admits more than one workload; `None` when it is scoped.
///
/// Any issuer: a pattern of nothing but wildcards admits every subject. GitHub: the `repo:OWNER/NAME` part
/// must be there and hold no wildcard. Kubernetes: `system:serviceaccount:NAMESPACE:NAME` likewise.
pub fn too_broad(kind: IssuerKind, pattern: &str) -> Option<String> {
    if pattern.chars().all(|c| c == '*' || c == '?') {
        return Some(format!("`{pattern}` admits any subject the issuer signs"));
    }
    match kind {
        IssuerKind::GitHub => github(pattern),
        IssuerKind::Kubernetes => kubernetes(pattern),
        IssuerKind::Other => None,
    }
}

fn github(pattern: &str) -> Option<String> {
    let Some(rest) = pattern.strip_prefix("repo:") else {
        return Some(format!(
            "`{pattern}` does not start with `repo:OWNER/NAME`: it can admit workflows of any repository"
        ));
    };
    let repo = rest.split(':').next().unwrap_or("");
    if has_wildcard(repo) {
        let owner = repo.split('/').next().unwrap_or("");
        let what = if has_wildcard(owner) || !repo.contains('/') {
            "every repository of every owner".to_string()
        } else {
            format!("every repository of `{owner}`")
        };
        return Some(format!("`{pattern}` admits {what}"));
    }
    if !repo.contains('/') || repo.ends_with('/') || repo.starts_with('/') {
        return Some(format!(
            "`{pattern}` names no repository as `repo:OWNER/NAME`"
        ));
    }
    None
}

fn kubernetes(pattern: &str) -> Option<String> {
    let Some(rest) = pattern.strip_prefix("system:serviceaccount:") else {
        return Some(format!(
            "`{pattern}` does not start with `system:serviceaccount:NAMESPACE:NAME`"
        ));
    };
    let mut parts = rest.splitn(2, ':');
    let namespace = parts.next().unwrap_or("");
    let name = parts.next();
    match name {
        _ if namespace.is_empty() || has_wildcard(namespace) => Some(format!(
            "`{pattern}` admits service accounts of every namespace"
        )),
        Some(name) if !name.is_empty() && !has_wildcard(name) => None,
        _ => Some(format!(
            "`{pattern}` admits every service account of namespace `{namespace}`"
        )),
    }
}

/// A scoped example for the fix, in the issuer's own subject format.
pub fn scoped_example(kind: IssuerKind) -> &'static str {
    match kind {
        IssuerKind::GitHub => "repo:OWNER/NAME:environment:prod",
        IssuerKind::Kubernetes => "system:serviceaccount:NAMESPACE:NAME",
        IssuerKind::Other => "the exact subject of the one workload",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_like_wildcards_cross_colons_and_slashes() {
        assert!(matches(
            "repo:northwind/deploy:*",
            "repo:northwind/deploy:ref:refs/heads/main"
        ));
        assert!(matches(
            "repo:northwind/*",
            "repo:northwind/a:environment:prod"
        ));
        assert!(matches("*", ""));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(!matches("a?c", "abbc"));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b*c", "aXbYbZ"));
        assert!(!matches(
            "repo:northwind/deploy:*",
            "repo:northwind/deploy2:x"
        ));
        assert!(matches("repo:x/y", "repo:x/y"));
        assert!(!matches("Repo:x/y", "repo:x/y"), "case matters");
        assert!(matches("**?", "z"));
        assert!(!matches("", "z"));
        assert!(matches("é?", "éü"), "one character, not one byte");
    }

    #[test]
    fn containment_of_patterns() {
        assert!(covers("repo:a/b:*", "repo:a/b:environment:*"));
        assert!(covers("repo:a/b:*", "repo:a/b:pull_request"));
        assert!(covers("repo:a/*", "repo:a/b:*"));
        assert!(covers("x", "x"));
        assert!(
            !covers("repo:a/b:env?", "repo:a/b:env*"),
            "? is one character, * any run"
        );
        assert!(covers("repo:a/b:env*", "repo:a/b:env?"));
        assert!(!covers("repo:a/b:environment:prod", "repo:a/b:*"));
        assert!(!covers("repo:a/b:*", "repo:a/c:*"));
        assert!(covers("*", "anything*at?all"));
    }

    #[test]
    fn many_stars_stay_fast() {
        let pattern = "*a".repeat(50);
        let subject = "a".repeat(10_000) + "b";
        assert!(!matches(&pattern, &subject));
    }

    #[test]
    fn github_breadth_follows_the_specification() {
        let broad = |p: &str| too_broad(IssuerKind::GitHub, p).is_some();
        assert!(!broad("repo:northwind/deploy:environment:prod"));
        assert!(!broad("repo:northwind/deploy:*"));
        assert!(!broad("repo:northwind/deploy"));
        assert!(broad("repo:northwind/*"));
        assert!(broad("repo:northwind/*:*"));
        assert!(broad("repo:northwind/deploy*:*"), "deploy-evil would match");
        assert!(broad("repo:*"));
        assert!(broad("*"));
        assert!(broad("repo:*/deploy:*"));
        assert!(broad("*repo:northwind/deploy:*"));
        assert!(broad("environment:prod"));
        assert!(broad("repo:northwind:*"));
        assert!(too_broad(IssuerKind::GitHub, "repo:northwind/*")
            .unwrap()
            .contains("every repository of `northwind`"));
    }

    #[test]
    fn kubernetes_and_other_issuers() {
        let k = |p: &str| too_broad(IssuerKind::Kubernetes, p).is_some();
        assert!(!k("system:serviceaccount:payments:checkout"));
        assert!(k("system:serviceaccount:payments:*"));
        assert!(k("system:serviceaccount:*"));
        assert!(k("*"));
        assert!(too_broad(IssuerKind::Other, "user-*").is_none());
        assert!(too_broad(IssuerKind::Other, "*").is_some());
    }

    #[test]
    fn issuers_are_recognised_in_every_spelling() {
        for issuer in [
            "https://token.actions.githubusercontent.com",
            "token.actions.githubusercontent.com",
            "https://token.actions.githubusercontent.com/northwind",
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        ] {
            assert_eq!(issuer_kind(issuer), IssuerKind::GitHub, "{issuer}");
        }
        assert_eq!(
            issuer_kind("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"),
            IssuerKind::Kubernetes
        );
        assert_eq!(issuer_kind("accounts.google.com"), IssuerKind::Other);
        assert_eq!(
            issuer_key("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"),
            issuer_key("https://token.actions.githubusercontent.com/")
        );
    }
}

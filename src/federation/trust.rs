//! IAM role trust policies (`AssumeRolePolicyDocument`): which identity providers a role trusts, and for
//! which subjects and audiences.
//!
//! The document comes as a JSON object (the AWS CLI decodes it) or as the URL-encoded JSON string the IAM
//! API returns. A statement grants federation when it allows a `Federated` principal; its `…:sub`
//! conditions (`StringEquals`, `StringLike`, their `IgnoreCase`/`IfExists` forms, `ForAnyValue:`, a string
//! or a list) are the subjects admitted, `…:aud` the audiences. `Service` and `AWS` principals are not
//! federation and are only listed.

use serde_json::Value;

/// What one provider is trusted for, merged over the statements that allow it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    /// The `Federated` principal as written (an OIDC provider ARN, or a host such as `accounts.google.com`).
    pub provider: String,
    /// Subject patterns, `StringLike` semantics (a `StringEquals` value is kept as written).
    pub subjects: Vec<String>,
    pub audiences: Vec<String>,
    /// Some statement allows the provider with no positive `sub` condition: any subject it signs.
    pub unconditioned: bool,
}

/// A role's trust policy, reduced to what the registry compares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    pub grants: Vec<Grant>,
    /// `Service` principals (`ec2.amazonaws.com`): not federation.
    pub services: Vec<String>,
    /// `AWS` principals (accounts, users, roles).
    pub accounts: Vec<String>,
}

/// Parses a trust policy given as an object or as a URL-encoded JSON string.
pub fn parse(document: &Value) -> Result<Trust, String> {
    match document {
        Value::String(text) => {
            let decoded = percent_decode(text)?;
            let value: Value = serde_json::from_str(&decoded)
                .map_err(|e| format!("the URL-decoded trust policy is not JSON: {e}"))?;
            parse_object(&value)
        }
        Value::Object(_) => parse_object(document),
        Value::Null => Ok(Trust::default()),
        _ => Err("`AssumeRolePolicyDocument` is neither a JSON object nor a string".into()),
    }
}

fn parse_object(document: &Value) -> Result<Trust, String> {
    let statements = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        None => Vec::new(),
        Some(_) => return Err("the trust policy's `Statement` is not a list".into()),
    };
    let mut trust = Trust::default();
    for statement in statements {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let principal = statement.get("Principal");
        trust
            .services
            .extend(strings(principal.and_then(|p| p.get("Service"))));
        trust
            .accounts
            .extend(strings(principal.and_then(|p| p.get("AWS"))));
        for provider in strings(principal.and_then(|p| p.get("Federated"))) {
            let grant = find_or_add(&mut trust.grants, &provider);
            conditions(statement.get("Condition"), grant);
        }
    }
    for list in [&mut trust.services, &mut trust.accounts] {
        list.sort();
        list.dedup();
    }
    Ok(trust)
}

fn find_or_add<'a>(grants: &'a mut Vec<Grant>, provider: &str) -> &'a mut Grant {
    let at = grants.iter().position(|g| g.provider == provider);
    let at = at.unwrap_or_else(|| {
        grants.push(Grant {
            provider: provider.to_string(),
            ..Grant::default()
        });
        grants.len() - 1
    });
    &mut grants[at]
}

/// Adds one statement's `sub` and `aud` conditions to `grant`.
fn conditions(condition: Option<&Value>, grant: &mut Grant) {
    let mut subjects = Vec::new();
    if let Some(Value::Object(operators)) = condition {
        for (operator, keys) in operators {
            let Some(positive) = positive_string_operator(operator) else {
                continue;
            };
            let Value::Object(keys) = keys else { continue };
            for (key, values) in keys {
                let key = key.to_ascii_lowercase();
                if positive && (key.ends_with(":sub") || key == "sub") {
                    subjects.extend(strings(Some(values)));
                } else if positive && (key.ends_with(":aud") || key == "aud") {
                    grant.audiences.extend(strings(Some(values)));
                }
            }
        }
    }
    if subjects.is_empty() {
        grant.unconditioned = true;
    }
    grant.subjects.extend(subjects);
    grant.subjects.dedup();
    grant.audiences.sort();
    grant.audiences.dedup();
}

/// `Some(true)` for the operators that admit only listed values (`StringEquals`, `StringLike`, with
/// `IgnoreCase`, `IfExists`, `ForAnyValue:`/`ForAllValues:`); `Some(false)` for other string operators
/// (`StringNotEquals`… admit everything else); `None` for the rest.
fn positive_string_operator(operator: &str) -> Option<bool> {
    let op = operator
        .strip_prefix("ForAnyValue:")
        .or_else(|| operator.strip_prefix("ForAllValues:"))
        .unwrap_or(operator);
    let op = op.strip_suffix("IfExists").unwrap_or(op);
    match op {
        "StringEquals" | "StringLike" | "StringEqualsIgnoreCase" => Some(true),
        _ if op.starts_with("String") => Some(false),
        _ => None,
    }
}

/// A string or a list of strings, as policies write single values and lists alike.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Decodes `%XX` escapes (RFC 3986, as IAM encodes policy documents); `+` stays `+`.
pub fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("a bad `%` escape at character {}", i + 1))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the URL-decoded trust policy is not UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GITHUB: &str =
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

    #[test]
    fn string_like_lists_and_string_equals_merge_per_provider() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                           "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:northwind/deploy:ref:refs/heads/main", "repo:northwind/deploy:environment:*"]}}},
            {"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:northwind/site:environment:prod"}}}
        ]});
        let trust = parse(&doc).unwrap();
        assert_eq!(trust.grants.len(), 1);
        let g = &trust.grants[0];
        assert_eq!(
            g.subjects,
            [
                "repo:northwind/deploy:ref:refs/heads/main",
                "repo:northwind/deploy:environment:*",
                "repo:northwind/site:environment:prod"
            ]
        );
        assert_eq!(g.audiences, ["sts.amazonaws.com"]);
        assert!(!g.unconditioned);
    }

    #[test]
    fn a_statement_without_a_sub_condition_admits_every_subject() {
        let doc = json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": GITHUB},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                          "StringNotEquals": {"token.actions.githubusercontent.com:sub": "repo:x/y:pull_request"}}}});
        let g = &parse(&doc).unwrap().grants[0];
        assert!(g.unconditioned);
        assert!(g.subjects.is_empty());
    }

    #[test]
    fn service_principals_are_not_federation() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        let trust = parse(&doc).unwrap();
        assert!(trust.grants.is_empty());
        assert_eq!(trust.services, ["ec2.amazonaws.com"]);
    }

    #[test]
    fn url_encoded_documents_are_decoded() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22accounts.google.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22accounts.google.com%3Asub%22%3A%22123%2B4%22%7D%7D%7D%5D%7D";
        let trust = parse(&Value::String(encoded.into())).unwrap();
        assert_eq!(trust.grants[0].provider, "accounts.google.com");
        assert_eq!(trust.grants[0].subjects, ["123+4"]);
        assert!(parse(&Value::String("%7B%2".into())).is_err());
        assert!(parse(&Value::String("%7Bnot json".into())).is_err());
    }

    #[test]
    fn deny_statements_grant_nothing() {
        let doc = json!({"Statement": [{"Effect": "Deny", "Principal": {"Federated": GITHUB}, "Action": "*"}]});
        assert!(parse(&doc).unwrap().grants.is_empty());
    }
}

//! Draft registry documents from export records: valid against the Identity schema, with the facts the
//! export knows filled in and a `TODO` wherever a person must decide (owner, purpose, environment, stores).
//!
//! Every value from the export is hostile: strings are written double-quoted with everything that is not
//! plainly printable escaped, comments are single lines without control characters, and anything that looks
//! like a secret value is left out rather than written into the registry.

use std::fmt::Write;

use jiff::civil::Date;

use super::{Record, SourceKind};
use crate::model::{CredentialKind, Environment};
use crate::secrets;

/// The owner a draft gets when `--owner` is not given: a valid id that names nobody, so `nhi check` reports
/// it (`unknown-reference`) until someone decides.
pub const PLACEHOLDER_OWNER: &str = "todo-owner";

/// What every draft of one import shares.
pub struct Draft<'a> {
    pub source: SourceKind,
    pub as_of: Date,
    pub owner: Option<&'a str>,
    pub environment: Option<Environment>,
}

impl Draft<'_> {
    /// The YAML document for `record` under `id` (no leading `---`).
    pub fn render(&self, record: &Record, id: &str) -> String {
        let mut y = String::new();
        let origin = record.at.to_string();
        let _ = writeln!(
            y,
            "# Drafted by `nhi import {}` from {} on {}.",
            self.source.name(),
            comment(&origin),
            self.as_of
        );
        let _ = writeln!(y, "# Decide every TODO, then delete the TODO comments.");
        let _ = writeln!(y, "kind: Identity\nid: {id}");
        if secrets::detect(&record.name).is_none() {
            let _ = writeln!(y, "name: {}", quote(&record.name));
        }
        let guessed = match (self.source, record.credential) {
            (SourceKind::GithubActions, Some(CredentialKind::Federated)) => {
                "  # TODO: confirm (a role assumed through OIDC)"
            }
            (SourceKind::GithubActions, _) => "  # TODO: confirm (guessed from the secret's name)",
            (SourceKind::AwsSecretsManager, _) => "  # TODO: confirm (what the secret holds)",
            _ => "",
        };
        let _ = writeln!(y, "type: {}{guessed}", record.kind);
        let owner = format!("{PLACEHOLDER_OWNER}  # TODO: the accountable Team id");
        field(&mut y, "owner", self.owner, &owner);
        let purpose = record
            .purpose
            .as_deref()
            .filter(|p| secrets::detect(p).is_none())
            .map(|p| format!("{}  # TODO: confirm (the export's description)", quote(p)));
        let todo = "\"TODO: the one business function this identity serves\"";
        field(&mut y, "purpose", purpose, todo);
        let todo = "prod  # TODO: prod, staging, dev, test or shared";
        field(&mut y, "environment", self.environment, todo);
        let _ = writeln!(
            y,
            "# TODO: system_of_record: the System id where it is issued"
        );
        let _ = writeln!(y, "external_id: {}", quote(&record.external_id));
        let _ = writeln!(
            y,
            "status: {}",
            if record.active { "active" } else { "disabled" }
        );
        self.credential(&mut y, record);
        super::aws_roles::draft_federation(&mut y, &record.trust);
        if let Some(day) = record.last_used {
            let _ = writeln!(y, "last_used: {day}");
        }
        let _ = writeln!(y, "# TODO: access, used_by, review");
        if !record.notes.is_empty() {
            let _ = writeln!(y, "# From the export:");
            for note in &record.notes {
                let _ = writeln!(y, "#   {}", comment(note));
            }
        }
        y
    }

    fn credential(&self, y: &mut String, record: &Record) {
        let _ = writeln!(y, "credential:");
        match record.credential {
            Some(kind) => {
                let _ = writeln!(y, "  kind: {kind}");
            }
            None => {
                let _ = writeln!(y, "  kind: short_lived  # TODO: unknown from this export: static if it has long-lived keys (for GCP, import with --keys), else short_lived or federated");
            }
        }
        if let Some(day) = record.created {
            let _ = writeln!(y, "  created: {day}");
        }
        if let Some(day) = record
            .rotated
            .filter(|r| record.created.is_none_or(|c| r > &c))
        {
            let _ = writeln!(y, "  last_rotated: {day}");
        }
        if let Some(day) = record.expires {
            let _ = writeln!(y, "  expires: {day}");
        }
        if record.credential == Some(CredentialKind::Static) {
            let _ = writeln!(
                y,
                "  # TODO: stores: the System ids where the secret value is kept"
            );
        }
    }
}

/// The line `key: value`, or `key: placeholder` (a value with its TODO comment) when there is no value.
fn field(y: &mut String, key: &str, value: Option<impl std::fmt::Display>, placeholder: &str) {
    let _ = match value {
        Some(value) => writeln!(y, "{key}: {value}"),
        None => writeln!(y, "{key}: {placeholder}"),
    };
}

/// A YAML double-quoted scalar: `"` and `\` escaped, and every character that is not plainly printable.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let code = u32::from(c);
                let _ = if code <= 0xFFFF {
                    write!(out, "\\u{code:04X}")
                } else {
                    write!(out, "\\U{code:08X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a one-line YAML comment: control characters become spaces.
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_yaml_would_misread() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            quote("line\nbreak\u{1b}[31m"),
            r#""line\u000Abreak\u001B[31m""#
        );
        assert_eq!(comment("x\n- evil: key"), "x - evil: key");
    }
}

//! The JSON Schema of each kind: embedded, compiled once, and turned into findings users can act on.
//!
//! Messages name the field and what it should be, suggest the closest known key for a typo, and never
//! repeat a long string value (it might be a secret).

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::Validator;
use serde_json::Value;

use crate::hint;
use crate::model::Kind;

/// The schema files, as published in `schema/`.
pub const SCHEMAS: [(Kind, &str); 6] = [
    (
        Kind::Identity,
        include_str!("../../schema/identity.schema.json"),
    ),
    (Kind::Team, include_str!("../../schema/team.schema.json")),
    (
        Kind::Person,
        include_str!("../../schema/person.schema.json"),
    ),
    (
        Kind::System,
        include_str!("../../schema/system.schema.json"),
    ),
    (
        Kind::Exception,
        include_str!("../../schema/exception.schema.json"),
    ),
    (
        Kind::Policy,
        include_str!("../../schema/policy.schema.json"),
    ),
];

/// The text of the schema of `kind`.
pub fn text(kind: Kind) -> &'static str {
    SCHEMAS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
        .unwrap_or("{}")
}

struct Compiled {
    kind: Kind,
    schema: Value,
    validator: Validator,
}

fn compiled() -> &'static [Compiled] {
    static CELL: OnceLock<Vec<Compiled>> = OnceLock::new();
    CELL.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(kind, text)| {
                let schema: Value =
                    serde_json::from_str(text).expect("embedded schema is valid JSON");
                let validator = jsonschema::draft202012::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .expect("embedded schema compiles");
                Compiled {
                    kind: *kind,
                    schema,
                    validator,
                }
            })
            .collect()
    })
}

/// A schema violation: the JSON pointer of the offending value, and a message.
#[derive(Debug)]
pub struct Violation {
    pub pointer: String,
    /// True when the pointer names the bad value itself (so it can be dropped before typing).
    pub bad_value: bool,
    pub message: String,
}

/// Validates `doc` against the schema of `kind`.
pub fn validate(kind: Kind, doc: &Value) -> Vec<Violation> {
    let Some(c) = compiled().iter().find(|c| c.kind == kind) else {
        return Vec::new();
    };
    let mut out: Vec<Violation> = c
        .validator
        .iter_errors(doc)
        .flat_map(|e| describe(c, doc, &e))
        .collect();
    out.sort_by(|a, b| {
        a.pointer
            .cmp(&b.pointer)
            .then_with(|| a.message.cmp(&b.message))
    });
    out.dedup_by(|a, b| a.pointer == b.pointer && a.message == b.message);
    out
}

fn describe(c: &Compiled, doc: &Value, e: &jsonschema::ValidationError<'_>) -> Vec<Violation> {
    let pointer = e.instance_path().as_str().to_string();
    let field = hint::field_name(&pointer);
    let value = doc.pointer(&pointer);
    let bad = |message: String| {
        vec![Violation {
            pointer: pointer.clone(),
            bad_value: true,
            message,
        }]
    };
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known = known_properties(&c.schema, e.schema_path().as_str());
            unexpected
                .iter()
                .map(|key| {
                    let mut p = pointer.clone();
                    crate::span::push_token(&mut p, key);
                    let hint = hint::did_you_mean(key, known.iter().copied());
                    let extension = if hint.is_empty() {
                        " (prefix it with `x-` to keep it as an extension)"
                    } else {
                        ""
                    };
                    Violation {
                        pointer: p,
                        bad_value: false,
                        message: format!("unknown field `{}`{hint}{extension}", hint::shown(key)),
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            let place = if pointer.is_empty() {
                String::new()
            } else {
                format!(" in `{field}`")
            };
            vec![Violation {
                pointer,
                bad_value: false,
                message: format!("missing required field `{name}`{place}"),
            }]
        }
        ValidationErrorKind::Enum { options } => {
            let choices = options_list(options);
            let got = value.and_then(Value::as_str).map(hint::shown);
            let hint = got
                .as_deref()
                .map(|g| hint::did_you_mean(g, choices.iter().map(String::as_str)))
                .unwrap_or_default();
            let got = got.map(|g| format!(", not `{g}`")).unwrap_or_default();
            bad(format!(
                "`{field}` must be one of {}{got}{hint}",
                choices.join(", ")
            ))
        }
        ValidationErrorKind::Constant { expected_value } => {
            bad(format!("`{field}` must be {expected_value}"))
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            bad(format!(
                "`{field}` must be {} {expected}, not {}",
                article(&expected),
                type_of(value)
            ))
        }
        ValidationErrorKind::Format { format } if format == "date" => bad(format!(
            "`{field}` must be a calendar date YYYY-MM-DD that exists"
        )),
        ValidationErrorKind::Pattern { pattern } => bad(pattern_message(&field, pattern)),
        ValidationErrorKind::MinLength { .. } => bad(format!("`{field}` must not be empty")),
        ValidationErrorKind::MinItems { limit } => {
            bad(format!("`{field}` needs at least {limit} item(s)"))
        }
        ValidationErrorKind::Minimum { limit } => {
            bad(format!("`{field}` must be at least {limit}"))
        }
        ValidationErrorKind::Maximum { limit } => bad(format!("`{field}` must be at most {limit}")),
        ValidationErrorKind::UniqueItems => bad(format!("`{field}` lists an item twice")),
        ValidationErrorKind::MaxLength { limit } => {
            bad(format!("`{field}` is longer than {limit} characters"))
        }
        _ => bad(format!(
            "`{field}` does not match the {} schema ({})",
            "field's",
            e.kind().keyword()
        )),
    }
}

fn pattern_message(field: &str, pattern: &str) -> String {
    if pattern.contains("[0-9]{4}-") || pattern.contains(r"\d{4}-") {
        format!("`{field}` must be a date written YYYY-MM-DD")
    } else if pattern.starts_with("^[a-z0-9][a-z0-9._-]") {
        format!("`{field}` must be an id: {}", crate::id::RULE)
    } else {
        format!("`{field}` must match the pattern {pattern}")
    }
}

fn options_list(options: &Value) -> Vec<String> {
    match options {
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
        other => vec![other.to_string()],
    }
}

fn type_of(value: Option<&Value>) -> &'static str {
    match value {
        Some(Value::Null) | None => "empty",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "a list",
        Some(Value::Object(_)) => "a map",
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The property names allowed where an `additionalProperties` error was raised.
fn known_properties<'s>(schema: &'s Value, schema_path: &str) -> Vec<&'s str> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    let names = |obj: &'s Value| -> Vec<&'s str> {
        obj.get("properties")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    };
    match schema.pointer(parent).map(names) {
        Some(found) if !found.is_empty() => found,
        _ => {
            let mut all = Vec::new();
            collect_properties(schema, &mut all);
            all
        }
    }
}

fn collect_properties<'s>(v: &'s Value, out: &mut Vec<&'s str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get("properties") {
                out.extend(props.keys().map(String::as_str));
            }
            m.values().for_each(|c| collect_properties(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect_properties(c, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        assert_eq!(compiled().len(), SCHEMAS.len());
    }
}

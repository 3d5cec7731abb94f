//! The three export formats, each read into [`Left`] facts.

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use super::{by_email, handle, Error, Left};
use crate::model::Registry;

fn format_error(format: &'static str, why: impl Into<String>) -> Error {
    Error::Format {
        format,
        why: why.into(),
    }
}

/// Every JSON value in `text`, one after another (`gh api --paginate` prints one array per page).
fn values(text: &str, format: &'static str) -> Result<Vec<Value>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .map_err(|e| format_error(format, e.to_string()))
}

#[derive(Deserialize)]
struct Member {
    login: String,
}

/// The organisation's members, from one array per page or an array of pages (`--slurp`). A Person with a
/// `github` handle not in the list has left, on `as_of`. Refused when the list holds none of the registry's
/// handles (the wrong organisation, or a single page of a longer list).
pub fn github(text: &str, registry: &Registry, as_of: Date) -> Result<Vec<Left>, Error> {
    const F: &str = "GitHub organisation members";
    let mut logins = std::collections::HashSet::new();
    for value in values(text, F)? {
        let Value::Array(items) = value else {
            return Err(format_error(F, "expected a JSON array of members"));
        };
        for item in items {
            let pages = match item {
                Value::Array(page) => page,
                other => vec![other],
            };
            for m in pages {
                let m: Member = serde_json::from_value(m)
                    .map_err(|e| format_error(F, format!("a member without a login ({e})")))?;
                logins.insert(handle(&m.login));
            }
        }
    }
    let people: Vec<(&str, String)> = registry
        .persons
        .iter()
        .filter(|p| p.item.is_active())
        .filter_map(|p| Some((p.item.id.as_str(), handle(p.item.github.as_deref()?))))
        .collect();
    if !people.is_empty() && !people.iter().any(|(_, h)| logins.contains(h)) {
        return Err(Error::Unsafe(format!(
            "none of the registry's {} GitHub handles is in the list of {} members: is it the right organisation, and the whole list (`gh api --paginate`)?",
            people.len(),
            logins.len()
        )));
    }
    Ok(people
        .into_iter()
        .filter(|(_, h)| !logins.contains(h))
        .map(|(id, h)| Left {
            person: id.to_string(),
            on: as_of,
            evidence: format!("`{h}` is not a member of the organisation"),
        })
        .collect())
}

#[derive(Deserialize)]
struct OktaUser {
    status: String,
    #[serde(rename = "statusChanged")]
    status_changed: Option<String>,
    profile: OktaProfile,
}

#[derive(Deserialize)]
struct OktaProfile {
    email: Option<String>,
}

/// Okta users: `DEPROVISIONED` or `SUSPENDED`, on the day of `statusChanged` (else `as_of`).
pub fn okta(text: &str, registry: &Registry, as_of: Date) -> Result<Vec<Left>, Error> {
    const F: &str = "Okta users";
    let mut out = Vec::new();
    for value in values(text, F)? {
        let users: Vec<OktaUser> = serde_json::from_value(value)
            .map_err(|e| format_error(F, format!("expected an array of users ({e})")))?;
        for u in users {
            if u.status != "DEPROVISIONED" && u.status != "SUSPENDED" {
                continue;
            }
            let Some(email) = u.profile.email.as_deref() else {
                continue;
            };
            let Some(id) = by_email(registry, email) else {
                continue;
            };
            let on = u
                .status_changed
                .as_deref()
                .and_then(crate::day::of_timestamp);
            out.push(Left {
                person: id.to_string(),
                on: on.unwrap_or(as_of),
                evidence: format!("Okta status {} for {email}", u.status),
            });
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct GoogleUsers {
    #[serde(default)]
    users: Vec<GoogleUser>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleUser {
    primary_email: String,
    #[serde(default)]
    suspended: bool,
    suspension_time: Option<String>,
}

/// Google Workspace users: `suspended`, on the day of `suspensionTime` when the export has it (else `as_of`).
/// Accepts one `users.list` response per page, or an array of responses.
pub fn google(text: &str, registry: &Registry, as_of: Date) -> Result<Vec<Left>, Error> {
    const F: &str = "Google Workspace users.list";
    let mut pages = Vec::new();
    for value in values(text, F)? {
        match value {
            Value::Array(items) => pages.extend(items),
            other => pages.push(other),
        }
    }
    let mut out = Vec::new();
    for page in pages {
        if page.get("kind").and_then(Value::as_str) != Some("admin#directory#users") {
            return Err(format_error(
                F,
                "expected `\"kind\": \"admin#directory#users\"`",
            ));
        }
        let page: GoogleUsers =
            serde_json::from_value(page).map_err(|e| format_error(F, e.to_string()))?;
        for u in page.users.into_iter().filter(|u| u.suspended) {
            let Some(id) = by_email(registry, &u.primary_email) else {
                continue;
            };
            let on = u
                .suspension_time
                .as_deref()
                .and_then(crate::day::of_timestamp);
            out.push(Left {
                person: id.to_string(),
                on: on.unwrap_or(as_of),
                evidence: format!("Google Workspace account {} is suspended", u.primary_email),
            });
        }
    }
    Ok(out)
}

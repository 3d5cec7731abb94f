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

/// The sizes of a page of the GitHub REST API: the default `per_page` and its maximum.
const GITHUB_PAGE_SIZES: [usize; 2] = [30, 100];

/// The organisation's members, from one array per page or an array of pages (`--slurp`). A Person with a
/// `github` handle not in the list has left, on `as_of`. A list that may be partial is refused rather than
/// read as departures: one that holds none of the registry's handles (the wrong organisation), a single
/// page of exactly 30 or 100 members (the first page of a longer list, fetched without `--paginate`),
/// pages of uneven size (not one paginated list), or one that would mark more than half of four or more
/// active people with a handle as gone at once.
pub fn github(text: &str, registry: &Registry, as_of: Date) -> Result<Vec<Left>, Error> {
    const F: &str = "GitHub organisation members";
    let mut pages: Vec<Vec<Value>> = Vec::new();
    let mut slurped = false;
    for value in values(text, F)? {
        let Value::Array(items) = value else {
            return Err(format_error(F, "expected a JSON array of members"));
        };
        if items.iter().any(Value::is_array) {
            slurped = true;
            for item in items {
                match item {
                    Value::Array(page) => pages.push(page),
                    _ => return Err(format_error(F, "expected an array of pages of members")),
                }
            }
        } else {
            pages.push(items);
        }
    }
    complete(&pages, slurped)?;
    let mut logins = std::collections::HashSet::new();
    for m in pages.into_iter().flatten() {
        let m: Member = serde_json::from_value(m)
            .map_err(|e| format_error(F, format!("a member without a login ({e})")))?;
        logins.insert(handle(&m.login));
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
    let gone: Vec<(&str, String)> = people
        .iter()
        .filter(|(_, h)| !logins.contains(h))
        .cloned()
        .collect();
    if people.len() >= 4 && gone.len() * 2 > people.len() {
        return Err(Error::Unsafe(format!(
            "{} of the {} active people with a GitHub handle are not in the list of {} members: a partial list is likelier than so many leaving at once; check the export (`gh api --paginate orgs/ORG/members`), or record each departure with `nhi offboard PERSON --to TEAM`",
            gone.len(),
            people.len(),
            logins.len()
        )));
    }
    Ok(gone
        .into_iter()
        .map(|(id, h)| Left {
            person: id.to_string(),
            on: as_of,
            evidence: format!("`{h}` is not a member of the organisation"),
        })
        .collect())
}

/// Refuses a member list that looks like part of a paginated one: a single page (not slurped) of exactly
/// one page's size, or pages other than the last that are not all of the first page's size.
fn complete(pages: &[Vec<Value>], slurped: bool) -> Result<(), Error> {
    if let [page] = pages {
        if !slurped && GITHUB_PAGE_SIZES.contains(&page.len()) {
            return Err(Error::Unsafe(format!(
                "the list holds exactly {} members, one page of the GitHub API: it looks like the first page only; fetch it with `gh api --paginate orgs/ORG/members` (if the organisation has exactly {} members, add `--slurp`)",
                page.len(),
                page.len()
            )));
        }
        return Ok(());
    }
    let Some((first, rest)) = pages.split_first() else {
        return Ok(());
    };
    let (last, middle) = rest.split_last().expect("more than one page");
    if middle.iter().any(|p| p.len() != first.len()) || last.len() > first.len() || first.is_empty()
    {
        let sizes: Vec<String> = pages.iter().map(|p| p.len().to_string()).collect();
        return Err(Error::Unsafe(format!(
            "the pages hold {} members: every page but the last of one paginated list is full, so these are not one organisation's whole list (`gh api --paginate orgs/ORG/members`)",
            sizes.join(", ")
        )));
    }
    Ok(())
}

/// The registry's person with `email` as having left on the day of the timestamp `on` (else `as_of`).
fn left(
    registry: &Registry,
    email: &str,
    on: Option<&str>,
    as_of: Date,
    evidence: String,
) -> Option<Left> {
    Some(Left {
        person: by_email(registry, email)?.to_string(),
        on: on.and_then(crate::day::of_timestamp).unwrap_or(as_of),
        evidence,
    })
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
            let evidence = format!("Okta status {} for {email}", u.status);
            let on = u.status_changed.as_deref();
            out.extend(left(registry, email, on, as_of, evidence));
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
            let evidence = format!("Google Workspace account {} is suspended", u.primary_email);
            let on = u.suspension_time.as_deref();
            out.extend(left(registry, &u.primary_email, on, as_of, evidence));
        }
    }
    Ok(out)
}

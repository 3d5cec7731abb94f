//! `cloudtrail`: CloudTrail log files (`{"Records": [event, …]}`, as delivered to S3 and decompressed) and
//! the output of `aws cloudtrail lookup-events` (`{"Events": [{…, "CloudTrailEvent": "<event as a JSON
//! string>"}]}`), streamed one event at a time.
//!
//! Only STS calls that issue a role's credentials count: `AssumeRoleWithWebIdentity`,
//! `AssumeRoleWithSAML` and `AssumeRole`. An event is read into a struct that names only the fields used
//! (role, subject, issuer, time, error): `responseElements.credentials` (access key id, session token) and
//! the request's web identity token are never read, so they cannot reach any output.

use std::borrow::Cow;
use std::io::BufRead;

use serde::Deserialize;

use super::{Call, Issuance};
use crate::import::json_stream::{self, syntax_at, SyntaxError};

/// The arrays a log file and `lookup-events` put their events in.
const LISTS: [&str; 2] = ["Records", "Events"];

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "eventSource", borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(rename = "eventName", borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "eventTime", borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(rename = "errorCode", borrow)]
    error_code: Option<Cow<'a, str>>,
    #[serde(rename = "errorMessage", borrow)]
    error_message: Option<Cow<'a, str>>,
    #[serde(rename = "requestParameters", borrow)]
    request: Option<Request<'a>>,
    #[serde(rename = "responseElements", borrow)]
    response: Option<Response<'a>>,
    #[serde(rename = "userIdentity", borrow)]
    user: Option<User<'a>>,
    /// `lookup-events`: the event itself, as a JSON string.
    #[serde(rename = "CloudTrailEvent", borrow)]
    nested: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(rename = "roleArn", borrow)]
    role_arn: Option<Cow<'a, str>>,
    #[serde(rename = "principalArn", borrow)]
    principal_arn: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(rename = "subjectFromWebIdentityToken", borrow)]
    web_subject: Option<Cow<'a, str>>,
    #[serde(borrow)]
    provider: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subject: Option<Cow<'a, str>>,
    #[serde(borrow)]
    issuer: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arn: Option<Cow<'a, str>>,
    #[serde(rename = "userName", borrow)]
    user_name: Option<Cow<'a, str>>,
    #[serde(rename = "identityProvider", borrow)]
    identity_provider: Option<Cow<'a, str>>,
    #[serde(rename = "invokedBy", borrow)]
    invoked_by: Option<Cow<'a, str>>,
    #[serde(rename = "accountId", borrow)]
    account_id: Option<Cow<'a, str>>,
}

/// What a read gives besides the issuances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every event in the log.
    pub events: u64,
    /// Events that are not credential issuances (other calls, other services).
    pub other: u64,
}

/// Streams the log in `reader`, calling `each` for every credential issuance (successful or not).
pub fn read<R: BufRead>(
    reader: R,
    mut each: impl FnMut(Issuance<'_>),
) -> Result<Counts, SyntaxError> {
    let mut counts = Counts::default();
    let mut start = 1;
    let (envelope, streamed) =
        json_stream::raw_items_under(reader, &LISTS, &mut start, |raw, line| {
            counts.events += 1;
            let event: Event<'_> = serde_json::from_slice(raw).map_err(|e| syntax_at(&e, line))?;
            if let Some(text) = event.nested.as_deref() {
                let inner: Event<'_> = serde_json::from_str(text).map_err(|e| SyntaxError {
                    line,
                    message: format!("`CloudTrailEvent` is not a CloudTrail event: {}", short(&e)),
                })?;
                issuance(&inner, line, &mut counts, &mut each)
            } else {
                issuance(&event, line, &mut counts, &mut each)
            }
        })?;
    if envelope.is_some() && !streamed {
        return Err(SyntaxError {
            line: start,
            message: "no `Records` (a CloudTrail log file) or `Events` (`aws cloudtrail lookup-events`) array".into(),
        });
    }
    Ok(counts)
}

fn short(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.rfind(" at line ")
        .map_or(text.clone(), |i| text[..i].to_string())
}

fn issuance(
    event: &Event<'_>,
    line: u32,
    counts: &mut Counts,
    each: &mut impl FnMut(Issuance<'_>),
) -> Result<(), SyntaxError> {
    let call = match (event.source.as_deref(), event.name.as_deref()) {
        (Some("sts.amazonaws.com"), Some("AssumeRoleWithWebIdentity")) => Call::WebIdentity,
        (Some("sts.amazonaws.com"), Some("AssumeRoleWithSAML")) => Call::Saml,
        (Some("sts.amazonaws.com"), Some("AssumeRole")) => Call::AssumeRole,
        _ => {
            counts.other += 1;
            return Ok(());
        }
    };
    let role = event.request.as_ref().and_then(|r| r.role_arn.as_deref());
    let Some(role) = role.filter(|r| !r.is_empty()) else {
        // A denied call may be logged without its parameters: nothing to match it on.
        counts.other += 1;
        return Ok(());
    };
    let time = event
        .time
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .ok_or_else(|| SyntaxError {
            line,
            message: "an STS event without an ISO 8601 `eventTime`".into(),
        })?;
    let user = event.user.as_ref();
    let response = event.response.as_ref();
    let (subject, issuer) = match call {
        Call::WebIdentity => (
            response
                .and_then(|r| r.web_subject.as_deref())
                .or_else(|| user.and_then(|u| u.user_name.as_deref())),
            response
                .and_then(|r| r.provider.as_deref())
                .or_else(|| user.and_then(|u| u.identity_provider.as_deref())),
        ),
        Call::Saml => (
            response
                .and_then(|r| r.subject.as_deref())
                .or_else(|| user.and_then(|u| u.user_name.as_deref())),
            response.and_then(|r| r.issuer.as_deref()).or_else(|| {
                event
                    .request
                    .as_ref()
                    .and_then(|r| r.principal_arn.as_deref())
            }),
        ),
        Call::AssumeRole => (caller(user), Some("aws")),
    };
    each(Issuance {
        line,
        call,
        role,
        subject: subject.unwrap_or(""),
        issuer: issuer.unwrap_or(""),
        time,
        error: event.error_code.as_deref(),
        error_message: event.error_message.as_deref(),
    });
    Ok(())
}

/// Who called `AssumeRole`: a service, or the calling principal's ARN (an account's root when the log is
/// the role's account and the caller another's).
fn caller<'a>(user: Option<&'a User<'a>>) -> Option<&'a str> {
    let user = user?;
    if user.kind.as_deref() == Some("AWSService") {
        return user.invoked_by.as_deref();
    }
    user.arn.as_deref().or(user.account_id.as_deref())
}

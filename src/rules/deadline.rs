//! The day each dated obligation falls due: one definition shared by the rules that report it overdue and by
//! `nhi due`, which lists it ahead of time.
//!
//! An obligation's deadline is the last day on which its rule does not report it: the rule fires as of a
//! day exactly when that day is after the deadline. An obligation with no computable day (an identity never
//! reviewed, a static credential of unknown age) is overdue on every day.

use jiff::civil::Date;

use super::Ctx;
use crate::day;
use crate::model::{Doc, Exception, Identity};

/// When an obligation falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Deadline {
    /// No computable day: overdue whatever the day (sorts before every day).
    Unknown,
    /// The last day on which the rule does not report it.
    On(Date),
}

impl Deadline {
    /// Whether the rule reports the obligation as of `day`.
    pub fn overdue(self, day: Date) -> bool {
        match self {
            Deadline::Unknown => true,
            Deadline::On(due) => day > due,
        }
    }

    /// The day, when there is one.
    pub fn day(self) -> Option<Date> {
        match self {
            Deadline::Unknown => None,
            Deadline::On(d) => Some(d),
        }
    }
}

/// A static credential's rotation: the date it counts from (and where that date is written), its period,
/// and when it falls due.
pub struct Rotation {
    /// `(day, JSON pointer, rotated)`: the last rotation, or the creation when it was never rotated.
    pub since: Option<(Date, &'static str, bool)>,
    pub period: u32,
    pub deadline: Deadline,
}

/// The rotation of a `static` credential (`rotation-overdue`); `None` for other credentials, and for a
/// document whose dates may have been dropped by a schema finding (that finding says what is wrong).
pub fn rotation(ctx: &Ctx<'_>, doc: &Doc<Identity>) -> Option<Rotation> {
    let i = &doc.item;
    if !i.is_static() {
        return None;
    }
    let period = i
        .credential
        .rotation_days
        .unwrap_or_else(|| ctx.policy.rotation_period(i.kind));
    let since = match (i.credential.last_rotated, i.credential.created) {
        (Some(d), _) => Some((d, "/credential/last_rotated", true)),
        (None, Some(d)) => Some((d, "/credential/created", false)),
        (None, None) if doc.source.flawed => return None,
        (None, None) => None,
    };
    let deadline = since.map_or(Deadline::Unknown, |(d, _, _)| {
        Deadline::On(day::add(d, i64::from(period)))
    });
    Some(Rotation {
        since,
        period,
        deadline,
    })
}

/// An access review, of the identity or of its vendor: the last one, the period, when the next falls due.
pub struct Review {
    pub last: Option<Date>,
    pub period: u32,
    pub deadline: Deadline,
}

fn review_from(last: Option<Date>, period: u32) -> Review {
    Review {
        last,
        period,
        deadline: last.map_or(Deadline::Unknown, |d| {
            Deadline::On(day::add(d, i64::from(period)))
        }),
    }
}

/// The access review of an identity (`review-missing` when never reviewed, else `review-overdue`), with
/// the review period of the highest criticality its blast radius reaches.
pub fn review(ctx: &Ctx<'_>, identity: &Identity) -> Review {
    let last = identity.review.as_ref().and_then(|r| r.last);
    review_from(last, ctx.review_period(identity))
}

/// The review of a third party's access (`vendor-review-overdue`); `None` when the identity names no vendor.
pub fn vendor_review(ctx: &Ctx<'_>, identity: &Identity) -> Option<Review> {
    identity.vendor.as_ref()?;
    Some(review_from(
        identity.vendor_review,
        ctx.review_period(identity),
    ))
}

/// A credential's hard expiry (`credential-expired`): it still works on the day it expires.
pub fn credential_expiry(identity: &Identity) -> Option<Deadline> {
    identity.credential.expires.map(Deadline::On)
}

/// An exception's end (`exception-expired`): it is in force up to and including `expires`.
pub fn exception_expiry(exception: &Exception) -> Option<Deadline> {
    exception.expires.map(Deadline::On)
}

//! The trend of a registry: at each sample day, the registry as it was then (the commit in force that day)
//! checked as of that day, with the counts of `nhi check`, the findings by rule, and the rates auditors
//! ask for.

use std::collections::{BTreeMap, HashSet};

use jiff::civil::Date;
use serde::Serialize;

use super::{Chain, HistoryError, Reader};
use crate::catalogue::RuleId;
use crate::finding::Counts;
use crate::load::LoadError;
use crate::rules::{exceptions, Ctx};
use crate::Checked;

/// How far apart samples are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    Week,
    Month,
}

/// The sample days: `since`, then every week or calendar month after it (the same day of the month, or
/// the month's last day when it is shorter) while before `as_of`, and `as_of` last.
pub fn days(since: Date, every: Every, as_of: Date) -> Vec<Date> {
    let mut out = Vec::new();
    for step in 0i64.. {
        let span = match every {
            Every::Week => jiff::Span::new().weeks(step),
            Every::Month => jiff::Span::new().months(step),
        };
        let Ok(day) = since.checked_add(span) else {
            break;
        };
        if day >= as_of {
            break;
        }
        out.push(day);
    }
    out.push(as_of);
    out
}

/// Findings of one rule at one sample: unwaived, and waived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub open: usize,
    pub waived: usize,
}

/// How many of `of` meet a measure, and the share.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rate {
    pub met: usize,
    pub of: usize,
    /// `met / of`, rounded to four places; `None` when `of` is 0.
    pub rate: Option<f64>,
}

impl Rate {
    fn new(met: usize, of: usize) -> Rate {
        let rate = (of > 0).then(|| (met as f64 / of as f64 * 10_000.0).round() / 10_000.0);
        Rate { met, of, rate }
    }
}

/// What auditors ask of each sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rates {
    /// Active identities with a static credential whose rotation is not overdue nor the credential expired.
    pub rotated_on_time: Rate,
    /// Active identities with a review that is neither missing nor overdue.
    pub reviewed_on_time: Rate,
    /// Active identities owned by a Team with at least one active member.
    pub owned_by_active_team: Rate,
    /// Exceptions in force (approved, not expired) among all exceptions.
    pub exceptions_in_force: Rate,
}

/// One sample of the trend.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub date: Date,
    pub commit: String,
    pub counts: Counts,
    pub identities: usize,
    pub by_rule: BTreeMap<&'static str, RuleCount>,
    pub rates: Rates,
}

/// The trend: one point per sample day at which the registry existed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Trend {
    pub points: Vec<Point>,
    /// Sample days left out because the registry did not exist yet (no commit, or no `nhi.yaml`).
    pub before_registry: Vec<Date>,
}

/// The trend at `days` of the branch `chain`: each day's commit in force, checked as of that day. A shallow
/// clone cannot answer (its history is cut), nor can a branch without commits.
pub fn trend(reader: &mut Reader, chain: &Chain, days: &[Date]) -> Result<Trend, HistoryError> {
    if chain.shallow {
        let first = days.first().copied().unwrap_or_else(crate::day::today_utc);
        return Err(HistoryError::Shallow(first));
    }
    if chain.commits.is_empty() {
        return Err(HistoryError::NoCommit);
    }
    let mut out = Trend::default();
    for &day in days {
        let Some(commit) = chain.on(day) else {
            out.before_registry.push(day);
            continue;
        };
        let commit = commit.to_string();
        match reader.check_at(&commit, day) {
            Ok(checked) => out.points.push(point(day, commit, &checked)),
            Err(HistoryError::Load(LoadError::NoPolicy(_))) => out.before_registry.push(day),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The point of a registry checked on `day` at `commit`.
pub fn point(day: Date, commit: String, checked: &Checked) -> Point {
    let mut by_rule: BTreeMap<&'static str, RuleCount> = BTreeMap::new();
    for f in &checked.findings {
        let entry = by_rule.entry(f.rule.as_str()).or_default();
        if f.waived_by.is_some() {
            entry.waived += 1;
        } else {
            entry.open += 1;
        }
    }
    Point {
        date: day,
        commit,
        counts: checked.counts(),
        identities: checked.registry.identities.len(),
        by_rule,
        rates: rates(checked),
    }
}

/// The rates of a checked registry.
pub fn rates(checked: &Checked) -> Rates {
    let registry = &checked.registry;
    let ctx = Ctx::new(registry, checked.as_of);
    let flagged = |rules: &[RuleId]| -> HashSet<&str> {
        checked
            .findings
            .iter()
            .filter(|f| f.subject.kind == "Identity" && rules.contains(&f.rule))
            .map(|f| f.subject.id.as_str())
            .collect()
    };
    let late_rotation = flagged(&[RuleId::RotationOverdue, RuleId::CredentialExpired]);
    let late_review = flagged(&[RuleId::ReviewMissing, RuleId::ReviewOverdue]);
    let active: Vec<&crate::model::Identity> = registry
        .identities
        .iter()
        .map(|d| &d.item)
        .filter(|i| i.is_active())
        .collect();
    let statics: Vec<_> = active.iter().filter(|i| i.is_static()).collect();
    let rotated = statics
        .iter()
        .filter(|i| !late_rotation.contains(i.id.as_str()))
        .count();
    let reviewed = active
        .iter()
        .filter(|i| !late_review.contains(i.id.as_str()))
        .count();
    let owned = active
        .iter()
        .filter(|i| {
            i.owner
                .as_deref()
                .is_some_and(|o| ctx.teams.contains_key(o) && ctx.staffed.contains(o))
        })
        .count();
    let in_force = registry
        .exceptions
        .iter()
        .filter(|d| exceptions::in_force(&ctx, &d.item))
        .count();
    Rates {
        rotated_on_time: Rate::new(rotated, statics.len()),
        reviewed_on_time: Rate::new(reviewed, active.len()),
        owned_by_active_team: Rate::new(owned, active.len()),
        exceptions_in_force: Rate::new(in_force, registry.exceptions.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::{days, Every};
    use jiff::civil::date;

    #[test]
    fn monthly_samples_keep_the_day_and_end_on_the_last() {
        let got = days(date(2026, 1, 31), Every::Month, date(2026, 4, 15));
        let want = [
            date(2026, 1, 31),
            date(2026, 2, 28),
            date(2026, 3, 31),
            date(2026, 4, 15),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn weekly_samples_stop_before_the_last_day() {
        let got = days(date(2026, 3, 1), Every::Week, date(2026, 3, 15));
        assert_eq!(got, [date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15)]);
    }
}

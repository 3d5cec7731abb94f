//! The site's view of a checked registry: documents by id, who owns, reaches, stores and runs what, the
//! findings of each subject, what falls due soon, and links between pages (relative to the page).

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use serde_json::{json, Value};

use crate::day;
use crate::finding::{Finding, Severity};
use crate::graph::{Graph, Summary};
use crate::id::is_id;
use crate::model::{Doc, Exception, Identity, Person, System, Team};
use crate::ownership::Ownership;
use crate::report::drift::DriftReport;
use crate::rules::{exceptions, Ctx};
use crate::Checked;

/// How far ahead the dashboard lists what falls due, and how many weeks its chart shows.
pub const SOON_DAYS: i64 = 30;
pub const CHART_WEEKS: i64 = 13;

/// Something that falls due on a day: a credential expiry, a rotation, a review, an exception's end.
#[derive(Clone, Debug)]
pub struct Due {
    pub date: Date,
    pub what: DueKind,
    /// The identity or exception it is about.
    pub subject: String,
    pub owner: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum DueKind {
    Expiry,
    Rotation,
    Review,
    VendorReview,
    Exception,
}

impl DueKind {
    pub const ALL: [DueKind; 5] = [
        DueKind::Expiry,
        DueKind::Rotation,
        DueKind::Review,
        DueKind::VendorReview,
        DueKind::Exception,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DueKind::Expiry => "credential expires",
            DueKind::Rotation => "rotation due",
            DueKind::Review => "access review due",
            DueKind::VendorReview => "vendor review due",
            DueKind::Exception => "exception expires",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            DueKind::Expiry => "due-expiry",
            DueKind::Rotation => "due-rotation",
            DueKind::Review => "due-review",
            DueKind::VendorReview => "due-vendor",
            DueKind::Exception => "due-exception",
        }
    }
}

/// Everything the pages are built from, indexed once and shared by all rendering threads.
pub struct Site<'a> {
    pub checked: &'a Checked,
    pub ctx: Ctx<'a>,
    pub commit: String,
    /// The documents that get a page (a valid id; the first document of a duplicated id), by id.
    pub identity_pages: Vec<&'a Doc<Identity>>,
    pub team_pages: Vec<&'a Doc<Team>>,
    pub person_pages: Vec<&'a Doc<Person>>,
    pub system_pages: Vec<&'a Doc<System>>,
    /// Every exception, by id (they share one page, with an anchor each).
    pub exceptions: Vec<&'a Doc<Exception>>,
    identity_ids: BTreeSet<&'a str>,
    owner_ids: BTreeSet<&'a str>,
    system_ids: BTreeSet<&'a str>,
    exception_ids: BTreeSet<&'a str>,
    findings_of: HashMap<&'static str, HashMap<&'a str, Vec<&'a Finding>>>,
    /// Who owns, reaches, stores and runs what, among the documents that get a page.
    pub ownership: Ownership<'a>,
    pub graph: Graph,
    pub blast_ranking: Vec<Summary>,
    summaries: HashMap<String, usize>,
    /// Everything due from the day to the end of the chart, by date.
    pub due: Vec<Due>,
    /// The positions in `due` of each identity's items.
    due_of: HashMap<String, Vec<usize>>,
    /// The drift reports given to the build (`--drift FILE`), in a fixed order.
    pub drift: Vec<DriftReport>,
}

fn pages<'a, T>(
    docs: &'a [Doc<T>],
    id: fn(&T) -> &str,
    taken: &mut BTreeSet<&'a str>,
) -> Vec<&'a Doc<T>> {
    let mut pages: Vec<&Doc<T>> = docs
        .iter()
        .filter(|d| is_id(id(&d.item)) && taken.insert(id(&d.item)))
        .collect();
    pages.sort_by(|a, b| id(&a.item).cmp(id(&b.item)));
    pages
}

fn push<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, Vec<V>>, key: K, value: V) {
    map.entry(key).or_default().push(value);
}

impl<'a> Site<'a> {
    pub fn new(checked: &'a Checked, commit: String) -> Site<'a> {
        let registry = &checked.registry;
        let (mut identity_ids, mut owner_ids, mut system_ids) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        let identity_pages = pages(&registry.identities, |i| &i.id, &mut identity_ids);
        let team_pages = pages(&registry.teams, |t| &t.id, &mut owner_ids);
        let person_pages = pages(&registry.persons, |p| &p.id, &mut owner_ids);
        let system_pages = pages(&registry.systems, |s| &s.id, &mut system_ids);
        let mut exceptions: Vec<&Doc<Exception>> = registry.exceptions.iter().collect();
        exceptions.sort_by(|a, b| a.item.id.cmp(&b.item.id));
        let exception_ids = exceptions
            .iter()
            .map(|e| e.item.id.as_str())
            .filter(|id| is_id(id))
            .collect();
        let graph = Graph::build(registry);
        let ownership = Ownership::new(
            identity_pages.iter().copied(),
            person_pages.iter().copied(),
            exceptions.iter().copied(),
        );
        let mut site = Site {
            checked,
            ctx: Ctx::new(registry, checked.as_of),
            commit,
            identity_pages,
            team_pages,
            person_pages,
            system_pages,
            exceptions,
            identity_ids,
            owner_ids,
            system_ids,
            exception_ids,
            findings_of: HashMap::new(),
            ownership,
            summaries: HashMap::new(),
            blast_ranking: graph.all(),
            graph,
            due: Vec::new(),
            due_of: HashMap::new(),
            drift: Vec::new(),
        };
        site.summaries = site
            .blast_ranking
            .iter()
            .enumerate()
            .map(|(n, s)| (s.identity.clone(), n))
            .collect();
        site.index();
        site.due = site.collect_due();
        for (n, d) in site
            .due
            .iter()
            .enumerate()
            .filter(|(_, d)| d.what != DueKind::Exception)
        {
            site.due_of.entry(d.subject.clone()).or_default().push(n);
        }
        site
    }

    fn index(&mut self) {
        for f in &self.checked.findings {
            push(
                self.findings_of.entry(f.subject.kind).or_default(),
                f.subject.id.as_str(),
                f,
            );
        }
    }

    /// The findings about one subject (`Identity`, `Team`, …) in output order.
    pub fn findings(&self, kind: &str, id: &str) -> &[&'a Finding] {
        self.findings_of
            .get(kind)
            .and_then(|m| m.get(id))
            .map_or(&[], Vec::as_slice)
    }

    /// Open (unwaived) and waived finding counts of an identity, and its worst open severity.
    pub fn tally(&self, id: &str) -> (usize, usize, Option<Severity>) {
        let all = self.findings("Identity", id);
        let open = all.iter().filter(|f| f.waived_by.is_none());
        let worst = open.clone().map(|f| f.severity).min();
        (
            open.count(),
            all.iter().filter(|f| f.waived_by.is_some()).count(),
            worst,
        )
    }

    /// The blast-radius score of an identity.
    pub fn score(&self, id: &str) -> u32 {
        self.summary(id).map_or(0, |s| s.score)
    }

    /// The blast-radius summary of an identity.
    pub fn summary(&self, id: &str) -> Option<&Summary> {
        self.summaries.get(id).map(|&n| &self.blast_ranking[n])
    }

    /// Whether an exception is in force on the day.
    pub fn in_force(&self, e: &Exception) -> bool {
        exceptions::in_force(&self.ctx, e)
    }

    fn collect_due(&self) -> Vec<Due> {
        let as_of = self.checked.as_of;
        let end = day::add(as_of, CHART_WEEKS * 7 - 1);
        let mut due = Vec::new();
        let mut add = |date: Option<Date>, what, subject: &str, owner: Option<&String>| {
            if let Some(date) = date.filter(|d| (as_of..=end).contains(d)) {
                due.push(Due {
                    date,
                    what,
                    subject: subject.to_string(),
                    owner: owner.cloned(),
                });
            }
        };
        for doc in self.identity_pages.iter().filter(|d| d.item.is_active()) {
            let i = &doc.item;
            let owner = i.owner.as_ref();
            add(i.credential.expires, DueKind::Expiry, &i.id, owner);
            if i.is_static() {
                let period = i
                    .credential
                    .rotation_days
                    .unwrap_or_else(|| self.ctx.policy.rotation_period(i.kind));
                let last = i.credential.last_rotated.or(i.credential.created);
                add(
                    last.map(|d| day::add(d, i64::from(period))),
                    DueKind::Rotation,
                    &i.id,
                    owner,
                );
            }
            let period = i64::from(self.ctx.review_period(i));
            add(
                i.review
                    .as_ref()
                    .and_then(|r| r.last)
                    .map(|d| day::add(d, period)),
                DueKind::Review,
                &i.id,
                owner,
            );
            if i.vendor.is_some() {
                let vendor_period = i64::from(self.ctx.policy.review_days);
                add(
                    i.vendor_review.map(|d| day::add(d, vendor_period)),
                    DueKind::VendorReview,
                    &i.id,
                    owner,
                );
            }
        }
        for doc in &self.exceptions {
            add(doc.item.expires, DueKind::Exception, &doc.item.id, None);
        }
        due.sort_by(|a, b| (a.date, a.what, &a.subject).cmp(&(b.date, b.what, &b.subject)));
        due
    }

    /// What falls due for one identity, by date.
    pub fn due_of(&self, id: &str) -> impl Iterator<Item = &Due> {
        self.due_of
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&n| &self.due[n])
    }

    /// Whether `due` falls within [`SOON_DAYS`] of the day.
    pub fn is_soon(&self, due: &Due) -> bool {
        due.date <= day::add(self.checked.as_of, SOON_DAYS)
    }

    /// The items due within [`SOON_DAYS`] of the day.
    pub fn due_soon(&self) -> impl Iterator<Item = &Due> {
        let limit = day::add(self.checked.as_of, SOON_DAYS);
        self.due.iter().filter(move |d| d.date <= limit)
    }

    /// Days from the day to `date`.
    pub fn days_until(&self, date: Date) -> i64 {
        day::between(self.checked.as_of, date)
    }

    // Links. `root` is the way from the current page to the site root ("" or "../").

    pub fn identity_href(&self, id: &str, root: &str) -> Option<String> {
        self.identity_ids
            .contains(id)
            .then(|| format!("{root}identities/{id}.html"))
    }

    pub fn owner_href(&self, id: &str, root: &str) -> Option<String> {
        self.owner_ids
            .contains(id)
            .then(|| format!("{root}owners/{id}.html"))
    }

    pub fn system_href(&self, id: &str, root: &str) -> Option<String> {
        self.system_ids
            .contains(id)
            .then(|| format!("{root}systems/{id}.html"))
    }

    pub fn exception_href(&self, id: &str, root: &str) -> Option<String> {
        self.exception_ids
            .contains(id)
            .then(|| format!("{root}exceptions.html#exception-{id}"))
    }

    pub fn rule_href(&self, rule: &str, root: &str) -> Option<String> {
        crate::catalogue::get(rule).map(|r| format!("{root}compliance.html#rule-{}", r.id))
    }

    /// A link to whatever a subject of a finding is.
    pub fn subject_href(&self, kind: &str, id: &str, root: &str) -> Option<String> {
        match kind {
            "Identity" => self.identity_href(id, root),
            "Team" | "Person" => self.owner_href(id, root),
            "System" => self.system_href(id, root),
            "Exception" => self.exception_href(id, root),
            _ => None,
        }
    }

    /// A reference for templates: `{label, href}` (href null when there is no page to link to).
    pub fn link(label: &str, href: Option<String>) -> Value {
        json!({"label": label, "href": href})
    }

    pub fn identity_link(&self, id: &str, root: &str) -> Value {
        Site::link(id, self.identity_href(id, root))
    }

    pub fn owner_link(&self, id: &str, root: &str) -> Value {
        Site::link(id, self.owner_href(id, root))
    }

    pub fn system_link(&self, id: &str, root: &str) -> Value {
        Site::link(id, self.system_href(id, root))
    }

    /// An id in `used_by` or similar that may name a System or a Person.
    pub fn any_link(&self, id: &str, root: &str) -> Value {
        Site::link(
            id,
            self.system_href(id, root)
                .or_else(|| self.owner_href(id, root)),
        )
    }
}

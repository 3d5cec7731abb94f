//! The site's view of a checked registry: documents by id, who owns, reaches, stores and runs what, the
//! findings of each subject, what falls due soon, and links between pages (relative to the page).

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use jiff::civil::Date;
use serde_json::{json, Value};

use crate::day;
use crate::due::{self, Filter, Item};
use crate::finding::{Finding, Severity};
use crate::graph::{Graph, Ranked, Summary};
use crate::id::is_id;
use crate::model::{Doc, Exception, Identity, Person, System, Team};
use crate::ownership::Ownership;
use crate::report::drift::DriftReport;
use crate::rules::exceptions::{self, Waivers};
use crate::rules::Ctx;
use crate::Checked;

/// How far ahead the dashboard lists what falls due, and how many weeks its chart shows.
pub const SOON_DAYS: i64 = 30;
pub const CHART_WEEKS: i64 = 13;

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
    identity_ids: HashSet<&'a str>,
    owner_ids: HashSet<&'a str>,
    system_ids: HashSet<&'a str>,
    exception_ids: HashSet<&'a str>,
    findings_of: HashMap<&'static str, HashMap<&'a str, Vec<&'a Finding>>>,
    /// Who owns, reaches, stores and runs what, among the documents that get a page.
    pub ownership: Ownership<'a>,
    pub graph: Graph,
    pub blast_ranking: Vec<Summary>,
    summaries: HashMap<String, usize>,
    /// What is overdue or falls due by the end of the chart, in `nhi due`'s order (the calendars).
    pub obligations: Vec<Item>,
    /// The positions in `obligations` of what falls due from the day to the end of the chart (not overdue).
    due: Vec<usize>,
    /// The positions in `obligations` of each identity's items that are not overdue.
    due_of: HashMap<String, Vec<usize>>,
    /// The positions in `obligations` of each owner's items that are not overdue.
    due_by_owner: HashMap<String, Vec<usize>>,
    /// The drift reports given to the build (`--drift FILE`), in a fixed order.
    pub drift: Vec<DriftReport>,
    /// The trace reports given to the build (`--trace FILE`), in a fixed order.
    pub trace: Vec<crate::report::trace::TraceReport>,
    /// The registry's git history, when it is in a repository.
    pub history: Option<super::history::SiteHistory>,
}

fn pages<'a, T>(
    docs: &'a [Doc<T>],
    id: fn(&T) -> &str,
    taken: &mut HashSet<&'a str>,
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
    /// The site of `checked`, with the graph and ranking its check kept (`ranked`), else made here.
    pub fn new(checked: &'a Checked, commit: String, ranked: Option<Ranked>) -> Site<'a> {
        let registry = &checked.registry;
        let (mut identity_ids, mut owner_ids, mut system_ids) =
            (HashSet::new(), HashSet::new(), HashSet::new());
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
        let Ranked {
            graph,
            ranking: blast_ranking,
        } = ranked.unwrap_or_else(|| Ranked::of(registry));
        let ownership = Ownership::new(
            identity_pages.iter().copied(),
            person_pages.iter().copied(),
            exceptions.iter().copied(),
        )
        .with_owners(team_pages.iter().copied(), system_pages.iter().copied());
        // Review periods by the blast radius, as the rules and `nhi due` have them.
        let ctx = Ctx::new(registry, checked.as_of).with_ranking(&blast_ranking);
        let mut site = Site {
            checked,
            ctx,
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
            blast_ranking,
            graph,
            obligations: Vec::new(),
            due: Vec::new(),
            due_of: HashMap::new(),
            due_by_owner: HashMap::new(),
            drift: Vec::new(),
            trace: Vec::new(),
            history: None,
        };
        site.summaries = site
            .blast_ranking
            .iter()
            .enumerate()
            .map(|(n, s)| (s.identity.clone(), n))
            .collect();
        site.index();
        site.collect_due();
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

    /// What falls due, computed as `nhi due` computes it: overdue or due within the chart's weeks.
    fn collect_due(&mut self) {
        let as_of = self.checked.as_of;
        let waivers = Waivers::new(&self.ctx);
        let filter = Filter {
            within: CHART_WEEKS * 7 - 1,
            owner: None,
        };
        // Positions, not copies: at a million identities an item list is hundreds of megabytes.
        self.obligations = due::select(due::obligations(&self.ctx, &waivers), as_of, &filter);
        self.due = (0..self.obligations.len())
            .filter(|&n| !self.obligations[n].overdue(as_of))
            .collect();
        for &n in &self.due {
            let item = &self.obligations[n];
            if item.kind() == "Identity" {
                push(&mut self.due_of, item.id().to_string(), n);
            }
            if let Some(owner) = &item.owner {
                push(&mut self.due_by_owner, owner.clone(), n);
            }
        }
    }

    /// What falls due for one identity, by date.
    pub fn due_of(&self, id: &str) -> impl Iterator<Item = &Item> {
        self.obligations_at(&self.due_of, id)
    }

    /// What falls due for one owner, by date.
    pub fn due_by_owner(&self, owner: &str) -> impl Iterator<Item = &Item> {
        self.obligations_at(&self.due_by_owner, owner)
    }

    /// The obligations an index (identity or owner → positions in `obligations`) gives `key`.
    fn obligations_at<'s>(
        &'s self,
        index: &'s HashMap<String, Vec<usize>>,
        key: &str,
    ) -> impl Iterator<Item = &'s Item> {
        crate::ownership::of(index, key)
            .iter()
            .map(|&n| &self.obligations[n])
    }

    /// Whether `item` falls due within [`SOON_DAYS`] of the day.
    pub fn is_soon(&self, item: &Item) -> bool {
        item.deadline
            .day()
            .is_some_and(|d| d <= day::add(self.checked.as_of, SOON_DAYS))
    }

    /// What falls due from the day to the end of the chart (not what is overdue), by date.
    pub fn due(&self) -> impl Iterator<Item = &Item> {
        self.due.iter().map(|&n| &self.obligations[n])
    }

    /// The items due within [`SOON_DAYS`] of the day.
    pub fn due_soon(&self) -> impl Iterator<Item = &Item> {
        self.due().filter(move |d| self.is_soon(d))
    }

    /// Days from the day to `date`.
    pub fn days_until(&self, date: Date) -> i64 {
        day::between(self.checked.as_of, date)
    }

    // Links. `root` is the way from the current page to the site root ("" or "../").

    pub fn identity_href(&self, id: &str, root: &str) -> Option<String> {
        page_href(&self.identity_ids, "identities", id, root)
    }

    pub fn owner_href(&self, id: &str, root: &str) -> Option<String> {
        page_href(&self.owner_ids, "owners", id, root)
    }

    pub fn system_href(&self, id: &str, root: &str) -> Option<String> {
        page_href(&self.system_ids, "systems", id, root)
    }

    pub fn exception_href(&self, id: &str, root: &str) -> Option<String> {
        page_href(&self.exception_ids, "exceptions", id, root)
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

/// The page of `id` in the folder `dir`, when `ids` (the ids that have a page there) holds it.
fn page_href(ids: &HashSet<&str>, dir: &str, id: &str, root: &str) -> Option<String> {
    ids.contains(id).then(|| format!("{root}{dir}/{id}.html"))
}

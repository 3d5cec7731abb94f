//! What falls due, and to whom: every dated obligation of the registry (rotations, access reviews,
//! credential expiries, vendor reviews, exception ends) with the day it falls due and the owner who must act.
//!
//! The days come from [`crate::rules::deadline`], the same functions the rules use, so an item falls due on
//! day D exactly when `nhi check --as-of D` does not report its rule for it and `--as-of D+1` does. Only
//! obligations whose rule can fire are listed: rules apply to active identities, and a rule turned `off` by
//! the policy lists nothing.

pub mod owners;

use std::path::Path;

use jiff::civil::Date;

pub use owners::Owner;

use crate::catalogue::RuleId;
use crate::day;
use crate::finding::Finding;
use crate::graph::Graph;
use crate::load::{self, LoadError};
use crate::model::{Doc, Exception, Identity, Kind, Registry};
use crate::rules::deadline::{self, Deadline};
use crate::rules::exceptions::Waivers;
use crate::rules::Ctx;

/// The kinds of obligation, each recorded by one command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum What {
    Rotation,
    Review,
    CredentialExpiry,
    VendorReview,
    ExceptionExpiry,
}

impl What {
    pub const ALL: [What; 5] = [
        What::CredentialExpiry,
        What::Rotation,
        What::Review,
        What::VendorReview,
        What::ExceptionExpiry,
    ];

    /// The name in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            What::Rotation => "rotation",
            What::Review => "review",
            What::CredentialExpiry => "credential-expiry",
            What::VendorReview => "vendor-review",
            What::ExceptionExpiry => "exception-expiry",
        }
    }

    /// A short phrase for people.
    pub fn label(self) -> &'static str {
        match self {
            What::Rotation => "rotation due",
            What::Review => "access review due",
            What::CredentialExpiry => "credential expires",
            What::VendorReview => "vendor review due",
            What::ExceptionExpiry => "exception expires",
        }
    }

    /// What to do, as the title of a calendar event or a chat line.
    pub fn action(self) -> &'static str {
        match self {
            What::Rotation => "Rotate",
            What::Review => "Review access of",
            What::CredentialExpiry => "Renew the credential of",
            What::VendorReview => "Review the vendor access of",
            What::ExceptionExpiry => "Renew or retire exception",
        }
    }

    /// The style class of the site's tables and chart.
    pub fn class(self) -> &'static str {
        match self {
            What::CredentialExpiry => "due-expiry",
            What::Rotation => "due-rotation",
            What::Review => "due-review",
            What::VendorReview => "due-vendor",
            What::ExceptionExpiry => "due-exception",
        }
    }
}

/// One obligation of one owner.
#[derive(Clone, Debug)]
pub struct Item {
    /// The accountable owner (a Team or Person id); `None` when the identity names none.
    pub owner: Option<String>,
    pub what: What,
    pub deadline: Deadline,
    /// The exception in force that waives the rule for it on the day, if any.
    pub waived_by: Option<String>,
    /// What the rule would report, where: rule, subject, file, and the key the obligation is written at.
    pub place: Finding,
}

impl Item {
    pub fn kind(&self) -> &'static str {
        self.place.subject.kind
    }

    pub fn id(&self) -> &str {
        &self.place.subject.id
    }

    pub fn rule(&self) -> RuleId {
        self.place.rule
    }

    /// Whether the item is overdue as of `day`: its rule reports it.
    pub fn overdue(&self, day: Date) -> bool {
        self.deadline.overdue(day)
    }

    /// The command that records the work, run from where the registry is `registry` (`None`: from inside).
    pub fn command(&self, registry: Option<&str>) -> String {
        let id = self.id();
        let mut command = match self.what {
            What::Rotation => format!("nhi rotated {id}"),
            What::CredentialExpiry => format!("nhi rotated {id}"),
            What::Review => format!("nhi review {id}"),
            What::VendorReview => format!("nhi review {id}"),
            What::ExceptionExpiry => format!("nhi renew {id}"),
        };
        if let Some(registry) = registry {
            command.push(' ');
            command.push_str(registry);
        }
        command.push_str(match self.what {
            What::Rotation => "",
            What::CredentialExpiry => " --expires YYYY-MM-DD",
            What::Review => " --by PERSON",
            What::VendorReview => " --vendor --by PERSON",
            What::ExceptionExpiry => " --expires YYYY-MM-DD --by PERSON",
        });
        command
    }

    /// The order of every listing: the most overdue first (no known day before every day), then owner,
    /// kind of obligation and subject.
    fn sort_key(&self) -> (Deadline, Option<&str>, What, &str, &str) {
        (
            self.deadline,
            self.owner.as_deref(),
            self.what,
            self.kind(),
            self.id(),
        )
    }
}

/// Every obligation whose rule is on, of every active identity and every exception, one item per owner;
/// positions are the documents' starts until [`place`] resolves them.
pub fn obligations(ctx: &Ctx<'_>, waivers: &Waivers<'_>) -> Vec<Item> {
    let on = |rule: RuleId| ctx.policy.severity(rule, rule.rule().default).is_some();
    let mut items = Vec::new();
    for doc in ctx
        .registry
        .identities
        .iter()
        .filter(|d| d.item.is_active())
    {
        of_identity(ctx, doc, &on, &mut items);
    }
    if on(RuleId::ExceptionExpired) {
        for doc in &ctx.registry.exceptions {
            of_exception(ctx, doc, &mut items);
        }
    }
    for item in items.iter_mut().filter(|i| i.kind() == "Identity") {
        item.waived_by = waivers
            .of(item.rule(), item.id())
            .map(|e| e.item.id.clone());
    }
    items
}

fn of_identity(
    ctx: &Ctx<'_>,
    doc: &Doc<Identity>,
    on: &dyn Fn(RuleId) -> bool,
    out: &mut Vec<Item>,
) {
    let i = &doc.item;
    let mut add = |what: What, rule: RuleId, pointer: &str, value: bool, deadline| {
        if !on(rule) {
            return;
        }
        let place = crate::finding::on_identity(rule, doc, pointer, String::new());
        out.push(Item {
            owner: i.owner.clone().filter(|o| !o.is_empty()),
            what,
            deadline,
            waived_by: None,
            place: if value { place.on_value() } else { place },
        });
    };
    if let Some(expiry) = deadline::credential_expiry(i) {
        let rule = RuleId::CredentialExpired;
        add(
            What::CredentialExpiry,
            rule,
            "/credential/expires",
            true,
            expiry,
        );
    }
    if let Some(r) = deadline::rotation(ctx, doc) {
        let pointer = r.since.map_or("/credential", |(_, p, _)| p);
        let rule = RuleId::RotationOverdue;
        add(What::Rotation, rule, pointer, r.since.is_some(), r.deadline);
    }
    let review = deadline::review(ctx, i).deadline;
    match review {
        Deadline::Unknown => add(
            What::Review,
            RuleId::ReviewMissing,
            "/review",
            false,
            review,
        ),
        Deadline::On(_) => add(
            What::Review,
            RuleId::ReviewOverdue,
            "/review/last",
            true,
            review,
        ),
    }
    if let Some(r) = deadline::vendor_review(ctx, i) {
        let (pointer, value) = match r.last {
            Some(_) => ("/vendor_review", true),
            None => ("/vendor", false),
        };
        let rule = RuleId::VendorReviewOverdue;
        add(What::VendorReview, rule, pointer, value, r.deadline);
    }
}

/// An exception's end, once for each owner of the identities it waives (once, unowned, when none has one).
fn of_exception(ctx: &Ctx<'_>, doc: &Doc<Exception>, out: &mut Vec<Item>) {
    let e = &doc.item;
    let Some(deadline) = deadline::exception_expiry(e) else {
        return;
    };
    let mut owners: Vec<Option<String>> = e
        .identities
        .iter()
        .filter_map(|id| ctx.identities.get(id.as_str()))
        .filter_map(|i| i.item.owner.clone().filter(|o| !o.is_empty()))
        .map(Some)
        .collect();
    owners.sort();
    owners.dedup();
    if owners.is_empty() {
        owners.push(None);
    }
    for owner in owners {
        out.push(Item {
            owner,
            what: What::ExceptionExpiry,
            deadline,
            waived_by: None,
            place: Finding::at(
                RuleId::ExceptionExpired,
                Kind::Exception,
                &e.id,
                &doc.source,
                "/expires",
                String::new(),
            )
            .on_value(),
        });
    }
}

/// Which items to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Items falling due within this many days of the day (overdue ones always).
    pub within: i64,
    /// Only this owner's items.
    pub owner: Option<String>,
}

/// What falls due as of a day: the listed items in order, and who the owners are.
pub struct Due {
    pub as_of: Date,
    pub within: i64,
    /// The owner asked for (`--owner`), if any.
    pub owner: Option<String>,
    pub items: Vec<Item>,
    /// Every Team and Person of the registry, by id, with what the outputs show of them.
    pub owners: std::collections::BTreeMap<String, Owner>,
}

impl Due {
    /// The listed items grouped by owner in one pass, each group in listing order (`None`: the unowned ones).
    pub fn by_owner(&self) -> std::collections::HashMap<Option<&str>, Vec<&Item>> {
        let mut groups: std::collections::HashMap<Option<&str>, Vec<&Item>> = Default::default();
        for item in &self.items {
            groups.entry(item.owner.as_deref()).or_default().push(item);
        }
        groups
    }

    /// The owners that have items, with their items, in order (`None`, the unowned, last).
    pub fn owners_with_items(&self) -> Vec<(Option<&str>, Vec<&Item>)> {
        let mut groups: Vec<_> = self.by_owner().into_iter().collect();
        groups.sort_by_key(|(o, _)| (o.is_none(), *o));
        groups
    }

    /// How many listed items are overdue; with `open`, only those no exception waives.
    pub fn overdue(&self, open: bool) -> usize {
        self.items
            .iter()
            .filter(|i| i.overdue(self.as_of) && !(open && i.waived_by.is_some()))
            .count()
    }
}

/// The items of `items` that `filter` lists as of `as_of`, in listing order.
pub fn select(mut items: Vec<Item>, as_of: Date, filter: &Filter) -> Vec<Item> {
    let horizon = day::add(as_of, filter.within);
    items.retain(|i| {
        let soon = i.deadline.day().is_none_or(|d| d <= horizon);
        soon && filter
            .owner
            .as_deref()
            .is_none_or(|o| i.owner.as_deref() == Some(o))
    });
    items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // Every obligation was listed before the filter: let go of the room the dropped ones took.
    items.shrink_to_fit();
    items
}

/// Sets the line and column of each item from its file, read again through `read`.
pub fn place(items: &mut [Item], read: &(dyn Fn(&str) -> Option<String> + Sync)) {
    let mut places: Vec<Finding> = items.iter().map(|i| i.place.clone()).collect();
    load::resolve_positions(&mut places, read);
    for (item, place) in items.iter_mut().zip(places) {
        item.place = place;
    }
}

/// What falls due in `registry` as of `as_of`: the rules' context with review periods from the blast
/// radius (as `nhi check` builds it), the obligations, the filter, and the order.
pub fn compute(registry: &Registry, as_of: Date, filter: &Filter) -> Vec<Item> {
    let (graph, ctx) = rayon::join(|| Graph::build(registry), || Ctx::new(registry, as_of));
    let ctx = ctx.with_graph(&graph);
    let waivers = Waivers::new(&ctx);
    select(obligations(&ctx, &waivers), as_of, filter)
}

/// Loads the registry at `root` and lists what falls due as of `as_of`, with positions.
pub fn load(root: &Path, as_of: Date, filter: &Filter) -> Result<Due, LoadError> {
    let loaded = load::load(root)?;
    let registry = loaded.registry;
    let mut items = compute(&registry, as_of, filter);
    let canonical_root = root.canonicalize().ok();
    place(&mut items, &|file| {
        load::read_again(canonical_root.as_deref()?, &root.join(file))
    });
    Ok(Due {
        as_of,
        within: filter.within,
        owner: filter.owner.clone(),
        owners: owners::of(&registry),
        items,
    })
}

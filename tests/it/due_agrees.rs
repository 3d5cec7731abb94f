//! `nhi due` agrees with `nhi check` on every day: an item falls due on day D exactly when the check as of D
//! does not report its rule for its subject and the check as of D+1 does; an item with no day is reported
//! every day. Registries come from the synthetic generator, varied by the property test: policies with
//! other periods and rules turned off, identities disabled, never rotated or never reviewed, per-identity
//! rotation periods, and an exception waiving identities of several owners.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::Path;

use jiff::civil::Date;
use proptest::prelude::*;

use nhi::day::add as add_days;
use nhi::due::{self, Filter, Item};
use nhi::model::Registry;
use nhi::rules::check;
use nhi::synth::Rng;

const DUE_RULES: [&str; 6] = [
    "rotation-overdue",
    "review-overdue",
    "review-missing",
    "credential-expired",
    "vendor-review-overdue",
    "exception-expired",
];

/// A policy drawn from `rng`: periods, criticality overrides and some of the due rules turned off.
fn policy(rng: &mut Rng) -> String {
    let mut p = format!(
        "kind: Policy\nreview_days: {}\nexpiry_warning_days: {}\n",
        30 + rng.below(300),
        rng.below(60)
    );
    if rng.chance(600) {
        p += &format!(
            "review_days_by_criticality: {{critical: {}, high: {}, medium: {}}}\n",
            10 + rng.below(100),
            20 + rng.below(150),
            30 + rng.below(200)
        );
    }
    p += &format!(
        "rotation_days: {{api_key: {}, token: {}, default: {}}}\n",
        5 + rng.below(120),
        5 + rng.below(60),
        5 + rng.below(200)
    );
    let mut rules = vec!["owner-is-person: notice".to_string()];
    for rule in DUE_RULES {
        match rng.below(6) {
            0 => rules.push(format!("{rule}: off")),
            1 => rules.push(format!("{rule}: notice")),
            _ => {}
        }
    }
    p + &format!("rules: {{{}}}\n", rules.join(", "))
}

/// Changes some identities: disabled, never rotated, never reviewed, a rotation period of their own.
fn vary_identities(dir: &Path, rng: &mut Rng) {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir.join("identities"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    for file in files {
        let mut text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let (disable, unrotated, unreviewed, own_period, unknown_age, unvendored) = (
            rng.chance(100),
            rng.chance(150),
            rng.chance(100),
            rng.chance(150),
            rng.chance(40),
            rng.chance(150),
        );
        let mut skip_review = false;
        for line in lines {
            if skip_review && line.starts_with("  ") {
                continue;
            }
            skip_review = false;
            if disable && line == "status: active" {
                out.push(format!(
                    "status: {}",
                    if rng.chance(500) {
                        "disabled"
                    } else {
                        "decommissioned\ndecommissioned_on: 2026-01-01"
                    }
                ));
                continue;
            }
            if (unrotated || unknown_age) && line.starts_with("  last_rotated:") {
                continue;
            }
            if unknown_age && line.starts_with("  created:") {
                continue;
            }
            if unvendored && line.starts_with("vendor_review:") {
                continue;
            }
            if unreviewed && line == "review:" {
                skip_review = true;
                continue;
            }
            out.push(line.to_string());
            if own_period && line == "  kind: static" {
                out.push(format!("  rotation_days: {}", 1 + rng.below(400)));
            }
        }
        text = out.join("\n") + "\n";
        fs::write(&file, text).unwrap();
    }
}

/// An exception over identities of several owners, on a rule drawn from the due rules.
fn shared_exception(dir: &Path, registry_ids: &[String], rng: &mut Rng) {
    let ids: Vec<&String> = (0..3)
        .map(|_| &registry_ids[rng.below(registry_ids.len())])
        .collect();
    let rule = ["review-overdue", "rotation-overdue", "credential-expired"][rng.below(3)];
    let text = format!(
        "kind: Exception\nid: exc-shared\nrule: {rule}\nidentities: [{}]\nreason: Shared migration\nrequested_by: person-1\napproved_by: person-2\napproved_on: 2026-10-01\nexpires: {}\n",
        ids.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        add_days(day("2026-11-23"), rng.below(120) as i64 - 60)
    );
    fs::write(dir.join("exceptions/shared.yaml"), text).unwrap();
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// A finding's rule, subject kind and subject id.
type Key = (String, String, String);
/// What the check reports on one day, with the exception that waives each.
type Reported = HashMap<Key, Option<String>>;

/// What the check reports as of each day: (rule, kind, id) → waived_by, cached by day.
struct Checks<'r> {
    registry: &'r Registry,
    days: HashMap<Date, Reported>,
}

impl Checks<'_> {
    fn at(&mut self, d: Date) -> &Reported {
        self.days.entry(d).or_insert_with(|| {
            check(self.registry, Vec::new(), d)
                .into_iter()
                .filter(|f| DUE_RULES.contains(&f.rule.as_str()))
                .map(|f| {
                    (
                        (f.rule.to_string(), f.subject.kind.to_string(), f.subject.id),
                        f.waived_by,
                    )
                })
                .collect()
        })
    }

    fn reports(&mut self, d: Date, item: &Item) -> bool {
        self.at(d).contains_key(&key(item))
    }
}

fn key(item: &Item) -> Key {
    (
        item.rule().to_string(),
        item.kind().to_string(),
        item.id().to_string(),
    )
}

fn agree(seed: u64, count: usize, as_of_offset: i64) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    nhi::synth::generate(dir.path(), count, seed).unwrap();
    let mut rng = Rng(seed ^ 0x5eed);
    fs::write(dir.path().join("nhi.yaml"), policy(&mut rng)).unwrap();
    vary_identities(dir.path(), &mut rng);
    let ids: Vec<String> = nhi::load::load(dir.path())
        .unwrap()
        .registry
        .identities
        .iter()
        .map(|d| d.item.id.clone())
        .collect();
    shared_exception(dir.path(), &ids, &mut rng);
    let registry = nhi::load::load(dir.path()).unwrap().registry;
    let as_of = add_days(day("2026-11-23"), as_of_offset);
    let everything = Filter {
        within: 100_000,
        owner: None,
    };
    let items = due::compute(&registry, as_of, &everything);
    let mut checks = Checks {
        registry: &registry,
        days: HashMap::new(),
    };
    // Each item: not reported on its day, reported the day after; no day: reported on every day.
    for item in &items {
        match item.deadline.day() {
            Some(d) => {
                prop_assert!(!checks.reports(d, item), "{item:?} reported on its day {d}");
                let next = add_days(d, 1);
                prop_assert!(
                    checks.reports(next, item),
                    "{item:?} not reported on {next}"
                );
            }
            None => {
                prop_assert!(checks.reports(as_of, item), "{item:?} not reported");
                prop_assert!(checks.reports(add_days(as_of, -400), item));
            }
        }
        // The waiver on the day is the one the check applies.
        if let Some(waived) = checks.at(as_of).get(&key(item)) {
            prop_assert_eq!(waived, &item.waived_by, "{:?}", item);
        }
    }
    // Conversely, every finding of a due rule that appears from one day to the next is an item due that day.
    let by_key: HashMap<Key, BTreeSet<Option<Date>>> =
        items.iter().fold(HashMap::new(), |mut m, i| {
            m.entry(key(i)).or_default().insert(i.deadline.day());
            m
        });
    let due_days: BTreeSet<Date> = items.iter().filter_map(|i| i.deadline.day()).collect();
    let mut probes: Vec<Date> = due_days.iter().take(4).copied().collect();
    probes.extend([as_of, add_days(as_of, 45), add_days(as_of, -45)]);
    for x in probes {
        let before: BTreeSet<_> = checks.at(x).keys().cloned().collect();
        let after: BTreeSet<_> = checks.at(add_days(x, 1)).keys().cloned().collect();
        for appeared in after.difference(&before) {
            let days = by_key.get(appeared);
            prop_assert!(
                days.is_some_and(|d| d.contains(&Some(x))),
                "{appeared:?} appears on {} but nhi due lists it for {days:?}",
                add_days(x, 1)
            );
        }
        // Reported today and no item at all: impossible.
        for reported in &after {
            prop_assert!(by_key.contains_key(reported), "{reported:?} has no item");
        }
    }
    // One item per owner: no two items share (what, kind, id, owner).
    let mut seen = BTreeSet::new();
    for i in &items {
        prop_assert!(seen.insert((i.what, i.kind(), i.id().to_string(), i.owner.clone())));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_item_falls_due_exactly_when_the_check_starts_reporting_it(
        seed in any::<u64>(), count in 12usize..60, offset in -200i64..200,
    ) {
        agree(seed, count, offset)?;
    }
}

#[test]
fn the_synthetic_registry_of_the_benchmarks_agrees_on_its_reference_day() {
    agree(7, 400, 0).unwrap();
}

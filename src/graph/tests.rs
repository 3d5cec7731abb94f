//! Blast radii of small hand-computed graphs, and agreement of the one-root search with the ranking.

use std::sync::Arc;

use super::*;
use crate::model::{Access, Criticality as C, Doc, Level as L, Source, SystemType as T};
use crate::span::Pos;

fn doc<X>(item: X) -> Doc<X> {
    let source = Source {
        file: Arc::from("test.yaml"),
        start: Pos::new(1, 1),
        doc: 0,
        flawed: false,
    };
    Doc { source, item }
}

fn system(id: &str, kind: T, criticality: C) -> Doc<System> {
    doc(System {
        id: id.into(),
        kind: Some(kind),
        criticality: Some(criticality),
        ..System::default()
    })
}

/// An active identity with `access`, stored in `stores` and used by `used_by`.
fn identity(id: &str, access: &[(&str, L)], stores: &[&str], used_by: &[&str]) -> Doc<Identity> {
    let mut i = Identity {
        id: id.into(),
        status: Some(Status::Active),
        ..Identity::default()
    };
    i.credential.kind = Some(CredentialKind::Static);
    i.credential.stores = stores.iter().map(|s| s.to_string()).collect();
    i.access = access
        .iter()
        .map(|(s, l)| Access {
            system: s.to_string(),
            level: Some(*l),
            ..Access::default()
        })
        .collect();
    i.used_by = used_by.iter().map(|s| s.to_string()).collect();
    doc(i)
}

fn registry(systems: Vec<Doc<System>>, identities: Vec<Doc<Identity>>) -> Registry {
    Registry {
        systems,
        identities,
        ..Registry::default()
    }
}

fn systems(b: &Blast) -> Vec<(&str, L)> {
    b.systems.iter().map(|s| (s.id.as_str(), s.level)).collect()
}

fn picked(b: &Blast) -> Vec<&str> {
    b.identities.iter().map(|i| i.id.as_str()).collect()
}

/// Every path starts at the root, chains, follows a real edge at each step, and ends at its target.
fn assert_paths_valid(g: &Graph, b: &Blast) {
    let key = |id: &str, kind| {
        if kind == Kind::Identity {
            g.identity(id)
        } else {
            g.system(id)
        }
    };
    let targets = b
        .systems
        .iter()
        .map(|s| (&s.id, Kind::System, &s.path))
        .chain(
            b.identities
                .iter()
                .map(|i| (&i.id, Kind::Identity, &i.path)),
        );
    for (target, kind, path) in targets {
        let mut at = (b.root.clone(), b.root_kind);
        for step in path {
            assert_eq!(step.from, at.0, "path to {target} does not chain");
            let to_kind = if matches!(step.edge, Edge::Access(_)) {
                Kind::System
            } else {
                Kind::Identity
            };
            let (from, to) = (
                key(&step.from, at.1).unwrap(),
                key(&step.to, to_kind).unwrap(),
            );
            let real = g
                .petgraph()
                .edges_connecting(from, to)
                .any(|e| *e.weight() == step.edge);
            assert!(
                real,
                "{} -> {} ({:?}) is not an edge",
                step.from, step.to, step.edge
            );
            at = (step.to.clone(), to_kind);
        }
        assert_eq!(
            (&at.0, at.1),
            (target, kind),
            "path does not end at its target"
        );
    }
}

/// The example of the specification: a key with admin on the vault reaches what the vault holds.
fn spec_example() -> Registry {
    registry(
        vec![
            system("vault-prod", T::SecretStore, C::Critical),
            system("aws-prod", T::CloudAccount, C::Critical),
        ],
        vec![
            identity(
                "payments-stripe-key",
                &[("vault-prod", L::Admin)],
                &["vault-prod"],
                &[],
            ),
            identity(
                "ci-deployer",
                &[("aws-prod", L::Admin)],
                &["vault-prod"],
                &[],
            ),
        ],
    )
}

#[test]
fn admin_on_a_vault_picks_up_what_it_holds_and_explains_the_path() {
    let g = Graph::build(&spec_example());
    let b = g.blast("payments-stripe-key").unwrap();
    assert_eq!(
        systems(&b),
        [("aws-prod", L::Admin), ("vault-prod", L::Admin)]
    );
    assert_eq!(picked(&b), ["ci-deployer"]);
    assert_eq!(b.score, 20);
    let aws = &b.systems[0];
    assert_eq!(
        render_path(&b.root, &aws.path),
        "payments-stripe-key → (admin) vault-prod → holds ci-deployer → (admin) aws-prod"
    );
    assert_eq!(aws.explained, render_path(&b.root, &aws.path));
    assert_paths_valid(&g, &b);
}

#[test]
fn read_on_a_secret_store_picks_up_but_read_on_a_database_does_not() {
    let r = registry(
        vec![
            system("vault", T::SecretStore, C::High),
            system("db", T::Database, C::High),
            system("target", T::Saas, C::Low),
        ],
        vec![
            identity("reader", &[("vault", L::Read), ("db", L::Read)], &[], &[]),
            identity("in-vault", &[("target", L::Write)], &["vault"], &[]),
            identity("in-db", &[("target", L::Admin)], &["db"], &["db"]),
        ],
    );
    let g = Graph::build(&r);
    let b = g.blast("reader").unwrap();
    assert_eq!(picked(&b), ["in-vault"]);
    assert_eq!(
        systems(&b),
        [("db", L::Read), ("vault", L::Read), ("target", L::Write)]
    );
    assert!(
        b.systems
            .iter()
            .find(|s| s.id == "vault")
            .unwrap()
            .controlled
    );
    assert!(!b.systems.iter().find(|s| s.id == "db").unwrap().controlled);
    assert_paths_valid(&g, &b);
}

#[test]
fn write_on_a_service_gives_nothing_but_admin_gives_what_it_runs_and_stores() {
    let r = registry(
        vec![
            system("svc", T::Service, C::Medium),
            system("crm", T::Saas, C::High),
        ],
        vec![
            identity("writer", &[("svc", L::Write)], &[], &[]),
            identity("admin", &[("svc", L::Admin)], &[], &[]),
            identity("runs-there", &[("crm", L::Read)], &[], &["svc"]),
            identity("stored-there", &[], &["svc"], &[]),
        ],
    );
    let g = Graph::build(&r);
    let writer = g.blast("writer").unwrap();
    assert!(writer.identities.is_empty());
    assert_eq!(systems(&writer), [("svc", L::Write)]);
    let admin = g.blast("admin").unwrap();
    assert_eq!(picked(&admin), ["runs-there", "stored-there"]);
    assert_eq!(admin.identities[0].path.last().unwrap().edge, Edge::Runs);
    assert_eq!(admin.identities[1].path.last().unwrap().edge, Edge::Holds);
    assert_eq!(systems(&admin), [("crm", L::Read), ("svc", L::Admin)]);
    assert_eq!(admin.score, 7);
    assert_paths_valid(&g, &admin);
}

#[test]
fn cycles_end_and_count_each_system_and_identity_once() {
    // a is stored in the vault it administers; b, in the vault too, administers the cluster running a.
    let r = registry(
        vec![
            system("vault", T::SecretStore, C::Critical),
            system("k8s", T::Cluster, C::High),
        ],
        vec![
            identity("a", &[("vault", L::Admin)], &["vault"], &["k8s"]),
            identity("b", &[("k8s", L::Admin)], &["vault"], &[]),
        ],
    );
    let g = Graph::build(&r);
    for root in ["a", "b", "vault", "k8s"] {
        let b = g.blast(root).unwrap();
        assert_eq!(
            systems(&b),
            [("vault", L::Admin), ("k8s", L::Admin)],
            "{root}"
        );
        assert_eq!(b.score, 15);
        assert!(!picked(&b).contains(&root), "the root is never picked up");
        assert_paths_valid(&g, &b);
    }
    assert_eq!(picked(&g.blast("a").unwrap()), ["b"]);
    assert_eq!(picked(&g.blast("vault").unwrap()), ["a", "b"]);
}

#[test]
fn a_revoked_decommissioned_credential_takes_no_part_but_an_unrevoked_one_does() {
    let mut revoked = identity("revoked", &[("crm", L::Admin)], &["vault"], &[]);
    revoked.item.status = Some(Status::Decommissioned);
    revoked.item.credential.revoked_on = "2026-01-02".parse().ok();
    let mut forgotten = identity("forgotten", &[("db", L::Admin)], &["vault"], &[]);
    forgotten.item.status = Some(Status::Decommissioned);
    let mut disabled = identity("disabled", &[("ci", L::Read)], &["vault"], &[]);
    disabled.item.status = Some(Status::Disabled);
    let r = registry(
        vec![
            system("vault", T::SecretStore, C::Critical),
            system("crm", T::Saas, C::High),
            system("db", T::Database, C::High),
            system("ci", T::CiCd, C::Medium),
        ],
        vec![
            identity("root", &[("vault", L::Read)], &[], &[]),
            revoked,
            forgotten,
            disabled,
        ],
    );
    let g = Graph::build(&r);
    let b = g.blast("root").unwrap();
    assert_eq!(picked(&b), ["disabled", "forgotten"]);
    assert_eq!(
        systems(&b),
        [("vault", L::Read), ("db", L::Admin), ("ci", L::Read)]
    );
    let gone = g.blast("revoked").unwrap();
    assert!(gone.revoked && gone.systems.is_empty() && gone.score == 0);
}

#[test]
fn a_system_root_is_held_with_admin() {
    let g = Graph::build(&spec_example());
    let b = g.blast("vault-prod").unwrap();
    assert_eq!(b.root_kind, Kind::System);
    assert_eq!(
        systems(&b),
        [("aws-prod", L::Admin), ("vault-prod", L::Admin)]
    );
    assert!(b.systems[1].path.is_empty());
    assert_eq!(picked(&b), ["ci-deployer", "payments-stripe-key"]);
    assert_eq!(
        b.systems[0].explained,
        "vault-prod → holds ci-deployer → (admin) aws-prod"
    );
    assert_paths_valid(&g, &b);
}

#[test]
fn the_level_reported_is_the_highest_and_its_path_explains_it() {
    let r = registry(
        vec![
            system("vault", T::SecretStore, C::Critical),
            system("db", T::Database, C::High),
        ],
        vec![
            identity(
                "root",
                &[("db", L::Read), ("vault", L::Write), ("db", L::Write)],
                &[],
                &[],
            ),
            identity("dba", &[("db", L::Admin)], &["vault"], &[]),
        ],
    );
    let g = Graph::build(&r);
    let b = g.blast("root").unwrap();
    let db = b.systems.iter().find(|s| s.id == "db").unwrap();
    assert_eq!(db.level, L::Admin);
    assert_eq!(
        db.explained,
        "root → (write) vault → holds dba → (admin) db"
    );
    assert_paths_valid(&g, &b);
}

#[test]
fn unknown_systems_make_no_edges_and_prefixes_choose_between_kinds() {
    let r = registry(
        vec![system("github", T::Repository, C::High)],
        vec![identity(
            "github",
            &[("github", L::Admin), ("nowhere", L::Admin)],
            &["nowhere"],
            &["alice"],
        )],
    );
    let g = Graph::build(&r);
    assert_eq!(g.petgraph().edge_count(), 1);
    assert_eq!(g.blast("github").unwrap().root_kind, Kind::Identity);
    assert_eq!(g.blast("system:github").unwrap().root_kind, Kind::System);
    assert!(g.blast("nowhere").is_none());
}

/// A small deterministic generator (no test dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn random_registry(seed: u64, identities: usize, systems_n: usize) -> Registry {
    let mut rng = Lcg(seed);
    let types = [
        T::SecretStore,
        T::Database,
        T::Service,
        T::CloudAccount,
        T::Cluster,
    ];
    let crits = [C::Low, C::Medium, C::High, C::Critical];
    let systems: Vec<_> = (0..systems_n)
        .map(|s| system(&format!("s{s}"), types[rng.next(5)], crits[rng.next(4)]))
        .collect();
    let levels = [L::Read, L::Write, L::Admin];
    let mut docs = Vec::new();
    for i in 0..identities {
        let access: Vec<(String, L)> = (0..rng.next(4))
            .map(|_| (format!("s{}", rng.next(systems_n)), levels[rng.next(3)]))
            .collect();
        let stores: Vec<String> = (0..rng.next(3))
            .map(|_| format!("s{}", rng.next(systems_n)))
            .collect();
        let users: Vec<String> = (0..rng.next(2))
            .map(|_| format!("s{}", rng.next(systems_n)))
            .collect();
        let access: Vec<(&str, L)> = access.iter().map(|(s, l)| (s.as_str(), *l)).collect();
        let stores: Vec<&str> = stores.iter().map(String::as_str).collect();
        let users: Vec<&str> = users.iter().map(String::as_str).collect();
        let mut d = identity(&format!("i{i}"), &access, &stores, &users);
        if rng.next(10) == 0 {
            d.item.status = Some(Status::Decommissioned);
            d.item.credential.revoked_on = "2026-01-01".parse().ok();
        }
        docs.push(d);
    }
    registry(systems, docs)
}

fn summary_of(b: &Blast) -> Summary {
    let mut critical_systems: Vec<String> = b
        .systems
        .iter()
        .filter(|s| s.criticality == Some(C::Critical))
        .map(|s| s.id.clone())
        .collect();
    critical_systems.sort();
    critical_systems.truncate(CRITICAL_SAMPLE);
    Summary {
        identity: b.root.clone(),
        score: b.score,
        systems: b.systems.len(),
        critical: b.critical(),
        highest: b.highest(),
        identities: b.identities.len(),
        critical_systems,
    }
}

#[test]
fn the_ranking_agrees_with_the_search_for_every_identity() {
    for (seed, identities, systems) in [(1, 60, 12), (2, 200, 30), (3, 400, 40), (4, 150, 150)] {
        let g = Graph::build(&random_registry(seed, identities, systems));
        // A tiny budget forces the closures to be computed in many slices.
        for budget in [1, rank::BUDGET_WORDS] {
            let mut all = rank::all_within(&g, budget);
            all.sort_by(|a, b| a.identity.cmp(&b.identity));
            assert!(
                all.iter().any(|s| s.identities > 3 && s.critical > 1),
                "seed {seed} exercises propagation"
            );
            for summary in &all {
                let b = g.blast(&summary.identity).unwrap();
                assert_eq!(*summary, summary_of(&b), "seed {seed}, budget {budget}");
                assert_paths_valid(&g, &b);
            }
        }
    }
}

#[test]
fn the_ranking_is_by_score_then_id() {
    let g = Graph::build(&random_registry(7, 100, 20));
    let all = g.all();
    assert_eq!(all.len(), 100);
    assert!(all
        .windows(2)
        .all(|w| w[0].score > w[1].score
            || (w[0].score == w[1].score && w[0].identity < w[1].identity)));
}

/// A registry in clusters: each cluster's identities mostly act on its own systems (vaults that hold
/// credentials with admin on the vault: cycles), some reach into earlier clusters (chains of components),
/// a few into later ones (cycles across clusters). Some systems have no criticality, some identities are
/// both stored in and run by one system, some are revoked.
fn clustered_registry(seed: u64, clusters: usize, per_cluster: usize) -> Registry {
    use crate::synth::Rng;
    let mut rng = Rng(seed);
    let types = [T::SecretStore, T::Service, T::Cluster, T::Database, T::Saas];
    let crits = [
        None,
        Some(C::Low),
        Some(C::Medium),
        Some(C::High),
        Some(C::Critical),
    ];
    let systems_per = 4;
    let systems: Vec<_> = (0..clusters * systems_per)
        .map(|s| {
            let mut d = system(&format!("s{s:03}"), types[rng.below(5)], C::Low);
            d.item.criticality = crits[rng.below(5)];
            d
        })
        .collect();
    let pick = |rng: &mut Rng, cluster: usize| {
        let cluster = match rng.below(20) {
            0..=3 => rng.below(cluster + 1),
            4 | 5 => rng.below(clusters),
            _ => cluster,
        };
        format!("s{:03}", cluster * systems_per + rng.below(systems_per))
    };
    let levels = [L::Read, L::Read, L::Write, L::Admin];
    let mut docs = Vec::new();
    for i in 0..clusters * per_cluster {
        let cluster = i / per_cluster;
        let access: Vec<(String, L)> = (0..rng.below(4))
            .map(|_| (pick(&mut rng, cluster), levels[rng.below(4)]))
            .collect();
        let stores: Vec<String> = (0..rng.below(2)).map(|_| pick(&mut rng, cluster)).collect();
        let mut users: Vec<String> = (0..rng.below(2)).map(|_| pick(&mut rng, cluster)).collect();
        if rng.chance(100) {
            users.extend(stores.first().cloned());
        }
        let access: Vec<(&str, L)> = access.iter().map(|(s, l)| (s.as_str(), *l)).collect();
        let stores: Vec<&str> = stores.iter().map(String::as_str).collect();
        let users: Vec<&str> = users.iter().map(String::as_str).collect();
        let mut d = identity(&format!("i{i:04}"), &access, &stores, &users);
        if rng.chance(50) {
            d.item.status = Some(Status::Decommissioned);
            d.item.credential.revoked_on = "2026-01-01".parse().ok();
        }
        docs.push(d);
    }
    registry(systems, docs)
}

#[test]
fn the_ranking_agrees_with_the_search_on_clustered_graphs_at_every_budget() {
    for (seed, clusters, per_cluster) in [(11, 30, 12), (12, 60, 8), (13, 12, 40), (14, 80, 5)] {
        let g = Graph::build(&clustered_registry(seed, clusters, per_cluster));
        let mut expected: Vec<Summary> = (0..g.identity_count())
            .map(|i| summary_of(&blast::blast(&g, NodeIndex::new(i))))
            .collect();
        expected.sort_by(|a, b| a.identity.cmp(&b.identity));
        let reach = |s: &Summary| s.identities;
        assert!(
            expected.iter().map(reach).max() > Some(g.identity_count() / 20),
            "seed {seed}: some identity reaches far"
        );
        assert!(
            expected.iter().filter(|s| s.systems > 0).map(reach).min() == Some(0),
            "seed {seed}: some identity reaches little"
        );
        let mut all = g.all();
        all.sort_by(|a, b| a.identity.cmp(&b.identity));
        assert_eq!(all, expected, "seed {seed}");
        // Budgets from none (no bit sets at all) to a few anchors to as many as needed.
        for budget in [0, 1, 16, 64, 256, rank::BUDGET_WORDS] {
            let mut all = rank::all_within(&g, budget);
            all.sort_by(|a, b| a.identity.cmp(&b.identity));
            assert_eq!(all, expected, "seed {seed}, budget {budget}");
        }
    }
}

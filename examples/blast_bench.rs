//! Times the blast-radius analysis of every identity on a synthetic registry built in memory.
//!
//! `cargo run --release --example blast_bench -- [IDENTITIES] [SYSTEMS] [--seed N] [--quick]` (default
//! 100,000 identities and 10,000 systems; `--quick` skips the sample of one-root searches). The registry
//! is shaped like a real one: most identities read or write a few systems and live in a secret store and
//! a workload; a few percent hold admin on stores, clusters and cloud accounts, so credentials chain
//! through vaults into large cycles. It prints the time to build the graph, to rank every identity, to
//! answer one `nhi blast`, the peak resident memory, and a digest of the whole ranking, so that two builds
//! can be checked to agree on every identity.

use std::sync::Arc;
use std::time::Instant;

use nhi::graph::Graph;
use nhi::model::{
    Access, CredentialKind, Criticality, Doc, Identity, Level, Registry, Source, Status, System,
    SystemType,
};
use nhi::span::Pos;
use nhi::synth::Rng;

fn doc<T>(item: T, source: &Source) -> Doc<T> {
    Doc {
        source: source.clone(),
        item,
    }
}

fn synthetic(identities: usize, systems: usize, seed: u64) -> Registry {
    let mut rng = Rng(seed);
    let source = Source {
        file: Arc::from("synthetic.yaml"),
        start: Pos::new(1, 1),
        doc: 0,
        flawed: false,
    };
    // Systems by share: 2% secret stores, 15% services (workloads), 3% clusters, 2% cloud accounts, the rest
    // databases and SaaS.
    let kind_of = |s: usize| match s % 100 {
        0 | 1 => SystemType::SecretStore,
        2..=16 => SystemType::Service,
        17..=19 => SystemType::Cluster,
        20 | 21 => SystemType::CloudAccount,
        22..=60 => SystemType::Database,
        _ => SystemType::Saas,
    };
    let criticalities = [
        Criticality::Low,
        Criticality::Medium,
        Criticality::High,
        Criticality::Critical,
    ];
    let mut registry = Registry::default();
    let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); 9];
    for s in 0..systems {
        let kind = kind_of(s);
        by_kind[kind as usize].push(s);
        let criticality = criticalities[[0, 1, 1, 2, 2, 2, 3][rng.below(7)]];
        let item = System {
            id: format!("sys-{s:05}"),
            kind: Some(kind),
            criticality: Some(criticality),
            ..System::default()
        };
        registry.systems.push(doc(item, &source));
    }
    let pick = |rng: &mut Rng, kind: SystemType| {
        let list = &by_kind[kind as usize];
        format!("sys-{:05}", list[rng.below(list.len())])
    };
    for i in 0..identities {
        let mut item = Identity {
            id: format!("nhi-{i:06}"),
            status: Some(Status::Active),
            ..Identity::default()
        };
        item.credential.kind = Some(if rng.chance(600) {
            CredentialKind::Static
        } else {
            CredentialKind::Federated
        });
        for _ in 0..1 + rng.below(4) {
            let system = format!("sys-{:05}", rng.below(systems));
            let level = if rng.chance(50) {
                Level::Admin
            } else if rng.chance(400) {
                Level::Write
            } else {
                Level::Read
            };
            item.access.push(Access {
                system,
                level: Some(level),
                ..Access::default()
            });
        }
        if rng.chance(20) {
            let target = [
                SystemType::SecretStore,
                SystemType::Cluster,
                SystemType::CloudAccount,
            ][rng.below(3)];
            let system = pick(&mut rng, target);
            item.access.push(Access {
                system,
                level: Some(Level::Admin),
                ..Access::default()
            });
        }
        if item.credential.kind == Some(CredentialKind::Static) {
            item.credential
                .stores
                .push(pick(&mut rng, SystemType::SecretStore));
        }
        item.used_by.push(pick(&mut rng, SystemType::Service));
        if rng.chance(30) {
            item.status = Some(Status::Decommissioned);
            item.credential.revoked_on = "2026-01-01".parse().ok();
        }
        registry.identities.push(doc(item, &source));
    }
    registry
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(7);
    let quick = args.iter().any(|a| a == "--quick");
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let identities = numbers.first().copied().unwrap_or(100_000);
    let systems = numbers.get(1).copied().unwrap_or(10_000);

    let registry = synthetic(identities, systems, seed);
    let rss_registry = peak_rss_mib();
    let t = Instant::now();
    let graph = Graph::build(&registry);
    let build = t.elapsed();
    let rss_graph = peak_rss_mib();
    let t = Instant::now();
    let all = graph.all();
    let ranking = t.elapsed();
    let rss_ranking = peak_rss_mib();
    // What one search per identity would cost: a sample of searches, extrapolated.
    let sample: Vec<&str> = all
        .iter()
        .step_by((all.len() / 200).max(1))
        .map(|s| s.identity.as_str())
        .collect();
    let t = Instant::now();
    if !quick {
        for id in &sample {
            std::hint::black_box(graph.blast(id));
        }
    }
    let naive = t.elapsed().as_secs_f64() / sample.len().max(1) as f64 * all.len() as f64;
    let top = &all[0];
    let t = Instant::now();
    let blast = graph.blast(&top.identity).expect("the top identity exists");
    let one = t.elapsed();

    // A digest of the whole ranking, to check that two builds agree on every identity.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for summary in &all {
        std::hash::Hash::hash(&format!("{summary:?}"), &mut hasher);
    }
    let digest = std::hash::Hasher::finish(&hasher);
    let g = graph.petgraph();
    println!(
        "registry: {identities} identities, {systems} systems, {} edges (seed {seed})",
        g.edge_count()
    );
    println!("threads: {}", rayon::current_num_threads());
    println!("ranking digest: {digest:016x}");
    println!("build graph:       {:>8.1} ms", build.as_secs_f64() * 1e3);
    println!("rank all:          {:>8.1} ms", ranking.as_secs_f64() * 1e3);
    println!("one blast (top):   {:>8.1} ms", one.as_secs_f64() * 1e3);
    if !quick {
        println!(
            "blast() per identity instead, paths included (extrapolated from {} roots): {naive:.0} s",
            sample.len()
        );
    }
    let mean = all.iter().map(|s| s.systems).sum::<usize>() as f64 / all.len().max(1) as f64;
    let picked = all.iter().map(|s| s.identities).sum::<usize>() as f64 / all.len().max(1) as f64;
    println!("mean reach: {mean:.0} systems, {picked:.0} identities picked up");
    println!(
        "top: {} score {} ({} systems, {} critical, {} identities); search agrees: {}",
        top.identity,
        top.score,
        top.systems,
        top.critical,
        top.identities,
        blast.score == top.score
            && blast.systems.len() == top.systems
            && blast.identities.len() == top.identities
    );
    if let (Some(registry), Some(graph), Some(ranking)) = (rss_registry, rss_graph, rss_ranking) {
        println!("peak memory: {registry:.0} MiB with the registry, {graph:.0} MiB with the graph, {ranking:.0} MiB after ranking");
    }
}

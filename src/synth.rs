//! A generator of realistic synthetic registries, deterministic from a seed, for benchmarks and scale tests.
//!
//! `cargo run --release --example synth -- 100000 /tmp/reg [--seed 7]` (see `examples/synth.rs`) writes a registry of 100,000
//! identities (one file each, grouped by team), a system for every ten identities, teams and persons in
//! multi-document files, and exceptions. Every kind and field of the format appears; references resolve;
//! a small, fixed share of documents carries deliberate defects (overdue rotations and reviews, unknown
//! references, schema errors, expired exceptions) so the rules have something to find.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// SplitMix64: tiny, fast, and the same sequence on every platform.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next_u64() % 1000 < per_mille
    }
    /// A day between `from_days_ago` and `to_days_ago` before the reference day 2026-11-23.
    fn day(&mut self, from_days_ago: i64, to_days_ago: i64) -> String {
        let span = (from_days_ago - to_days_ago).max(1) as usize;
        days_before(to_days_ago + self.below(span) as i64)
    }

    /// A day `(from, to)` days ago from `rare` with a chance of `per_mille` in a thousand, else from `usual`.
    fn day_mostly(&mut self, usual: (i64, i64), per_mille: u64, rare: (i64, i64)) -> String {
        let (from, to) = if self.chance(per_mille) { rare } else { usual };
        self.day(from, to)
    }
}

/// The calendar day `n` days before 2026-11-23 (civil-from-days, Howard Hinnant's algorithm).
fn days_before(n: i64) -> String {
    let z = 20_780 - n + 719_468; // 2026-11-23 is day 20,780 since 1970-01-01
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

const TYPES: [&str; 8] = [
    "service_account",
    "api_key",
    "oauth_app",
    "token",
    "certificate",
    "ssh_key",
    "bot",
    "workload",
];
const SYSTEM_TYPES: [&str; 9] = [
    "secret_store",
    "database",
    "cloud_account",
    "saas",
    "ci_cd",
    "cluster",
    "service",
    "repository",
    "other",
];
const CRITICALITY: [&str; 4] = ["low", "medium", "high", "critical"];
const ENVIRONMENTS: [&str; 5] = ["prod", "prod", "staging", "dev", "shared"];
const VENDORS: [&str; 6] = [
    "stripe",
    "datadog",
    "snowflake",
    "github",
    "slack",
    "pagerduty",
];

/// How many documents of each kind a registry of `count` identities gets.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub identities: usize,
    pub systems: usize,
    pub teams: usize,
    pub persons: usize,
    pub exceptions: usize,
}

impl Sizes {
    pub fn for_identities(count: usize) -> Sizes {
        Sizes {
            identities: count,
            systems: (count / 10).max(12),
            teams: (count / 500).clamp(3, 400),
            persons: (count / 100).max(9),
            exceptions: (count / 200).max(2),
        }
    }
}

/// Writes a registry of `count` identities into `dir`, the same for the same `seed`.
pub fn generate(dir: &Path, count: usize, seed: u64) -> io::Result<Sizes> {
    let sizes = Sizes::for_identities(count);
    fs::create_dir_all(dir)?;
    let mut rng = Rng(seed);
    write(
        &dir.join("nhi.yaml"),
        "kind: Policy\norganization: Synthetic Corp\nreview_days: 180\nrules: {owner-is-person: notice}\n",
    )?;
    owners(dir, &sizes, &mut rng)?;
    systems(dir, &sizes, &mut rng)?;
    let overdue = identities(dir, &sizes, &mut rng)?;
    exceptions(dir, &sizes, &overdue, &mut rng)?;
    Ok(sizes)
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)
}

fn owners(dir: &Path, s: &Sizes, rng: &mut Rng) -> io::Result<()> {
    let mut teams = String::new();
    for t in 0..s.teams {
        let _ = write!(teams, "---\nkind: Team\nid: team-{t}\nname: Team {t}\nemail: team-{t}@example.com\nslack: \"#team-{t}\"\nlead: person-{t}\ngithub: \"@synthetic/team-{t}\"\n");
    }
    write(&dir.join("owners/teams.yaml"), &teams)?;
    let mut persons = String::new();
    for p in 0..s.persons {
        // Every team keeps its lead (person-T is active); a few others have left.
        let left = p >= s.teams && rng.chance(30);
        let _ = write!(persons, "---\nkind: Person\nid: person-{p}\nname: Person {p}\nemail: person-{p}@example.com\nteam: team-{}\n", p % s.teams);
        if left {
            let _ = write!(persons, "active: false\nleft_on: {}\n", rng.day(400, 10));
        }
    }
    write(&dir.join("owners/persons.yaml"), &persons)
}

fn systems(dir: &Path, s: &Sizes, rng: &mut Rng) -> io::Result<()> {
    for chunk in 0..s.systems.div_ceil(1000) {
        let mut text = String::new();
        for i in chunk * 1000..((chunk + 1) * 1000).min(s.systems) {
            let kind = if is_secret_store(i) {
                "secret_store"
            } else {
                SYSTEM_TYPES[i % SYSTEM_TYPES.len()]
            };
            let crit = CRITICALITY[rng.below(4)];
            let env = ENVIRONMENTS[i % ENVIRONMENTS.len()];
            let _ = write!(text, "---\nkind: System\nid: sys-{i}\nname: System {i}\ntype: {kind}\ncriticality: {crit}\nenvironment: {env}\nowner: team-{}\n", i % s.teams);
            if kind == "saas" {
                let _ = writeln!(text, "vendor: {}", rng.pick(&VENDORS));
            }
        }
        write(&dir.join(format!("systems/systems-{chunk:04}.yaml")), &text)?;
    }
    Ok(())
}

/// Writes the identities and returns those whose rotation is overdue (for exceptions to waive).
fn identities(dir: &Path, s: &Sizes, rng: &mut Rng) -> io::Result<Vec<(usize, String)>> {
    let stores: Vec<usize> = (0..s.systems).filter(|i| is_secret_store(*i)).collect();
    let mut overdue = Vec::new();
    for i in 0..s.identities {
        let team = i % s.teams;
        let kind = TYPES[i % TYPES.len()];
        let (text, late) = identity(i, kind, team, s, &stores, rng);
        if late {
            overdue.push((team, format!("{kind}-{i}")));
        }
        write(
            &dir.join(format!("identities/team-{team}/{kind}-{i}.yaml")),
            &text,
        )?;
    }
    Ok(overdue)
}

/// A system of the same environment as `env_index` mostly, another one rarely (a cross-environment defect).
fn system_for(env_index: usize, s: &Sizes, rng: &mut Rng) -> usize {
    let k = ENVIRONMENTS.len();
    for _ in 0..4 {
        let system = if rng.chance(5) {
            rng.below(s.systems)
        } else {
            let slot = rng.below(s.systems / k) * k + env_index;
            if slot < s.systems {
                slot
            } else {
                env_index
            }
        };
        if !is_secret_store(system) || rng.chance(20) {
            return system;
        }
    }
    env_index + k
}

/// Secret stores: the first three systems and every ninth. Workloads get their secrets through `stores`;
/// direct access to a store is rare.
fn is_secret_store(system: usize) -> bool {
    system < 3 || system % SYSTEM_TYPES.len() == 0
}

fn identity(
    i: usize,
    kind: &str,
    team: usize,
    s: &Sizes,
    stores: &[usize],
    rng: &mut Rng,
) -> (String, bool) {
    let env_index = rng.below(ENVIRONMENTS.len());
    let env = ENVIRONMENTS[env_index];
    let credential = match kind {
        "certificate" => "certificate",
        "workload" => "federated",
        "oauth_app" | "bot" if rng.chance(500) => "short_lived",
        _ => "static",
    };
    let id = format!("{kind}-{i}");
    let mut t = String::with_capacity(1200);
    let _ = writeln!(
        t,
        "# yaml-language-server: $schema=../../schema/identity.schema.json"
    );
    let _ = write!(
        t,
        "kind: Identity\nid: {id}\nname: Synthetic {kind} {i}\ntype: {kind}\n"
    );
    if rng.chance(998) {
        let _ = writeln!(t, "owner: team-{team}");
    }
    let _ = write!(
        t,
        "contact: person-{team}\npurpose: Moves data for workflow {} of team {team}\n",
        i % 97
    );
    let _ = write!(
        t,
        "environment: {env}\nsystem_of_record: sys-{}\n",
        rng.below(s.systems)
    );
    let _ = writeln!(
        t,
        "external_id: \"arn:aws:iam::{:012}:role/{id}\"",
        100_000_000_000u64 + (i as u64 % 1000)
    );
    let _ = write!(
        t,
        "status: active\ncredential:\n  kind: {credential}\n  created: {}\n",
        rng.day(900, 400)
    );
    let late = credential == "static" && rng.chance(20);
    let rotated = if late {
        rng.day(380, 200)
    } else {
        rng.day(25, 0)
    };
    let _ = writeln!(t, "  last_rotated: {rotated}");
    if credential == "certificate" {
        let _ = writeln!(
            t,
            "  expires: {}",
            days_before(-(rng.below(700) as i64) + 5)
        );
    }
    if credential == "static" {
        let store = stores[rng.below(stores.len())];
        let _ = writeln!(t, "  stores: [sys-{store}]");
    }
    t.push_str("access:\n");
    for _ in 0..1 + rng.below(3) {
        let system = system_for(env_index, s, rng);
        // Mostly read, some write, rarely admin, as access is granted in practice.
        let level = match rng.below(100) {
            0..=1 => "admin",
            2..=29 => "write",
            _ => "read",
        };
        let _ = write!(
            t,
            "  - system: sys-{system}\n    level: {level}\n    scope: \"objects:{level}\"\n"
        );
        if level == "admin" && rng.chance(995) {
            let _ = writeln!(
                t,
                "    justification: Operates the system end to end for team {team}"
            );
        }
    }
    let _ = writeln!(t, "used_by: [sys-{}]", rng.below(s.systems));
    let _ = writeln!(t, "last_used: {}", rng.day_mostly((10, 0), 30, (300, 120)));
    if rng.chance(995) {
        let _ = write!(
            t,
            "review:\n  last: {}\n  by: person-{}\n",
            rng.day_mostly((60, 1), 15, (400, 200)),
            rng.below(s.persons)
        );
    }
    if kind == "api_key" || kind == "oauth_app" {
        let _ = write!(
            t,
            "vendor: {}\nvendor_review: {}\n",
            rng.pick(&VENDORS),
            rng.day(80, 1)
        );
    }
    if kind == "workload" {
        let _ = writeln!(t, "spiffe_id: spiffe://example.org/ns/team-{team}/sa/{id}");
    }
    let _ = write!(t, "tags: [synthetic, team-{team}]\nlinks: {{runbook: \"https://wiki.example.com/runbooks/{id}\"}}\n");
    if rng.chance(2) {
        t.push_str("ownr: typo\n"); // a schema error
    }
    if rng.chance(2) {
        t.push_str("x-ticket: ref-missing\nsystem_of_record_note: unknown-key\n");
    }
    (t, late)
}

fn exceptions(dir: &Path, s: &Sizes, overdue: &[(usize, String)], rng: &mut Rng) -> io::Result<()> {
    let mut text = String::new();
    for e in 0..s.exceptions.min(overdue.len()) {
        let (team, target) = &overdue[rng.below(overdue.len())];
        let approver = (team + 1) % s.teams; // the lead of another team
        let approved = rng.day(110, 20);
        let expires = if rng.chance(100) {
            days_before(3)
        } else {
            days_before(-(rng.below(30) as i64) - 40)
        };
        let _ = write!(
            text,
            "---\nkind: Exception\nid: exc-{e}\nrule: rotation-overdue\nidentities: [{target}]\nreason: Vendor migration pending\nrequested_by: person-{}\napproved_by: person-{approver}\napproved_on: {approved}\nexpires: {expires}\nticket: https://tickets.example.com/SEC-{e}\n",
            team
        );
    }
    write(&dir.join("exceptions/exceptions.yaml"), &text)
}

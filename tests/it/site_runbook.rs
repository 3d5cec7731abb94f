//! The runbooks on the site: "If this leaks" on identity pages carries what `nhi leak` says (who to call,
//! stores, consumers in order, what is exposed, the steps and their commands), the offboarding view on
//! person pages what `nhi offboard` reports, long lists stop with a count, and registry text is escaped.

use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::common::repo;
use crate::site::build;

/// The section of `page` whose heading has id `heading`, with links reduced to their targets' file names
/// (`<a href="../identities/x.html">x</a>` reads `[x](identities/x.html)`, tags inside a link's text
/// removed) and other tags removed.
fn section(page: &Path, heading: &str) -> String {
    let html = fs::read_to_string(page).unwrap();
    let start = html
        .find(&format!("<section aria-labelledby=\"{heading}\""))
        .unwrap_or_else(|| panic!("{}: no section {heading}", page.display()));
    let end = start + html[start..].find("</section>").unwrap();
    let link = Regex::new(r#"<a href="([^"]*)">(.*?)</a>"#).unwrap();
    let tag = Regex::new(r"<[^>]+>").unwrap();
    let text = link.replace_all(&html[start..end], |c: &regex::Captures<'_>| {
        format!(
            "[{}]({})",
            tag.replace_all(&c[2], ""),
            c[1].replace("&#x2f;", "/").replace("../", "")
        )
    });
    tag.replace_all(&text, " ")
        .replace("&quot;", "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn fixture_site() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(repo().join("tests/data/offboarding"), &site);
    (out, site)
}

#[test]
fn an_identity_page_says_who_to_call_where_the_secret_is_and_the_steps_with_their_commands() {
    let (_tmp, site) = fixture_site();
    let aws = section(&site.join("identities/aws-key.html"), "h-leak");
    for want in [
        "[AWS IAM access key](runbooks.html#aws-access-key)",
        "Owner : [team-solo](owners/team-solo.html) Solo · solo@example.com",
        "Technical contact : [pia](owners/pia.html) Pia Lind · pia@example.com · @pia · pia-lind",
        "The secret is kept in [vault](systems/vault.html)",
        // The most critical consumer first, as `nhi leak` orders them.
        "[Give the new credential to each consumer, most critical first](runbooks.html#consumers-consumer): [checkout](systems/checkout.html) (critical) , [billing](systems/billing.html) (medium)",
        "record: nhi rotated aws-key",
        "record: nhi review aws-key --by PERSON --note \"leak: logs reviewed\"",
        "record: nhi decommission aws-key",
    ] {
        assert!(aws.contains(want), "{want}\n in: {aws}");
    }
    let order = [
        "[Disable aws-key first](runbooks.html#aws-access-key-disable)",
        "[Create the replacement](runbooks.html#aws-access-key-create)",
        "[Give the new credential",
        "[Retire the old credential](runbooks.html#aws-access-key-retire)",
        "[Pull the logs](runbooks.html#aws-access-key-logs)",
        "Or retire it for good",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| aws.find(s).unwrap_or_else(|| panic!("{s}: {aws}")))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "steps out of order: {aws}"
    );
    // The team's lead is called too; the shared texts are on runbooks.html, not on the page.
    let gh = section(&site.join("identities/gh-token.html"), "h-leak");
    assert!(
        gh.contains("Team lead : [pia](owners/pia.html) Pia Lind"),
        "{gh}"
    );
    assert!(
        !gh.contains("audit-log"),
        "the playbook's paragraphs are not repeated: {gh}"
    );
    let runbooks = fs::read_to_string(site.join("runbooks.html")).unwrap();
    assert!(runbooks.contains("id=\"github-token-logs\"") && runbooks.contains("audit-log"));
}

/// The identities exposed with a credential are those of its blast radius, listed on the page.
#[test]
fn the_exposed_identities_are_the_blast_radius_s_and_each_is_rotated() {
    let (_tmp, site) = fixture_site();
    let root = repo().join("tests/data/offboarding");
    let registry = nhi::load::load(&root).unwrap().registry;
    let graph = nhi::graph::Graph::build(&registry);
    let runbook = nhi::leak::runbook(&registry, &graph, "gh-token").unwrap();
    assert!(!runbook.exposed.is_empty());
    let gh = section(&site.join("identities/gh-token.html"), "h-leak");
    let n = runbook.exposed.len();
    assert!(
        gh.contains(&format!("{n} other identities are exposed with it")),
        "{gh}"
    );
    assert!(
        gh.contains(&format!(
            "[Rotate the {n} identities exposed with it, nearest first](runbooks.html#consumers-exposed):"
        )),
        "{gh}"
    );
    for id in &runbook.exposed {
        assert!(
            gh.contains(&format!("[{id}](identities/{id}.html)")),
            "{id}: {gh}"
        );
    }
    assert!(gh.contains("record each: nhi rotated ID"), "{gh}");
    // Every command the runbook records a step with is on the page (the exposed ones as one pattern).
    for step in &runbook.steps {
        match &step.record {
            Some(r) if !r.starts_with("nhi rotated ") || r == "nhi rotated gh-token" => {
                assert!(gh.contains(r.as_str()), "{r}: {gh}")
            }
            _ => {}
        }
    }
}

#[test]
fn a_person_page_shows_what_their_leaving_orphans_unstaffs_lapses_and_exposes() {
    let (_tmp, site) = fixture_site();
    let pia = section(&site.join("owners/pia.html"), "h-offboard");
    for want in [
        "If pia leaves",
        "nhi offboard pia --to TEAM",
        "Identities that become orphaned (2)",
        "[aws-key](identities/aws-key.html): owned by team-solo , whose last active member they are",
        "[gcp-key](identities/gcp-key.html): owned by them",
        "Teams left with no active member [team-solo](owners/team-solo.html)",
        "[exc-1](exceptions/exc-1.html): waives vendor-review-overdue until 2026-12-31",
        "Static credentials to rotate (2) [aws-key](identities/aws-key.html), [gcp-key](identities/gcp-key.html)",
        "Where the registry names them (8)",
        "Owner of 1 identity ([the table on this page](#h-owned))",
        "Owner of 1 system: [db](systems/db.html)",
        "Uses the credential of 1 identity: [gcp-key](identities/gcp-key.html)",
        "Made the latest review of 1 identity: [gh-token](identities/gh-token.html)",
        "Lead of 1 team: [team-a](owners/team-a.html)",
        "Requested 1 exception: [exc-2](exceptions/exc-2.html)",
        "Approved 1 exception: [exc-1](exceptions/exc-1.html)",
    ] {
        assert!(pia.contains(want), "{want}\n in: {pia}");
    }
    // Someone whose leaving touches nothing gets a short view; teams get none.
    let carl = section(&site.join("owners/carl.html"), "h-offboard");
    assert!(
        carl.contains("Nothing becomes orphaned") && carl.contains("Nowhere."),
        "{carl}"
    );
    let team = fs::read_to_string(site.join("owners/team-a.html")).unwrap();
    assert!(!team.contains("h-offboard"));
}

/// Long lists stop after ten links and say how many more there are; the page links to where all are.
#[test]
fn long_lists_are_capped_with_a_count() {
    let out = tempfile::tempdir().unwrap();
    let registry = out.path().join("registry");
    nhi::synth::generate(&registry, 400, 7).unwrap();
    let site = out.path().join("site");
    build(registry, &site);
    let more = Regex::new(r"and (\d+) more").unwrap();
    let link = Regex::new(r"\]\(identities/").unwrap();
    let mut capped = 0;
    for entry in fs::read_dir(site.join("identities")).unwrap() {
        let page = entry.unwrap().path();
        let leak = section(&page, "h-leak");
        let Some(step) = leak.split(" [Rotate the ").nth(1) else {
            continue;
        };
        let step = step.split("record each").next().unwrap();
        let listed = link.find_iter(step).count();
        assert!(listed <= 10, "{}: {step}", page.display());
        if let Some(m) = more.captures(step) {
            let rest: usize = m[1].parse().unwrap();
            let total: usize = step.split_whitespace().next().unwrap().parse().unwrap();
            assert_eq!(listed + rest, total, "{}: {step}", page.display());
            capped += 1;
        }
    }
    assert!(
        capped > 0,
        "no identity of the synthetic registry has more than ten exposed"
    );
}

#[test]
fn contact_details_from_the_registry_are_escaped() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(repo().join("tests/site/hostile"), &site);
    let page = fs::read_to_string(site.join("identities/evil-key.html")).unwrap();
    let start = page.find("id=\"h-leak\"").unwrap();
    let leak = &page[start..start + page[start..].find("</section>").unwrap()];
    assert!(
        leak.contains("&lt;img src=x onerror=alert(&#x27;slack&#x27;)&gt;"),
        "{leak}"
    );
    assert!(
        leak.contains("&lt;svg onload=alert(&#x27;chat&#x27;)&gt;"),
        "{leak}"
    );
    assert!(
        leak.contains("&lt;b&gt;bold&lt;/b&gt;@example.com"),
        "{leak}"
    );
    let person = fs::read_to_string(site.join("owners/mallory.html")).unwrap();
    assert!(person.contains("id=\"h-offboard\""));
    assert!(!person.contains("<script>alert"));
}

//! Writes a synthetic CloudTrail log and a registry for `nhi trace` benchmarks:
//! `cargo run --release --example cloudtrail_synth -- EVENTS DIR [--seed N]`.
//!
//! DIR/cloudtrail.json holds EVENTS events in one `{"Records": […]}` document, shaped like the events AWS
//! documents: a quarter are `AssumeRoleWithWebIdentity` calls from GitHub Actions (one in fifty refused),
//! one in a hundred `AssumeRole`, the rest other API calls. Every issuance carries an access key id and a
//! session token, as real ones do. DIR/registry declares 180 of the 200 roles, each with a federation whose
//! subjects admit most of the repositories that assume it.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const ROLES: u64 = 200;
const DECLARED: u64 = 180;
const ACCOUNT: &str = "123456789012";
const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let events = args.first().and_then(|a| a.parse::<u64>().ok());
    let (Some(events), Some(dir)) = (events, args.get(1).map(PathBuf::from)) else {
        eprintln!("usage: cloudtrail_synth EVENTS DIR [--seed N]");
        return ExitCode::from(2);
    };
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(7u64);
    match write(&dir, events, seed) {
        Ok(bytes) => {
            eprintln!(
                "wrote {events} events ({} MiB) and a registry of {DECLARED} roles to {}",
                bytes >> 20,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cloudtrail_synth: cannot write {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}

fn write(dir: &Path, events: u64, seed: u64) -> std::io::Result<u64> {
    registry(&dir.join("registry"))?;
    let path = dir.join("cloudtrail.json");
    let mut out = BufWriter::with_capacity(1 << 20, fs::File::create(&path)?);
    let mut rng = Rng(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    out.write_all(b"{\"Records\": [\n")?;
    let mut line = String::with_capacity(4096);
    for n in 0..events {
        line.clear();
        event(&mut line, n, &mut rng);
        if n + 1 < events {
            line.push(',');
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.write_all(b"]}\n")?;
    out.flush()?;
    Ok(fs::metadata(&path)?.len())
}

fn time(n: u64) -> String {
    // One day, in order: 86,400 seconds spread over the events.
    let second = n % 86_400;
    format!(
        "2026-11-20T{:02}:{:02}:{:02}Z",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

fn key(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut k = String::from("ASIA");
    for _ in 0..16 {
        k.push(ALPHABET[rng.below(32) as usize] as char);
    }
    k
}

fn event(out: &mut String, n: u64, rng: &mut Rng) {
    let kind = rng.below(100);
    let t = time(n);
    if kind < 25 {
        let role = rng.below(ROLES);
        let repo = rng.below(12);
        let sub = if repo < 10 {
            format!("repo:northwind/service-{role}:environment:prod")
        } else {
            format!("repo:northwind/tool-{repo}:ref:refs/heads/main")
        };
        let denied = rng.below(50) == 0;
        let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/deploy-{role}");
        let response = if denied {
            "null".to_string()
        } else {
            format!(
                r#"{{"credentials":{{"accessKeyId":"{}","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE{:016x}{:016x}{:016x}","expiration":"Nov 20, 2026, 10:00:00 AM"}},"subjectFromWebIdentityToken":"{sub}","assumedRoleUser":{{"assumedRoleId":"AROAEXAMPLE{role}:GitHubActions","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/deploy-{role}/GitHubActions"}},"provider":"{GITHUB}","audience":"sts.amazonaws.com"}}"#,
                key(rng),
                rng.next(),
                rng.next(),
                rng.next()
            )
        };
        let error = if denied {
            r#""errorCode":"AccessDenied","errorMessage":"Not authorized to perform sts:AssumeRoleWithWebIdentity","#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"WebIdentityUser","principalId":"{GITHUB}:sts.amazonaws.com:{sub}","userName":"{sub}","identityProvider":"{GITHUB}"}},"eventTime":"{t}","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.{}","userAgent":"aws-sdk-nodejs/2.1286.0 linux/v16.19.1 configure-aws-credentials-for-github-actions",{error}"requestParameters":{{"roleArn":"{role_arn}","roleSessionName":"GitHubActions","durationSeconds":3600}},"responseElements":{response},"requestID":"{:016x}","eventID":"{:016x}","readOnly":true,"resources":[{{"accountId":"{ACCOUNT}","type":"AWS::IAM::Role","ARN":"{role_arn}"}}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}","eventCategory":"Management"}}"#,
            rng.below(250),
            rng.next(),
            rng.next()
        );
    } else if kind < 26 {
        let role = rng.below(ROLES);
        let _ = write!(
            out,
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::{ACCOUNT}:user/ops-{}","accountId":"{ACCOUNT}","accessKeyId":"{}","userName":"ops"}},"eventTime":"{t}","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.15.0","requestParameters":{{"roleArn":"arn:aws:iam::{ACCOUNT}:role/deploy-{role}","roleSessionName":"ops"}},"responseElements":{{"credentials":{{"accessKeyId":"{}","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE{:016x}","expiration":"Nov 20, 2026, 10:00:00 AM"}}}},"requestID":"{:016x}","eventID":"{:016x}","eventType":"AwsApiCall","recipientAccountId":"{ACCOUNT}"}}"#,
            rng.below(5),
            key(rng),
            key(rng),
            rng.next(),
            rng.next(),
            rng.next()
        );
    } else {
        let _ = write!(
            out,
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLE:GitHubActions","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/deploy-{}/GitHubActions","accountId":"{ACCOUNT}","accessKeyId":"{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::{ACCOUNT}:role/deploy-1","accountId":"{ACCOUNT}","userName":"deploy-1"}},"attributes":{{"creationDate":"{t}","mfaAuthenticated":"false"}}}}}},"eventTime":"{t}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.{}","userAgent":"[aws-sdk-go-v2/1.24.0]","requestParameters":{{"bucketName":"northwind-artifacts","key":"builds/{:x}.tar.gz"}},"responseElements":null,"requestID":"{:016x}","eventID":"{:016x}","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"{ACCOUNT}","eventCategory":"Data"}}"#,
            rng.below(ROLES),
            key(rng),
            rng.below(250),
            rng.next(),
            rng.next(),
            rng.next()
        );
    }
}

fn registry(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("identities"))?;
    fs::create_dir_all(dir.join("owners"))?;
    fs::write(dir.join("nhi.yaml"), "kind: Policy\n")?;
    fs::write(
        dir.join("owners/owners.yaml"),
        "kind: Team\nid: team-platform\n---\nkind: Person\nid: ana\nteam: team-platform\n",
    )?;
    let mut text = String::new();
    for role in 0..DECLARED {
        let _ = write!(
            text,
            "---\nkind: Identity\nid: deploy-{role}\ntype: workload\nowner: team-platform\npurpose: Deploys service {role}\nenvironment: prod\nexternal_id: \"arn:aws:iam::{ACCOUNT}:role/deploy-{role}\"\nstatus: active\ncredential: {{kind: federated}}\nfederation:\n  issuer: https://token.actions.githubusercontent.com\n  subjects: [\"repo:northwind/service-{role}:environment:prod\"]\nreview: {{last: 2026-11-01, by: ana}}\n"
        );
    }
    fs::write(dir.join("identities/roles.yaml"), text)
}

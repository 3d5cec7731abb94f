//! The policy of `nhi.yaml`: periods, thresholds and severity overrides, merged over the defaults.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Criticality, IdentityType, SystemType};
use crate::catalogue::RuleId;
use crate::severity::Severity;

/// A rule's configured level: a severity, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Notice,
    Off,
}

impl RuleLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Error => Some(Severity::Error),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Notice => Some(Severity::Notice),
            RuleLevel::Off => None,
        }
    }
}

/// The effective policy. Every key of `nhi.yaml` is optional; maps merge over the defaults key by key.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub organization: Option<String>,
    pub review_days: u32,
    pub review_days_by_criticality: BTreeMap<Criticality, u32>,
    pub rotation_days: BTreeMap<String, u32>,
    pub expiry_warning_days: u32,
    pub dormant_days: u32,
    pub max_exception_days: u32,
    pub allowed_secret_stores: Vec<SystemType>,
    pub rules: BTreeMap<String, RuleLevel>,
    /// How many critical systems a static credential may reach before `blast-radius-critical` fires.
    pub max_critical_reach: u32,
    /// Whether a member of the owning team may review an identity (`false` turns on
    /// `review-not-independent`).
    pub review_by_owner: bool,
    /// Teams or Persons whose members approve exceptions and policy changes (SPEC section 11).
    pub approvers: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        let rotation = [
            ("api_key", 90),
            ("token", 30),
            ("ssh_key", 180),
            ("service_account", 90),
            ("certificate", 365),
            ("default", 90),
        ];
        Policy {
            organization: None,
            review_days: 180,
            review_days_by_criticality: BTreeMap::from([
                (Criticality::Critical, 90),
                (Criticality::High, 120),
            ]),
            rotation_days: rotation
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            expiry_warning_days: 30,
            dormant_days: 90,
            max_exception_days: 180,
            allowed_secret_stores: vec![SystemType::SecretStore],
            rules: BTreeMap::new(),
            max_critical_reach: 3,
            review_by_owner: true,
            approvers: Vec::new(),
        }
    }
}

/// `nhi.yaml` as written: everything optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyFile {
    pub organization: Option<String>,
    pub review_days: Option<u32>,
    pub review_days_by_criticality: BTreeMap<Criticality, u32>,
    pub rotation_days: BTreeMap<String, u32>,
    pub expiry_warning_days: Option<u32>,
    pub dormant_days: Option<u32>,
    pub max_exception_days: Option<u32>,
    pub allowed_secret_stores: Option<Vec<SystemType>>,
    pub rules: BTreeMap<String, RuleLevel>,
    pub max_critical_reach: Option<u32>,
    pub review_by_owner: Option<bool>,
    pub approvers: Vec<String>,
}

impl Policy {
    /// The defaults with `file` merged over them.
    pub fn from_file(file: PolicyFile) -> Policy {
        let mut p = Policy::default();
        p.organization = file.organization;
        p.review_days = file.review_days.unwrap_or(p.review_days);
        p.review_days_by_criticality
            .extend(file.review_days_by_criticality);
        p.rotation_days.extend(file.rotation_days);
        p.expiry_warning_days = file.expiry_warning_days.unwrap_or(p.expiry_warning_days);
        p.dormant_days = file.dormant_days.unwrap_or(p.dormant_days);
        p.max_exception_days = file.max_exception_days.unwrap_or(p.max_exception_days);
        if let Some(stores) = file.allowed_secret_stores {
            p.allowed_secret_stores = stores;
        }
        p.rules = file.rules;
        p.max_critical_reach = file.max_critical_reach.unwrap_or(p.max_critical_reach);
        p.review_by_owner = file.review_by_owner.unwrap_or(p.review_by_owner);
        p.approvers = file.approvers;
        p
    }

    /// The rotation period of a credential of type `kind`: its own key, else `default`.
    pub fn rotation_period(&self, kind: Option<IdentityType>) -> u32 {
        kind.and_then(|k| self.rotation_days.get(k.as_str()))
            .or_else(|| self.rotation_days.get("default"))
            .copied()
            .unwrap_or(90)
    }

    /// The review period for an identity whose reach peaks at `highest` criticality.
    pub fn review_period(&self, highest: Option<Criticality>) -> u32 {
        highest
            .and_then(|c| self.review_days_by_criticality.get(&c))
            .copied()
            .unwrap_or(self.review_days)
    }

    /// The severity a rule has under this policy (`None` when turned off).
    pub fn severity(&self, rule: RuleId, default: Severity) -> Option<Severity> {
        match self.rules.get(rule.as_str()) {
            Some(level) => level.severity(),
            None => Some(default),
        }
    }
}

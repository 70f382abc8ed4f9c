//! The decision (DESIGN.md §4): from the policies that apply to a request, deny wins, then
//! an allow not excepted by the same policy-or-group, else implicit deny; with the
//! explanation of which policies (and permissions groups) allowed, denied or excepted.
//!
//! A policy applies when it is live at `now`, names one of the principal's identities,
//! names the resource or a resource group holding it, and its condition is not false.
//! A condition that holds grants and denies; a condition that is *unknown* (the request lacks
//! a fact, such as the client IP) grants nothing but still denies: missing facts fail closed.
//!
//! Each permission set is judged on its own: the policy's own `allow`/`except`/`deny`, then
//! each permissions group it references. `except` only cancels the `allow` of its own set.
//! Explanations list policies by id (then own permissions before groups, in reference
//! order), so two evaluations of the same facts explain identically.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::compiled::{CompiledGroup, CompiledPolicy, PermissionSet};
use crate::condition::Truth;
use crate::index::PolicyIndex;
use crate::request::{Request, RequestFacts};

/// One policy (or one permissions group through a policy) that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribution {
    pub policy_id: Uuid,
    pub policy_name: Arc<str>,
    /// The permissions group whose permissions matched, when not the policy's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_group: Option<Arc<str>>,
}

/// Why a decision came out as it did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// Sets whose `allow` matched and whose `except` did not.
    pub allowed_by: Vec<Attribution>,
    /// Sets whose `deny` matched.
    pub denied_by: Vec<Attribution>,
    /// Sets whose `allow` matched but whose `except` cancelled it.
    pub excepted_by: Vec<Attribution>,
    /// The resource is not registered in the caller's account, so no policy was consulted
    /// (DESIGN.md §4 rule 7; see `tenancy`). Absent from JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resource_not_in_account: bool,
}

/// The answer for one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub allowed: bool,
    pub explanation: Explanation,
}

/// The kind of answer, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Allowed,
    /// Some applicable policy or group denied the action.
    ExplicitDeny,
    /// Nothing allowed it (perhaps only excepted allows, or the resource is not in the
    /// caller's account).
    ImplicitDeny,
}

impl Decision {
    pub fn outcome(&self) -> Outcome {
        if self.allowed {
            Outcome::Allowed
        } else if !self.explanation.denied_by.is_empty() {
            Outcome::ExplicitDeny
        } else {
            Outcome::ImplicitDeny
        }
    }

    /// The implicit deny of every action on a resource outside the caller's account.
    pub fn not_in_account() -> Decision {
        Decision {
            allowed: false,
            explanation: Explanation {
                resource_not_in_account: true,
                ..Explanation::default()
            },
        }
    }

    fn from_explanation(explanation: Explanation) -> Decision {
        let allowed = explanation.denied_by.is_empty() && !explanation.allowed_by.is_empty();
        Decision {
            allowed,
            explanation,
        }
    }
}

/// A policy that applies to the facts, and how sure its condition is.
#[derive(Debug, Clone, Copy)]
pub struct Applicable<'a> {
    pub policy: &'a CompiledPolicy,
    /// `True` or `Unknown` (a false condition does not apply).
    pub truth: Truth,
}

/// Decides one request.
pub fn evaluate(index: &PolicyIndex, request: &Request) -> Decision {
    evaluate_action(index, &request.facts, &request.action)
}

/// Decides one action on the facts.
pub fn evaluate_action(index: &PolicyIndex, facts: &RequestFacts, action: &str) -> Decision {
    let applicable = index.applicable(facts);
    decide(&applicable, action, |urn| index.permissions_group(urn))
}

/// Decides many actions on one resource, looking the applicable policies up once
/// (for `authorization/check`). Decisions come in the order of `actions`.
pub fn evaluate_batch<S: AsRef<str>>(
    index: &PolicyIndex,
    facts: &RequestFacts,
    actions: &[S],
) -> Vec<Decision> {
    let applicable = index.applicable(facts);
    let resolve = |urn: &str| index.permissions_group(urn);
    actions
        .iter()
        .map(|a| decide(&applicable, a.as_ref(), resolve))
        .collect()
}

/// Judges `action` against policies already known to apply, sorted by id.
pub fn decide<'g>(
    applicable: &[Applicable<'_>],
    action: &str,
    resolve: impl Fn(&str) -> Option<&'g CompiledGroup>,
) -> Decision {
    let mut explanation = Explanation::default();
    for a in applicable {
        let attribution = |group: Option<&Arc<str>>| Attribution {
            policy_id: a.policy.id,
            policy_name: a.policy.name.clone(),
            permissions_group: group.cloned(),
        };
        for set in std::iter::once(&a.policy.own).chain(a.policy.extra.iter().map(|s| &**s)) {
            judge(set, a.truth, action, &mut explanation, || attribution(None));
        }
        for urn in a.policy.groups.iter() {
            if let Some(group) = resolve(urn) {
                judge(&group.set, a.truth, action, &mut explanation, || {
                    attribution(Some(&group.urn))
                });
            }
        }
    }
    Decision::from_explanation(explanation)
}

fn judge(
    set: &PermissionSet,
    truth: Truth,
    action: &str,
    out: &mut Explanation,
    who: impl Fn() -> Attribution,
) {
    if set.denies(action) {
        out.denied_by.push(who());
    }
    if truth == Truth::True && set.allows(action) {
        if set.excepts(action) {
            out.excepted_by.push(who());
        } else {
            out.allowed_by.push(who());
        }
    }
}

/// Filters candidates down to the applicable ones and sorts them by id (candidates must
/// already name the identity and the resource; duplicates are dropped).
pub(crate) fn applicable_of<'a>(
    mut candidates: Vec<&'a CompiledPolicy>,
    facts: &RequestFacts,
) -> Vec<Applicable<'a>> {
    candidates.sort_unstable_by_key(|p| p.id);
    candidates.dedup_by_key(|p| p.id);
    let now = facts.context.now;
    candidates
        .into_iter()
        .filter(|p| p.is_live(now))
        .map(|policy| Applicable {
            policy,
            truth: policy.condition_truth(&facts.resource, &facts.context),
        })
        .filter(|a| a.truth != Truth::False)
        .collect()
}

//! A policy compiled for evaluation: URN patterns parsed, actions pre-compiled into
//! [`ActionSet`]s, the condition typed, permissions-group references canonical. Compiling is
//! also how policies are validated, so what validates is exactly what evaluates.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::action::{ActionSet, MAX_ACTION_LEN};
use crate::condition::{CompiledCondition, Condition, Truth};
use crate::error::{ErrorCode, ValidationError};
use crate::pattern::UrnPattern;
use crate::policy::{ActionRef, Permissions, PermissionsGroupRef, ResourceRef};
use crate::request::{Context, ResourceFacts};
use crate::urn::{Urn, UrnFamily};

/// The most identities in one policy.
pub const MAX_IDENTITIES: usize = 100;
/// The most resources in one policy.
pub const MAX_RESOURCES: usize = 100;
/// The most actions in each of `allow`, `except` and `deny`.
pub const MAX_ACTIONS: usize = 256;
/// The most permissions groups one policy references.
pub const MAX_PERMISSIONS_GROUPS: usize = 16;

/// One `allow`/`except`/`deny` triple, compiled (`except` and `deny` are usually empty, so
/// they are boxed only when present).
#[derive(Debug, Clone, Default)]
pub struct PermissionSet {
    allow: ActionSet,
    except: Option<Box<ActionSet>>,
    deny: Option<Box<ActionSet>>,
}

impl PermissionSet {
    /// Validates and compiles `permissions` found at `field` (e.g. `permissions`).
    pub fn compile(
        permissions: &Permissions,
        field: &str,
    ) -> Result<PermissionSet, ValidationError> {
        Ok(PermissionSet::from_sets(
            compile_actions(&permissions.allow, &format!("{field}.allow"))?,
            compile_actions(&permissions.except, &format!("{field}.except"))?,
            compile_actions(&permissions.deny, &format!("{field}.deny"))?,
        ))
    }

    pub(crate) fn from_sets(allow: ActionSet, except: ActionSet, deny: ActionSet) -> PermissionSet {
        let boxed = |set: ActionSet| (!set.is_empty()).then(|| Box::new(set));
        PermissionSet {
            allow,
            except: boxed(except),
            deny: boxed(deny),
        }
    }

    pub(crate) fn allows(&self, action: &str) -> bool {
        self.allow.matches(action)
    }

    pub(crate) fn excepts(&self, action: &str) -> bool {
        self.except.as_ref().is_some_and(|s| s.matches(action))
    }

    pub(crate) fn denies(&self, action: &str) -> bool {
        self.deny.as_ref().is_some_and(|s| s.matches(action))
    }

    /// Whether it allows or denies anything.
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_none()
    }

    pub(crate) fn heap_size(&self) -> usize {
        let boxed = |s: &Option<Box<ActionSet>>| {
            s.as_ref()
                .map_or(0, |s| std::mem::size_of::<ActionSet>() + s.heap_size())
        };
        self.allow.heap_size() + boxed(&self.except) + boxed(&self.deny)
    }
}

fn compile_actions(list: &[ActionRef], field: &str) -> Result<ActionSet, ValidationError> {
    if list.len() > MAX_ACTIONS {
        let message =
            format!("more than {MAX_ACTIONS} actions (of at most {MAX_ACTION_LEN} bytes each)");
        return Err(ValidationError::new(
            field,
            ErrorCode::TooManyItems,
            message,
        ));
    }
    ActionSet::parse(list.iter().map(|a| a.action.as_str()))
        .map_err(|(i, e)| e.at(format!("{field}[{i}].action")))
}

/// The fields of a policy that matter to evaluation, borrowed from a `Policy` or `PolicyInput`.
#[derive(Debug, Clone, Copy)]
pub struct PolicyParts<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub identities: &'a [String],
    pub resources: &'a [ResourceRef],
    pub permissions: &'a Permissions,
    pub permissions_groups: &'a [PermissionsGroupRef],
    pub conditions: Option<&'a Condition>,
    pub expired_at: Option<DateTime<Utc>>,
}

/// A policy ready for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub(crate) id: Uuid,
    pub(crate) name: Arc<str>,
    pub(crate) identities: Box<[UrnPattern]>,
    pub(crate) resources: Box<[UrnPattern]>,
    /// The policy's own permissions.
    pub(crate) own: PermissionSet,
    /// Further sets judged like the own one (group roles use them; shared, hence `Arc`).
    pub(crate) extra: Box<[Arc<PermissionSet>]>,
    /// Canonical URNs of the permissions groups it references, without duplicates.
    pub(crate) groups: Box<[Arc<str>]>,
    pub(crate) condition: Option<CompiledCondition>,
    pub(crate) expired_at: Option<DateTime<Utc>>,
}

impl CompiledPolicy {
    /// Validates and compiles the parts (everything but the name rules, see `validate.rs`).
    pub fn compile(parts: PolicyParts<'_>) -> Result<CompiledPolicy, ValidationError> {
        let identities = compile_patterns(
            parts.identities.iter().map(String::as_str),
            "identities",
            UrnFamily::Identity,
            MAX_IDENTITIES,
        )?;
        let resources = compile_patterns(
            parts.resources.iter().map(|r| r.urn.as_str()),
            "resources",
            UrnFamily::Resource,
            MAX_RESOURCES,
        )?;
        let own = PermissionSet::compile(parts.permissions, "permissions")?;
        let groups = compile_group_refs(parts.permissions_groups)?;
        if own.is_empty() && groups.is_empty() {
            let message = "the policy neither allows nor denies anything: give permissions.allow, permissions.deny or permissionsGroups";
            return Err(ValidationError::new(
                "permissions",
                ErrorCode::InvalidPermissions,
                message,
            ));
        }
        let condition = parts
            .conditions
            .map(|c| c.compile("conditions"))
            .transpose()?;
        Ok(CompiledPolicy {
            id: parts.id,
            name: parts.name.into(),
            identities,
            resources,
            own,
            extra: Box::default(),
            groups,
            condition,
            expired_at: parts.expired_at,
        })
    }

    /// A system policy built in code (group roles): sets given directly.
    pub(crate) fn system(
        id: Uuid,
        name: &str,
        identity: UrnPattern,
        resource: UrnPattern,
        sets: Vec<Arc<PermissionSet>>,
    ) -> CompiledPolicy {
        CompiledPolicy {
            id,
            name: name.into(),
            identities: Box::new([identity]),
            resources: Box::new([resource]),
            own: PermissionSet::default(),
            extra: sets.into(),
            groups: Box::default(),
            condition: None,
            expired_at: None,
        }
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn identities(&self) -> &[UrnPattern] {
        &self.identities
    }

    pub fn resources(&self) -> &[UrnPattern] {
        &self.resources
    }

    /// Not expired at `now` (`expiredAt` absent or strictly later).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expired_at.is_none_or(|at| at > now)
    }

    /// Whether its conditions hold (`True` without conditions).
    pub fn condition_truth(&self, resource: &ResourceFacts, context: &Context) -> Truth {
        self.condition
            .as_ref()
            .map_or(Truth::True, |c| c.evaluate(resource, context))
    }

    /// Whether an identity pattern names one of `identities` (a linear scan: the index
    /// does this with hash look-ups).
    pub fn names_identity(&self, identities: &[String]) -> bool {
        identities
            .iter()
            .any(|i| self.identities.iter().any(|p| p.matches(i)))
    }

    /// Whether a resource pattern names the resource or a group that holds it.
    pub fn names_resource(&self, resource: &ResourceFacts) -> bool {
        std::iter::once(&resource.urn)
            .chain(&resource.groups)
            .any(|urn| self.resources.iter().any(|p| p.matches(urn)))
    }

    /// Bytes owned on the heap. A permission set shared with others (the group-role sets of
    /// [`crate::system::Builtins`]) belongs to its owner and is not counted here.
    pub(crate) fn heap_size(&self) -> usize {
        let patterns = |ps: &[UrnPattern]| -> usize {
            let one = |p: &UrnPattern| std::mem::size_of::<UrnPattern>() + 16 + p.literal().len();
            ps.iter().map(one).sum()
        };
        let set = |s: &Arc<PermissionSet>| {
            let owned = Arc::strong_count(s) == 1;
            8 + if owned {
                16 + std::mem::size_of::<PermissionSet>() + s.heap_size()
            } else {
                0
            }
        };
        let sets: usize = self.own.heap_size() + self.extra.iter().map(set).sum::<usize>();
        let groups: usize = self.groups.iter().map(|g| 16 + 16 + g.len()).sum();
        let condition = self
            .condition
            .as_ref()
            .map_or(0, CompiledCondition::heap_size);
        16 + self.name.len()
            + patterns(&self.identities)
            + patterns(&self.resources)
            + sets
            + groups
            + condition
    }
}

fn compile_patterns<'a>(
    items: impl ExactSizeIterator<Item = &'a str>,
    field: &str,
    family: UrnFamily,
    max: usize,
) -> Result<Box<[UrnPattern]>, ValidationError> {
    if items.len() == 0 {
        return Err(ValidationError::new(
            field,
            ErrorCode::MissingField,
            format!("{field} must not be empty"),
        ));
    }
    if items.len() > max {
        return Err(ValidationError::new(
            field,
            ErrorCode::TooManyItems,
            format!("more than {max} {field}"),
        ));
    }
    let suffix = if family == UrnFamily::Resource {
        ".urn"
    } else {
        ""
    };
    let mut out: Vec<UrnPattern> = Vec::with_capacity(items.len());
    for (i, item) in items.enumerate() {
        let pattern =
            UrnPattern::parse(item, family).map_err(|e| e.at(format!("{field}[{i}]{suffix}")))?;
        if !out.contains(&pattern) {
            out.push(pattern);
        }
    }
    Ok(out.into())
}

fn compile_group_refs(refs: &[PermissionsGroupRef]) -> Result<Box<[Arc<str>]>, ValidationError> {
    if refs.len() > MAX_PERMISSIONS_GROUPS {
        let message = format!("more than {MAX_PERMISSIONS_GROUPS} permissions groups");
        return Err(ValidationError::new(
            "permissionsGroups",
            ErrorCode::TooManyItems,
            message,
        ));
    }
    let mut out: Vec<Arc<str>> = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        let urn = Urn::parse_as(&r.urn, UrnFamily::PermissionsGroup)
            .map_err(|e| e.at(format!("permissionsGroups[{i}].urn")))?;
        let urn: Arc<str> = urn.to_string().into();
        if !out.contains(&urn) {
            out.push(urn);
        }
    }
    Ok(out.into())
}

/// A permissions group compiled for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledGroup {
    pub(crate) urn: Arc<str>,
    pub(crate) set: PermissionSet,
}

impl CompiledGroup {
    pub(crate) fn new(urn: &str, set: PermissionSet) -> CompiledGroup {
        CompiledGroup {
            urn: urn.into(),
            set,
        }
    }

    pub fn urn(&self) -> &str {
        &self.urn
    }

    pub(crate) fn heap_size(&self) -> usize {
        16 + self.urn.len() + self.set.heap_size()
    }
}

//! What the system provides without anyone writing a policy: the group roles as synthetic,
//! read-only policies (DESIGN.md §4.6), the built-in permissions groups, and the
//! `ovh-default` policy shape. [`Builtins`] is built once from the catalog and shared
//! (`Arc`) by every account's index.
//!
//! Group roles, each a policy named `ovh-role-<ROLE>` whose identity is the group and whose
//! resource is the account's default resource group (which holds every resource):
//!
//! | role | permissions |
//! |---|---|
//! | `ADMIN` | allow `*` (as the account root) |
//! | `REGULAR` | allow `*` except [`REGULAR_EXCEPT`] (identity, service-account and IAM management, iamd administration); plus, in a second set of the same policy, the catalog's read-only actions under those prefixes |
//! | `UNPRIVILEGED` | the catalog's read-only actions (every category `READ`) |
//! | `NONE` | no policy at all |
//!
//! Why `REGULAR` keeps the reads: an `UNPRIVILEGED` member may read users, groups, service
//! accounts and policies, and a role that can do more must not be able to see less; reads
//! reveal no secret (client secrets and tokens are never readable). Writes stay excepted.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::action::{ActionPattern, ActionSet};
use crate::catalog::Catalog;
use crate::compiled::{CompiledGroup, CompiledPolicy, PermissionSet};
use crate::error::{ErrorCode, ValidationError};
use crate::pattern::UrnPattern;
use crate::policy::{ActionRef, Permissions, PermissionsGroup, Policy, ResourceRef};
use crate::role::Role;
use crate::urn::{Plate, Urn, UrnFamily, UrnKind};

/// What `REGULAR` may not do (except reading): identity, service-account and IAM management,
/// and iamd's own administration actions (`account:iamd:*`: the audit log, the simulator).
pub const REGULAR_EXCEPT: [&str; 4] = [
    "account:apiovh:me/identity/*",
    "account:apiovh:me/api/oauth2/*",
    "account:apiovh:iam/*",
    "account:iamd:*",
];

/// The id of the built-in `globalAdmin` permissions group.
pub const GLOBAL_ADMIN_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_0000_0001_0000_0000_0001);

/// The name of the policy every account gets: the account identity may do `*` on its default
/// resource group.
pub const DEFAULT_POLICY_NAME: &str = "ovh-default";

/// A group of users and its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleBinding {
    /// The group's identity URN, `urn:v1:eu:identity:group:xx1111-ovh/name`.
    pub group: String,
    pub role: Role,
    /// The account's default resource group URN (holds every resource of the account).
    pub default_resource_group: String,
}

/// The name of a role's synthetic policy, e.g. `ovh-role-ADMIN`.
pub fn role_policy_name(role: Role) -> String {
    format!("ovh-role-{}", role.as_str())
}

/// The synthetic policy id of a group's role: derived from the group URN, stable across
/// restarts and nodes (FNV-1a, marked as a version 8 UUID).
pub fn role_policy_id(group_urn: &str) -> Uuid {
    let fnv = |seed: u64| {
        group_urn.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let high = u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64;
    let mut bytes = (high | u128::from(fnv(0x84222325_cbf29ce4))).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// The built-in permissions groups of a plate, in the API shape.
pub fn builtin_permissions_groups(plate: Plate) -> Vec<PermissionsGroup> {
    let epoch = DateTime::<Utc>::from_timestamp(1_672_531_200, 0).unwrap_or_default();
    vec![PermissionsGroup {
        id: GLOBAL_ADMIN_ID,
        urn: Urn::permissions_group(plate, "ovh", "globalAdmin").to_string(),
        name: "globalAdmin".into(),
        description: "Every action on every resource".into(),
        owner: "ovh".into(),
        permissions: Permissions {
            allow: vec![ActionRef::new("*")],
            ..Permissions::default()
        },
        created_at: epoch,
        updated_at: None,
    }]
}

/// The `ovh-default` policy of an account (read-only; the store keeps it).
pub fn default_policy(
    plate: Plate,
    nic: &str,
    default_group: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Policy {
    Policy {
        id,
        name: DEFAULT_POLICY_NAME.into(),
        description: None,
        identities: vec![Urn::account(plate, nic).to_string()],
        resources: vec![ResourceRef {
            urn: Urn::resource_group(plate, default_group).to_string(),
        }],
        permissions: Permissions {
            allow: vec![ActionRef::new("*")],
            ..Permissions::default()
        },
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: true,
        owner: nic.into(),
        created_at: now,
        // Seed 004 shows `updatedAt` equal to `createdAt` on `ovh-default`.
        updated_at: Some(now),
    }
}

/// Role permission sets and built-in groups, computed once from the catalog.
#[derive(Debug)]
pub struct Builtins {
    admin: Arc<PermissionSet>,
    regular: Arc<PermissionSet>,
    regular_reads: Arc<PermissionSet>,
    read_only: Arc<PermissionSet>,
    groups: Vec<Arc<CompiledGroup>>,
}

impl Builtins {
    pub fn new(catalog: &Catalog) -> Arc<Builtins> {
        let all = || ActionSet::new([ActionPattern::Any]);
        let except: Vec<ActionPattern> = REGULAR_EXCEPT
            .iter()
            .filter_map(|p| ActionPattern::parse(p).ok())
            .collect();
        let in_except = |a: &str| except.iter().any(|p| p.matches(a));
        let allow = |set: ActionSet| {
            Arc::new(PermissionSet::from_sets(
                set,
                ActionSet::default(),
                ActionSet::default(),
            ))
        };
        let groups = Plate::ALL
            .into_iter()
            .flat_map(builtin_permissions_groups)
            .map(|g| {
                Arc::new(CompiledGroup::new(
                    &g.urn,
                    PermissionSet::from_sets(all(), ActionSet::default(), ActionSet::default()),
                ))
            })
            .collect();
        Arc::new(Builtins {
            admin: allow(all()),
            regular: Arc::new(PermissionSet::from_sets(
                all(),
                ActionSet::new(except.clone()),
                ActionSet::default(),
            )),
            regular_reads: allow(catalog.read_only_actions(in_except)),
            read_only: allow(catalog.read_only_actions(|_| true)),
            groups,
        })
    }

    /// A built-in permissions group by canonical URN.
    pub(crate) fn group(&self, urn: &str) -> Option<&Arc<CompiledGroup>> {
        self.groups.iter().find(|g| &*g.urn == urn)
    }

    pub(crate) fn is_builtin_group(&self, urn: &str) -> bool {
        self.group(urn).is_some()
    }

    /// The synthetic policy of a binding; `None` for `NONE`.
    pub(crate) fn role_policy(
        &self,
        binding: &RoleBinding,
    ) -> Result<Option<CompiledPolicy>, ValidationError> {
        let group =
            Urn::parse_as(&binding.group, UrnFamily::Identity).map_err(|e| e.at("group"))?;
        if !matches!(group.kind, UrnKind::Group { .. }) {
            let message =
                "roles belong to groups: expected urn:v1:(eu|ca|us):identity:group:<nic>/<group>";
            return Err(ValidationError::new(
                "group",
                ErrorCode::InvalidIdentityUrn,
                message,
            ));
        }
        let resource = UrnPattern::parse(&binding.default_resource_group, UrnFamily::Resource)
            .map_err(|e| e.at("defaultResourceGroup"))?;
        let sets = match binding.role {
            Role::Admin => vec![self.admin.clone()],
            Role::Regular => vec![self.regular.clone(), self.regular_reads.clone()],
            Role::Unprivileged => vec![self.read_only.clone()],
            Role::None => return Ok(None),
        };
        let group = group.to_string();
        let identity = UrnPattern::Exact(group.as_str().into());
        let name = role_policy_name(binding.role);
        Ok(Some(CompiledPolicy::system(
            role_policy_id(&group),
            &name,
            identity,
            resource,
            sets,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_are_stable_and_distinct() {
        let a = role_policy_id("urn:v1:eu:identity:group:xx1-ovh/ops");
        assert_eq!(a, role_policy_id("urn:v1:eu:identity:group:xx1-ovh/ops"));
        assert_ne!(a, role_policy_id("urn:v1:eu:identity:group:xx1-ovh/dev"));
        assert_eq!(a.get_version_num(), 8);
    }

    #[test]
    fn global_admin_has_the_documented_id_and_urn() {
        let groups = builtin_permissions_groups(Plate::Eu);
        assert_eq!(
            groups[0].id.to_string(),
            "00000000-0000-0000-0001-000000000001"
        );
        assert_eq!(groups[0].urn, "urn:v1:eu:permissionsGroup:ovh:globalAdmin");
        assert!(groups[0].validate().is_ok());
    }

    #[test]
    fn the_default_policy_validates() {
        let p = default_policy(
            Plate::Eu,
            "xx1111-ovh",
            Uuid::nil(),
            Uuid::nil(),
            DateTime::default(),
        );
        assert!(p.validate().is_ok());
        assert_eq!(p.identities, ["urn:v1:eu:identity:account:xx1111-ovh"]);
    }

    #[test]
    fn role_bindings_need_a_group_and_a_resource_group() {
        let catalog = Catalog::default();
        let builtins = Builtins::new(&catalog);
        let binding = |group: &str, rg: &str| RoleBinding {
            group: group.into(),
            role: Role::Admin,
            default_resource_group: rg.into(),
        };
        let rg = "urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8";
        assert!(
            builtins
                .role_policy(&binding("urn:v1:eu:identity:group:x-ovh/ops", rg))
                .is_ok()
        );
        assert!(
            builtins
                .role_policy(&binding("urn:v1:eu:identity:user:x-ovh/ops", rg))
                .is_err()
        );
        assert!(
            builtins
                .role_policy(&binding("urn:v1:eu:identity:group:x-ovh/ops", "*"))
                .is_err()
        );
    }
}

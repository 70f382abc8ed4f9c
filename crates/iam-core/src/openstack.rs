//! The eleven OpenStack rights of a `publicCloudProject` (seed `003`), as IAM actions with
//! their descriptions and categories, and the OpenStack role names each right maps to.
//! The catalog adds them as a built-in extension; the OIDC role adapter asks
//! [`openstack_roles`] which Keystone roles to put in a token.

use crate::catalog::{ActionInfo, Category};

/// The resource type the rights apply to.
pub const RESOURCE_TYPE: &str = "publicCloudProject";

/// One OpenStack right: an IAM action on a `publicCloudProject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenStackRight {
    pub action: &'static str,
    pub description: &'static str,
    pub category: Category,
    /// OpenStack role names granted in the project.
    pub roles: &'static [&'static str],
}

const ALL_INFRA: &[&str] = &[
    "compute_manage",
    "compute_snapshot_manage",
    "compute_read",
    "objectstore_all",
    "image_manage",
    "image_read",
    "image_import",
    "volume_manage",
    "volume_snapshot_manage",
    "volume_read",
    "network_manage",
    "network_read",
    "network_secgroup_manage",
    "network_secgroup_read",
];

/// The rights, in the order of the seed's table.
pub const RIGHTS: [OpenStackRight; 11] = [
    right(
        "publicCloudProject:openstack:administrator",
        "Full access to the project's compute, images, volumes, networks, security groups and object storage",
        Category::Operate,
        ALL_INFRA,
    ),
    right(
        "publicCloudProject:openstack:backupOperator",
        "Create and manage instance and volume snapshots; read instances, images and volumes; import images",
        Category::Operate,
        &[
            "compute_snapshot_manage",
            "compute_read",
            "image_read",
            "image_import",
            "volume_snapshot_manage",
            "volume_read",
        ],
    ),
    right(
        "publicCloudProject:openstack:computeOperator",
        "Manage instances and their snapshots; read images, volumes, networks and security groups",
        Category::Operate,
        &[
            "compute_manage",
            "compute_snapshot_manage",
            "compute_read",
            "image_read",
            "volume_read",
            "network_read",
            "network_secgroup_read",
        ],
    ),
    right(
        "publicCloudProject:openstack:imageOperator",
        "Manage, import and read images",
        Category::Operate,
        &["image_manage", "image_read", "image_import"],
    ),
    right(
        "publicCloudProject:openstack:infrastructureSupervisor",
        "Read instances, images, volumes, networks and security groups, for monitoring",
        Category::Read,
        &[
            "compute_read",
            "image_read",
            "volume_read",
            "network_read",
            "network_secgroup_read",
        ],
    ),
    right(
        "publicCloudProject:openstack:networkOperator",
        "Manage networks; read networks and security groups",
        Category::Operate,
        &["network_manage", "network_read", "network_secgroup_read"],
    ),
    right(
        "publicCloudProject:openstack:networkSecurityOperator",
        "Manage and read security groups",
        Category::Operate,
        &["network_secgroup_manage", "network_secgroup_read"],
    ),
    right(
        "publicCloudProject:openstack:objectstoreOperator",
        "Full access to object storage (Swift)",
        Category::Operate,
        &["objectstore_all"],
    ),
    right(
        "publicCloudProject:openstack:volumeOperator",
        "Manage volumes and volume snapshots; read volumes",
        Category::Operate,
        &["volume_manage", "volume_snapshot_manage", "volume_read"],
    ),
    right(
        "publicCloudProject:ai:aiTrainingOperator",
        "Run and manage AI Training jobs",
        Category::Operate,
        &["ai_training_all", "ai_training_read"],
    ),
    right(
        "publicCloudProject:ai:aiTrainingRead",
        "Read AI Training jobs",
        Category::Read,
        &["ai_training_read"],
    ),
];

const fn right(
    action: &'static str,
    description: &'static str,
    category: Category,
    roles: &'static [&'static str],
) -> OpenStackRight {
    OpenStackRight {
        action,
        description,
        category,
        roles,
    }
}

/// The OpenStack role names a right grants; empty for anything that is not a right.
pub fn openstack_roles(right: &str) -> &'static [&'static str] {
    RIGHTS
        .iter()
        .find(|r| r.action == right)
        .map_or(&[], |r| r.roles)
}

/// The rights as catalog entries.
pub fn catalog_entries() -> impl Iterator<Item = ActionInfo> {
    RIGHTS.iter().map(|r| ActionInfo {
        action: r.action.to_owned(),
        resource_type: RESOURCE_TYPE.to_owned(),
        description: r.description.to_owned(),
        categories: vec![r.category],
        routes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_rights_with_the_seed_roles() {
        assert_eq!(RIGHTS.len(), 11);
        assert_eq!(
            openstack_roles("publicCloudProject:openstack:administrator").len(),
            14
        );
        assert!(
            !openstack_roles("publicCloudProject:openstack:administrator")
                .contains(&"ai_training_all")
        );
        assert_eq!(
            openstack_roles("publicCloudProject:openstack:infrastructureSupervisor"),
            [
                "compute_read",
                "image_read",
                "volume_read",
                "network_read",
                "network_secgroup_read"
            ]
        );
        assert_eq!(
            openstack_roles("publicCloudProject:openstack:objectstoreOperator"),
            ["objectstore_all"]
        );
        assert_eq!(
            openstack_roles("publicCloudProject:ai:aiTrainingRead"),
            ["ai_training_read"]
        );
        assert!(openstack_roles("vps:apiovh:reboot").is_empty());
    }

    #[test]
    fn only_object_storage_rights_grant_swift() {
        let swift: Vec<_> = RIGHTS
            .iter()
            .filter(|r| r.roles.contains(&"objectstore_all"))
            .map(|r| r.action)
            .collect();
        assert_eq!(
            swift,
            [
                "publicCloudProject:openstack:administrator",
                "publicCloudProject:openstack:objectstoreOperator"
            ]
        );
    }
}

//! Which OpenStack roles a service account holds on which Public Cloud projects: the eleven
//! rights of `iam_core::openstack::RIGHTS`, each decided by the one decision path
//! (`AccountSnapshot::decide`, so `deny`, `except`, conditions and resource groups all count)
//! on `urn:v1:<plate>:resource:publicCloudProject:<projectId>`, then mapped to role names.
//!
//! The projects a token can be for: only `publicCloudProject` resources of the plate
//! registered in the caller's account (DESIGN.md §4 rule 7). `publicCloudProject/all` means
//! every one of them the caller has a right on; a project named in the scope must be one of
//! them. A policy naming another project, by exact URN or by wildcard, reaches nothing.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use iam_core::openstack::{RESOURCE_TYPE, RIGHTS, openstack_roles};
use iam_core::urn::{Plate, Urn, UrnKind};

use crate::service::role_adapter::scope::{Projects, is_project_id};
use crate::service::snapshot::AccountSnapshot;

/// One project of a token and the roles held on it (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRoles {
    pub project_id: String,
    /// Sorted, without duplicates.
    pub roles: BTreeSet<&'static str>,
}

/// `urn:v1:<plate>:resource:publicCloudProject:<projectId>`.
pub fn project_urn(plate: Plate, project_id: &str) -> String {
    Urn::resource(plate, RESOURCE_TYPE, project_id).to_string()
}

/// The project id a URN names, if it is a `publicCloudProject` of `plate` with a valid id.
fn project_of(plate: Plate, urn: &str) -> Option<String> {
    match Urn::parse(urn).ok()? {
        Urn {
            plate: p,
            kind:
                UrnKind::Resource {
                    resource_type,
                    name,
                },
        } if p == plate && resource_type == RESOURCE_TYPE && is_project_id(&name) => Some(name),
        _ => None,
    }
}

/// The projects `publicCloudProject/all` considers: the account's registered ones.
pub fn candidate_projects(snapshot: &AccountSnapshot, plate: Plate) -> BTreeSet<String> {
    snapshot
        .resource_urns_of_type(RESOURCE_TYPE)
        .filter_map(|urn| project_of(plate, urn))
        .collect()
}

/// The named projects that are not registered in the account (a token never speaks for
/// them, whatever the policies say).
pub fn outside_account<'a>(
    snapshot: &AccountSnapshot,
    plate: Plate,
    ids: &'a BTreeSet<String>,
) -> Vec<&'a str> {
    ids.iter()
        .filter(|id| snapshot.registered(&project_urn(plate, id)).is_none())
        .map(String::as_str)
        .collect()
}

/// The roles `identities` hold on one project at `now`, from `ip`.
pub fn roles_on(
    snapshot: &AccountSnapshot,
    identities: &[String],
    project_urn: &str,
    now: DateTime<Utc>,
    ip: Option<IpAddr>,
) -> BTreeSet<&'static str> {
    let actions: Vec<&str> = RIGHTS.iter().map(|r| r.action).collect();
    let decisions = snapshot.decide(identities, project_urn, &actions, now, ip);
    actions
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.allowed)
        .flat_map(|(action, _)| openstack_roles(action).iter().copied())
        .collect()
}

/// The projects of the token and their roles; projects without any role are left out.
pub fn compute(
    snapshot: &AccountSnapshot,
    plate: Plate,
    identities: &[String],
    projects: &Projects,
    now: DateTime<Utc>,
    ip: Option<IpAddr>,
) -> Vec<ProjectRoles> {
    let ids = match projects {
        Projects::All => candidate_projects(snapshot, plate),
        Projects::Named(ids) => ids.clone(),
    };
    ids.into_iter()
        .filter_map(|project_id| {
            let urn = project_urn(plate, &project_id);
            let roles = roles_on(snapshot, identities, &urn, now, ip);
            (!roles.is_empty()).then_some(ProjectRoles { project_id, roles })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_urns_and_ids() {
        let urn = project_urn(Plate::Eu, "0f0f");
        assert_eq!(urn, "urn:v1:eu:resource:publicCloudProject:0f0f");
        assert_eq!(project_of(Plate::Eu, &urn).as_deref(), Some("0f0f"));
        assert_eq!(project_of(Plate::Ca, &urn), None);
        assert_eq!(
            project_of(Plate::Eu, "urn:v1:eu:resource:vps:0f0f"),
            None,
            "another resource type"
        );
        assert_eq!(
            project_of(Plate::Eu, "urn:v1:eu:resource:publicCloudProject:a;b"),
            None,
            "not a project id"
        );
    }
}

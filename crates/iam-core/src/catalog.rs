//! The action catalog: every known IAM action with its resource type, description and
//! categories (`CREATE`, `READ`, `EDIT`, `OPERATE`, `DELETE`). Built from catalog JSON
//! (`{"actions":[{"action","resourceType","description","categories","routes"}]}`) plus the
//! built-in OpenStack rights (`openstack.rs`). The engine uses it for the `UNPRIVILEGED` and
//! `REGULAR` group roles; the API serves it as `/iam/reference/...`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::action::{ActionPattern, ActionSet};
use crate::openstack;

/// The catalog shipped with iamd (`data/actions-catalog.json`).
pub const BUILTIN_CATALOG_JSON: &str = include_str!("../data/actions-catalog.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Category {
    Create,
    Read,
    Edit,
    Operate,
    Delete,
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionInfo {
    pub action: String,
    pub resource_type: String,
    #[serde(default)]
    pub description: String,
    pub categories: Vec<Category>,
    /// The API routes that need the action (`"GET /me"`); informative only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

impl ActionInfo {
    /// Read-only: it has categories and all of them are `READ`.
    pub fn is_read_only(&self) -> bool {
        !self.categories.is_empty() && self.categories.iter().all(|c| *c == Category::Read)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalog is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("actions[{index}]: {reason}")]
    Entry { index: usize, reason: String },
}

#[derive(Deserialize)]
struct CatalogFile {
    actions: Vec<ActionInfo>,
}

/// Known actions, looked up by name or listed by resource type.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    actions: Vec<ActionInfo>,
    by_action: HashMap<String, usize>,
    by_type: BTreeMap<String, Vec<usize>>,
}

impl Catalog {
    /// The embedded catalog plus the OpenStack rights.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_json(BUILTIN_CATALOG_JSON)
    }

    /// Parses catalog JSON and adds the OpenStack rights (unless the text defines them).
    pub fn from_json(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|e| CatalogError::Json(e.to_string()))?;
        let mut catalog = Catalog::default();
        for (index, info) in file.actions.into_iter().enumerate() {
            catalog
                .insert(info)
                .map_err(|reason| CatalogError::Entry { index, reason })?;
        }
        for info in openstack::catalog_entries() {
            if catalog.get(&info.action).is_none() {
                catalog.insert(info).map_err(|reason| CatalogError::Entry {
                    index: usize::MAX,
                    reason,
                })?;
            }
        }
        Ok(catalog)
    }

    /// Adds one action (e.g. from a resource provider); an existing name is refused.
    pub fn insert(&mut self, info: ActionInfo) -> Result<(), String> {
        match ActionPattern::parse(&info.action) {
            Ok(ActionPattern::Exact(_)) => {}
            Ok(_) => return Err(format!("{:?} is a pattern, not an action", info.action)),
            Err(e) => return Err(e.to_string()),
        }
        if !crate::urn::is_valid_resource_type(&info.resource_type) {
            return Err(format!("{:?} is not a resource type", info.resource_type));
        }
        if self.by_action.contains_key(&info.action) {
            return Err(format!("{:?} is listed twice", info.action));
        }
        let index = self.actions.len();
        self.by_action.insert(info.action.clone(), index);
        self.by_type
            .entry(info.resource_type.clone())
            .or_default()
            .push(index);
        self.actions.push(info);
        Ok(())
    }

    pub fn get(&self, action: &str) -> Option<&ActionInfo> {
        self.by_action.get(action).map(|i| &self.actions[*i])
    }

    /// The categories of a known action.
    pub fn categories(&self, action: &str) -> Option<&[Category]> {
        self.get(action).map(|a| a.categories.as_slice())
    }

    /// Every action, in insertion order.
    pub fn actions(&self) -> &[ActionInfo] {
        &self.actions
    }

    /// The actions of one resource type.
    pub fn actions_of_type<'a>(
        &'a self,
        resource_type: &str,
    ) -> impl Iterator<Item = &'a ActionInfo> + 'a {
        let indexes = self
            .by_type
            .get(resource_type)
            .map_or(&[][..], Vec::as_slice);
        indexes.iter().map(|i| &self.actions[*i])
    }

    /// Resource types, sorted.
    pub fn resource_types(&self) -> impl Iterator<Item = &str> {
        self.by_type.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The read-only actions (all categories `READ`) accepted by `filter`, as a set.
    pub fn read_only_actions(&self, filter: impl Fn(&str) -> bool) -> ActionSet {
        let exact = self
            .actions
            .iter()
            .filter(|a| a.is_read_only() && filter(&a.action));
        ActionSet::new(exact.map(|a| ActionPattern::Exact(a.action.as_str().into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Catalog {
        Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_builtin_catalog_loads_with_openstack() {
        let c = builtin();
        assert_eq!(c.len(), 2242 + 11);
        assert_eq!(
            c.categories("vps:apiovh:reboot"),
            Some(&[Category::Operate][..])
        );
        assert_eq!(
            c.categories("account:apiovh:me/get"),
            Some(&[Category::Read][..])
        );
        let supervisor = c.get("publicCloudProject:openstack:infrastructureSupervisor");
        assert!(supervisor.is_some_and(ActionInfo::is_read_only));
        assert!(c.resource_types().any(|t| t == "publicCloudProject"));
        assert_eq!(c.actions_of_type("publicCloudProject").count(), 16 + 11);
        assert_eq!(c.actions_of_type("nothing").count(), 0);
    }

    #[test]
    fn read_only_sets_come_from_categories() {
        let reads = builtin().read_only_actions(|_| true);
        assert!(reads.matches("account:apiovh:iam/policy/get"));
        assert!(!reads.matches("account:apiovh:iam/policy/create"));
        assert!(!reads.matches("vps:apiovh:reboot"));
    }

    #[test]
    fn bad_catalogs_are_refused() {
        assert!(matches!(
            Catalog::from_json("{"),
            Err(CatalogError::Json(_))
        ));
        let twice = r#"{"actions":[
            {"action":"a:b:c","resourceType":"a","categories":["READ"]},
            {"action":"a:b:c","resourceType":"a","categories":["READ"]}]}"#;
        assert!(matches!(
            Catalog::from_json(twice),
            Err(CatalogError::Entry { index: 1, .. })
        ));
        let pattern = r#"{"actions":[{"action":"a:*","resourceType":"a","categories":["READ"]}]}"#;
        assert!(Catalog::from_json(pattern).is_err());
        let category =
            r#"{"actions":[{"action":"a:b","resourceType":"a","categories":["WRITE"]}]}"#;
        assert!(Catalog::from_json(category).is_err());
    }
}

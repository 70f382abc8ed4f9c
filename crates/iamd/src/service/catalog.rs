//! The live action catalog: the built-in one (actions-catalog plus the OpenStack rights of
//! `publicCloudProject`) extended with what resource providers declared, and the resource
//! types providers own. Readers take an `Arc` of the current version; a declaration
//! rebuilds it and swaps it in (readers are never blocked for long, never see half a change).

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use iam_core::catalog::{ActionInfo, Catalog, CatalogError};
use iam_store::{DeclaredAction, ResourceProvider};

/// One version of the catalog.
#[derive(Debug)]
pub struct CatalogVersion {
    pub actions: Catalog,
    /// Every resource type: those with actions, and those a provider owns.
    pub resource_types: BTreeSet<String>,
}

pub struct LiveCatalog {
    builtin: Catalog,
    current: RwLock<Arc<CatalogVersion>>,
}

impl LiveCatalog {
    /// The built-in catalog, before anything declared is added.
    pub fn builtin() -> Result<LiveCatalog, CatalogError> {
        let builtin = Catalog::builtin()?;
        let version = version(builtin.clone(), &[]);
        Ok(LiveCatalog {
            builtin,
            current: RwLock::new(Arc::new(version)),
        })
    }

    pub fn current(&self) -> Arc<CatalogVersion> {
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Rebuilds from the built-in catalog, the providers' types and the declared actions.
    /// A declared action the built-in catalog already has is skipped (declarations of such
    /// names are refused, so this only guards against a catalog upgrade).
    pub fn rebuild(
        &self,
        providers: &[ResourceProvider],
        declared: &[DeclaredAction],
    ) -> Arc<CatalogVersion> {
        let mut actions = self.builtin.clone();
        for d in declared {
            let info = ActionInfo {
                action: d.action.clone(),
                resource_type: d.resource_type.clone(),
                description: d.description.clone(),
                categories: d.categories.clone(),
                routes: Vec::new(),
            };
            if let Err(reason) = actions.insert(info) {
                tracing::warn!(action = %d.action, %reason, "declared action left out of the catalog");
            }
        }
        let types: Vec<&str> = providers
            .iter()
            .flat_map(|p| p.resource_types.iter().map(String::as_str))
            .collect();
        let next = Arc::new(version(actions, &types));
        match self.current.write() {
            Ok(mut current) => *current = next.clone(),
            Err(poisoned) => *poisoned.into_inner() = next.clone(),
        }
        next
    }

    /// Whether the built-in catalog names `action` (providers may not redeclare it).
    pub fn is_builtin(&self, action: &str) -> bool {
        self.builtin.get(action).is_some()
    }
}

fn version(actions: Catalog, provider_types: &[&str]) -> CatalogVersion {
    let mut resource_types: BTreeSet<String> =
        actions.resource_types().map(str::to_owned).collect();
    resource_types.extend(provider_types.iter().map(|t| (*t).to_owned()));
    CatalogVersion {
        actions,
        resource_types,
    }
}

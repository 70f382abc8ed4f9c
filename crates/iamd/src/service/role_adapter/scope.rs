//! The role adapter's scopes (RFC 6749 §3.3): which Public Cloud projects a token is for.
//!
//! | scope token | meaning |
//! |---|---|
//! | `openid`, `profile`, `email` | OIDC scopes keystoneauth1 sends (`openid profile` by default); accepted, change nothing |
//! | `publicCloudProject/all` | every project of the caller's account it has an OpenStack right on (also what no project scope means) |
//! | `publicCloudProject/<projectId>` | that project, which must be registered in the caller's account; several may be named |
//!
//! Anything else is `invalid_scope`: a typo must not silently widen a token to every project.

use std::collections::BTreeSet;

use crate::service::oauth::OAuthError;

/// The scope prefix naming projects.
pub const PROJECT_SCOPE_PREFIX: &str = "publicCloudProject/";
/// The scope naming every project the caller has rights on.
pub const ALL_PROJECTS: &str = "publicCloudProject/all";
/// OIDC Core §5.4 scopes accepted (and ignored: the token's claims do not depend on them).
pub const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "email"];
/// Longest project id accepted (Keystone ids are 32 hex digits; OVHcloud's too).
pub const MAX_PROJECT_ID_LEN: usize = 64;
/// Most projects one scope may name: each costs eleven decisions, and a token for a few
/// projects already nears the 8 KiB header Apache accepts by default.
pub const MAX_NAMED_PROJECTS: usize = 100;

/// Which projects the token is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projects {
    All,
    Named(BTreeSet<String>),
}

/// A parsed scope: its projects, and the scope string the token response echoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub projects: Projects,
    pub granted: String,
}

/// Parses the `scope` parameter. `None` (or only OIDC scopes) means every project.
pub fn parse(requested: Option<&str>) -> Result<Scope, OAuthError> {
    let mut all = false;
    let mut named = BTreeSet::new();
    let mut granted = Vec::new();
    for token in requested.unwrap_or("").split(' ').filter(|t| !t.is_empty()) {
        if token == ALL_PROJECTS {
            all = true;
        } else if let Some(id) = token.strip_prefix(PROJECT_SCOPE_PREFIX) {
            named.insert(project_id(id)?.to_owned());
            if named.len() > MAX_NAMED_PROJECTS {
                return Err(OAuthError::InvalidScope(format!(
                    "a scope names at most {MAX_NAMED_PROJECTS} projects"
                )));
            }
        } else if !OIDC_SCOPES.contains(&token) {
            return Err(OAuthError::InvalidScope(format!(
                "unknown scope {:?}: use openid, profile, email, {ALL_PROJECTS} or {PROJECT_SCOPE_PREFIX}<projectId>",
                token.chars().take(80).collect::<String>()
            )));
        }
        if !granted.contains(&token) {
            granted.push(token);
        }
    }
    if all && !named.is_empty() {
        return Err(OAuthError::InvalidScope(format!(
            "{ALL_PROJECTS} and a named project cannot be asked for together"
        )));
    }
    let projects = if named.is_empty() {
        Projects::All
    } else {
        Projects::Named(named)
    };
    Ok(Scope {
        projects,
        granted: granted.join(" "),
    })
}

/// A project id as a scope names it: the characters of Keystone and OVHcloud project ids,
/// which keeps `;` (mod_auth_openidc's delimiter) and `/` out of the claims built from it.
pub fn project_id(id: &str) -> Result<&str, OAuthError> {
    let valid = !id.is_empty()
        && id.len() <= MAX_PROJECT_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(id)
    } else {
        Err(OAuthError::InvalidScope(format!(
            "{:?} is not a project id (1 to {MAX_PROJECT_ID_LEN} letters, digits, - or _)",
            id.chars().take(80).collect::<String>()
        )))
    }
}

/// Whether a resource name can be a project id (what `project_id` accepts).
pub fn is_project_id(id: &str) -> bool {
    project_id(id).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(ids: &[&str]) -> Projects {
        Projects::Named(ids.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn keystoneauth_defaults_and_ovh_scopes_mean_every_project() {
        for scope in [
            None,
            Some(""),
            Some("openid profile"),
            Some("openid profile email publicCloudProject/all"),
        ] {
            assert_eq!(parse(scope).unwrap().projects, Projects::All, "{scope:?}");
        }
        assert_eq!(
            parse(Some("openid  openid profile")).unwrap().granted,
            "openid profile"
        );
    }

    #[test]
    fn named_projects() {
        let scope = parse(Some("openid publicCloudProject/p2 publicCloudProject/p1")).unwrap();
        assert_eq!(scope.projects, named(&["p1", "p2"]));
        assert_eq!(
            scope.granted,
            "openid publicCloudProject/p2 publicCloudProject/p1"
        );
    }

    #[test]
    fn unknown_malformed_or_contradictory_scopes_are_refused() {
        for scope in [
            "all",
            "openid publicCloudProject/",
            "publicCloudProject/a;b",
            "publicCloudProject/a/b",
            "publicCloudProject/all publicCloudProject/p1",
            "vps/all",
        ] {
            assert!(
                matches!(parse(Some(scope)), Err(OAuthError::InvalidScope(_))),
                "{scope}"
            );
        }
        let long = format!("publicCloudProject/{}", "a".repeat(65));
        assert!(parse(Some(&long)).is_err());
        let many: Vec<String> = (0..=MAX_NAMED_PROJECTS)
            .map(|i| format!("publicCloudProject/p{i}"))
            .collect();
        assert!(parse(Some(&many.join(" "))).is_err());
        assert!(parse(Some(&many[1..].join(" "))).is_ok());
        assert!(is_project_id("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"));
    }
}

//! The facts of an authorization request, all supplied by the caller: who asks (the
//! principal's identity URNs), about which resource (URN, name, type, tags, the resource
//! groups holding it), when and from where. The engine fetches nothing itself.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::urn::{Urn, UrnKind};

/// What is known about the resource an action targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceFacts {
    pub urn: String,
    /// The resource's `name` (what `resource.Name` conditions test).
    #[serde(default)]
    pub name: String,
    /// The resource's `type` (what `resource.Type` conditions test).
    #[serde(default, rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// URNs of every resource group that contains the resource, including the account's
    /// default resource group (group roles and `ovh-default` are granted through it).
    #[serde(default)]
    pub groups: Vec<String>,
}

impl ResourceFacts {
    /// Facts for `urn`, with name and type taken from a resource URN
    /// (`urn:v1:eu:resource:vps:my-vps` has type `vps` and name `my-vps`).
    pub fn from_urn(urn: &str) -> ResourceFacts {
        ResourceFacts {
            urn: urn.to_owned(),
            ..ResourceFacts::default()
        }
        .with_urn_defaults()
    }

    /// Fills an empty name or type from the URN, when it is a resource URN.
    pub fn with_urn_defaults(mut self) -> ResourceFacts {
        if let Ok(Urn {
            kind:
                UrnKind::Resource {
                    resource_type,
                    name,
                },
            ..
        }) = Urn::parse(&self.urn)
        {
            if self.name.is_empty() {
                self.name = name;
            }
            if self.resource_type.is_empty() {
                self.resource_type = resource_type;
            }
        }
        self
    }

    pub fn with_groups<I: IntoIterator<Item = S>, S: Into<String>>(mut self, groups: I) -> Self {
        self.groups.extend(groups.into_iter().map(Into::into));
        self
    }

    pub fn with_tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.to_owned(), value.to_owned());
        self
    }
}

/// When and from where the request is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub now: DateTime<Utc>,
    /// The client's address, when the caller knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
}

impl Context {
    pub fn at(now: DateTime<Utc>) -> Context {
        Context { now, ip: None }
    }

    pub fn with_ip(mut self, ip: IpAddr) -> Context {
        self.ip = Some(ip);
        self
    }
}

/// A request without its action: what [`crate::evaluate::evaluate_batch`] shares between
/// the actions it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestFacts {
    /// Every identity URN the principal acts as (root: the account; a user: the user and
    /// its group; a service account: its credential URN).
    pub identities: Vec<String>,
    pub resource: ResourceFacts,
    pub context: Context,
}

/// One action on one resource by one principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    #[serde(flatten)]
    pub facts: RequestFacts,
    pub action: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_a_resource_urn() {
        let facts = ResourceFacts::from_urn("urn:v1:eu:resource:dnsZone:a:b/c");
        assert_eq!(
            (facts.resource_type.as_str(), facts.name.as_str()),
            ("dnsZone", "a:b/c")
        );
        let group =
            ResourceFacts::from_urn("urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8");
        assert!(group.name.is_empty() && group.resource_type.is_empty());
    }

    #[test]
    fn requests_read_from_json() {
        let json = r#"{"identities":["urn:v1:eu:identity:account:xx1-ovh"],
            "resource":{"urn":"urn:v1:eu:resource:vps:v1","tags":{"env":"prod"}},
            "context":{"now":"2024-01-01T10:00:00Z","ip":"192.0.2.1"},
            "action":"vps:apiovh:reboot"}"#;
        let request: Result<Request, _> = serde_json::from_str(json);
        let request = request.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(request.action, "vps:apiovh:reboot");
        assert_eq!(
            request.facts.context.ip.map(|ip| ip.to_string()),
            Some("192.0.2.1".into())
        );
        assert_eq!(
            request.facts.resource.tags.get("env").map(String::as_str),
            Some("prod")
        );
    }
}

//! The policy form's contents as typed, before iam-core judges them: read from the posted
//! fields (checkboxes and free-text rows share a name, so each list is one repeated key),
//! made from a stored policy for editing, and turned into the API's `PolicyInput`. Only
//! what the form itself must parse (the conditions' JSON, the expiry date) is checked here;
//! every rule of the policy model stays in iam-core.

use chrono::{DateTime, NaiveDateTime, Utc};
use iam_core::condition::Condition;
use iam_core::policy::{ActionRef, Permissions, PermissionsGroupRef, PolicyInput, ResourceRef};

use crate::console::FieldError;
use crate::console::form::Fields;
use crate::service::policy_view::PolicyView;

/// How `expiredAt` is shown in the form's `datetime-local` input (UTC).
const EXPIRY_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

#[derive(Debug, Default, Clone)]
pub struct PolicyDraft {
    pub name: String,
    pub description: String,
    pub identities: Vec<String>,
    pub resources: Vec<String>,
    pub permissions_groups: Vec<String>,
    pub allow: Vec<String>,
    pub except: Vec<String>,
    pub deny: Vec<String>,
    /// The `conditions` object as JSON text; empty for none.
    pub conditions: String,
    /// As typed, `2026-12-31T23:59:00` (UTC); empty for never.
    pub expired_at: String,
}

impl PolicyDraft {
    pub fn from_fields(fields: &Fields) -> PolicyDraft {
        PolicyDraft {
            name: fields.get("name"),
            description: fields.get("description"),
            identities: distinct(fields.all("identity")),
            resources: distinct(fields.all("resource")),
            permissions_groups: distinct(fields.all("permissionsGroup")),
            allow: distinct(fields.all("allow")),
            except: distinct(fields.all("except")),
            deny: distinct(fields.all("deny")),
            conditions: fields.raw("conditions").trim().to_owned(),
            expired_at: fields.get("expiredAt"),
        }
    }

    pub fn from_view(view: &PolicyView) -> PolicyDraft {
        let actions =
            |list: &[ActionRef]| -> Vec<String> { list.iter().map(|a| a.action.clone()).collect() };
        PolicyDraft {
            name: view.name.clone(),
            description: view.description.clone().unwrap_or_default(),
            identities: view.identities.clone(),
            resources: view.resources.iter().map(|r| r.urn.clone()).collect(),
            permissions_groups: view
                .permissions_groups
                .iter()
                .map(|g| g.urn.clone())
                .collect(),
            allow: actions(&view.permissions.allow),
            except: actions(&view.permissions.except),
            deny: actions(&view.permissions.deny),
            conditions: view
                .conditions
                .as_ref()
                .and_then(|c| serde_json::to_string_pretty(c).ok())
                .unwrap_or_default(),
            expired_at: view
                .expired_at
                .map(|at| at.format(EXPIRY_FORMAT).to_string())
                .unwrap_or_default(),
        }
    }

    /// The API's input, or the form field whose text could not be read.
    pub fn to_input(&self) -> Result<PolicyInput, FieldError> {
        let actions =
            |list: &[String]| -> Vec<ActionRef> { list.iter().map(ActionRef::new).collect() };
        Ok(PolicyInput {
            name: self.name.clone(),
            description: (!self.description.is_empty()).then(|| self.description.clone()),
            identities: self.identities.clone(),
            resources: self
                .resources
                .iter()
                .map(|urn| ResourceRef { urn: urn.clone() })
                .collect(),
            permissions: Permissions {
                allow: actions(&self.allow),
                except: actions(&self.except),
                deny: actions(&self.deny),
            },
            permissions_groups: self
                .permissions_groups
                .iter()
                .map(|urn| PermissionsGroupRef { urn: urn.clone() })
                .collect(),
            conditions: parse_conditions(&self.conditions)?,
            expired_at: parse_expiry(&self.expired_at)?,
        })
    }

    /// The entry `index` of a section's list (to mark the row an error names).
    pub fn entry(&self, section: &str, index: usize) -> Option<&str> {
        let list = match section {
            "identities" => &self.identities,
            "resources" => &self.resources,
            "permissionsGroups" => &self.permissions_groups,
            "allow" => &self.allow,
            "except" => &self.except,
            "deny" => &self.deny,
            _ => return None,
        };
        list.get(index).map(String::as_str)
    }
}

/// Keeps the first of each value: a URN both ticked and typed is named once.
fn distinct(values: Vec<String>) -> Vec<String> {
    let mut seen = Vec::with_capacity(values.len());
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

fn parse_conditions(text: &str) -> Result<Option<Condition>, FieldError> {
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some).map_err(|e| {
        FieldError::at(
            "conditions",
            format!(
                "the conditions are not a valid condition object: {}",
                json_problem(&e)
            ),
        )
    })
}

fn parse_expiry(text: &str) -> Result<Option<DateTime<Utc>>, FieldError> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|naive| Some(naive.and_utc()))
        .ok_or_else(|| {
            FieldError::at(
                "expiredAt",
                format!("{text:?} is not a date and time; expected e.g. 2026-12-31T23:59 (UTC)"),
            )
        })
}

/// What is wrong with a JSON text, and where: `line 3, column 5: expected `,` or `}``.
pub fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json ends its message with " at line L column C"; say it first instead.
    let what = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(what, _)| what);
    format!("line {}, column {}: {what}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_and_typed_values_merge_once_and_blank_rows_vanish() {
        let f = Fields::parse(b"name=p&identity=a&identity=b&identity=a&identity=+&allow=x&deny=y");
        let d = PolicyDraft::from_fields(&f);
        assert_eq!(d.identities, vec!["a", "b"]);
        let input = d.to_input().unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(input.permissions.allow, vec![ActionRef::new("x")]);
        assert_eq!(input.permissions.deny, vec![ActionRef::new("y")]);
        assert_eq!(input.description, None);
        assert_eq!(input.expired_at, None);
    }

    #[test]
    fn unreadable_conditions_and_dates_name_their_field_and_place() {
        let d = PolicyDraft {
            conditions: "{\n  \"operator\": }".into(),
            ..PolicyDraft::default()
        };
        let e = d.to_input().err().unwrap_or_default();
        assert!(
            e.on("conditions")
                .is_some_and(|m| m.contains("line 2, column 15")),
            "{e:?}"
        );
        let d = PolicyDraft {
            expired_at: "tomorrow".into(),
            ..PolicyDraft::default()
        };
        assert!(
            d.to_input()
                .err()
                .unwrap_or_default()
                .on("expiredAt")
                .is_some()
        );
        let d = PolicyDraft {
            expired_at: "2030-01-02T03:04".into(),
            ..PolicyDraft::default()
        };
        let at = d.to_input().ok().and_then(|i| i.expired_at);
        assert_eq!(
            at.map(|a| a.to_rfc3339()),
            Some("2030-01-02T03:04:00+00:00".into())
        );
    }
}

//! Where an iam-core message belongs on the policy form. iam-core names the field first, as
//! a JSON path (`field "permissions.allow[1].action": …`); the form has one place per list,
//! so the path gives the section and, for a list, the entry that is wrong.

use crate::console::FieldError;

/// The section a message concerns, and the entry of that section's list when it names one.
#[derive(Debug, Default)]
pub struct Blame {
    pub error: FieldError,
    pub entry: Option<usize>,
}

/// JSON path prefixes and the form section each leads to. Longer prefixes first:
/// `permissions.allow` is a section of its own inside `permissions`.
const SECTIONS: &[(&str, &str)] = &[
    ("permissions.allow", "allow"),
    ("permissions.except", "except"),
    ("permissions.deny", "deny"),
    ("permissionsGroups", "permissionsGroups"),
    ("permissions", "permissions"),
    ("identities", "identities"),
    ("resources", "resources"),
    ("conditions", "conditions"),
    ("expiredAt", "expiredAt"),
    ("description", "description"),
    ("name", "name"),
];

/// Places `message` beside the section its field path names, or on the form as a whole.
pub fn blame(message: &str) -> Blame {
    let general = || Blame {
        error: FieldError::locate(message, &[]),
        entry: None,
    };
    let Some(path) = field_path(message) else {
        return general();
    };
    SECTIONS
        .iter()
        .find_map(|(prefix, section)| {
            let rest = path.strip_prefix(prefix)?;
            (rest.is_empty() || rest.starts_with('[') || rest.starts_with('.')).then(|| Blame {
                error: FieldError::at(section, message),
                entry: entry_index(rest),
            })
        })
        .unwrap_or_else(general)
}

/// `identities[2]` → `identities` from `field "identities[2]": …`.
fn field_path(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("field \"")?;
    rest.split_once('"').map(|(path, _)| path)
}

/// `[2].urn` → 2.
fn entry_index(rest: &str) -> Option<usize> {
    let (index, _) = rest.strip_prefix('[')?.split_once(']')?;
    index.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lead_to_their_section_and_entry() {
        let b = blame("field \"permissions.allow[1].action\": not an action");
        assert_eq!(
            b.error.on("allow"),
            Some("field \"permissions.allow[1].action\": not an action")
        );
        assert_eq!(b.entry, Some(1));
        let b = blame("field \"resources[0].urn\": bad");
        assert!(b.error.on("resources").is_some());
        assert_eq!(b.entry, Some(0));
        let b = blame("field \"identities\": identities must not be empty");
        assert!(b.error.on("identities").is_some());
        assert_eq!(b.entry, None);
        let b = blame("field \"permissions\": neither allows nor denies");
        assert!(b.error.on("permissions").is_some());
        let b = blame("field \"permissionsGroups[3].urn\": unknown");
        assert!(b.error.on("permissionsGroups").is_some());
        assert_eq!(b.entry, Some(3));
        assert!(blame("field \"name\": too long").error.on("name").is_some());
        assert!(
            blame("field \"conditions.conditions[0]\": x")
                .error
                .on("conditions")
                .is_some()
        );
    }

    #[test]
    fn messages_without_a_known_path_concern_the_whole_form() {
        assert_eq!(
            blame("something broke").error.general(),
            Some("something broke")
        );
        assert!(blame("field \"owner\": no").error.general().is_some());
    }
}

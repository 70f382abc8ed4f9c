//! The wire forms of the `tags` filter of `GET /v2/iam/resource` (the reference leaves the
//! encoding of this object parameter open). Both forms may be mixed:
//!
//! - `tags=<JSON>`, the reference's object as JSON: `{"env":[{"operator":"EQ","value":"prod"}]}`
//!   (`operator` defaults to `EQ`; `value` may be left out for `EXISTS` and `NEXISTS`);
//! - brackets: `tags[env]=prod` (equality), `tags[env][NEQ]=dev`, `tags[team][EXISTS]`,
//!   `tags[name][ILIKE]=%25web%25`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::http::error::ApiError;
use crate::service::tags::{TagFilter, TagOperator};

#[derive(Deserialize)]
struct WireFilter {
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

/// Every tag filter named by the query pairs; other pairs are ignored.
pub fn parse(pairs: &[(String, String)]) -> Result<Vec<TagFilter>, ApiError> {
    let mut filters = Vec::new();
    for (name, value) in pairs {
        if name == "tags" {
            filters.extend(from_json(value)?);
        } else if let Some(rest) = name.strip_prefix("tags[") {
            filters.push(from_brackets(rest, value)?);
        }
    }
    Ok(filters)
}

fn from_json(text: &str) -> Result<Vec<TagFilter>, ApiError> {
    let object: BTreeMap<String, Vec<WireFilter>> = serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request(format!(
            "query parameter tags must be a JSON object of tag key to [{{\"operator\",\"value\"}}]: {e}"
        ))
    })?;
    let mut filters = Vec::new();
    for (key, list) in object {
        for wire in list {
            let operator = operator(wire.operator.as_deref().unwrap_or("EQ"))?;
            filters.push(TagFilter {
                key: key.clone(),
                operator,
                value: wire.value.unwrap_or_default(),
            });
        }
    }
    Ok(filters)
}

/// `key]` or `key][OPERATOR]` (what follows `tags[`).
fn from_brackets(rest: &str, value: &str) -> Result<TagFilter, ApiError> {
    let malformed = || {
        ApiError::bad_request(format!(
            "query parameter tags[{rest} is malformed: expected tags[key] or tags[key][OPERATOR]"
        ))
    };
    let (key, after) = rest.split_once(']').ok_or_else(malformed)?;
    let operator = match after {
        "" => TagOperator::Eq,
        _ => {
            let name = after
                .strip_prefix('[')
                .and_then(|a| a.strip_suffix(']'))
                .ok_or_else(malformed)?;
            self::operator(name)?
        }
    };
    Ok(TagFilter {
        key: key.to_owned(),
        operator,
        value: value.to_owned(),
    })
}

fn operator(name: &str) -> Result<TagOperator, ApiError> {
    TagOperator::parse(name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unknown tag filter operator {name:?}: expected EQ, NEQ, EXISTS, NEXISTS, LIKE or ILIKE"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn both_forms_parse() {
        let json = r#"{"env":[{"operator":"NEQ","value":"dev"},{"value":"prod"}],"team":[{"operator":"EXISTS"}]}"#;
        let got = parse(&pairs(&[
            ("tags", json),
            ("tags[a]", "1"),
            ("tags[b][ilike]", "%x%"),
            ("other", "y"),
        ]))
        .unwrap();
        let ops: Vec<(&str, TagOperator, &str)> = got
            .iter()
            .map(|f| (f.key.as_str(), f.operator, f.value.as_str()))
            .collect();
        assert_eq!(
            ops,
            [
                ("env", TagOperator::Neq, "dev"),
                ("env", TagOperator::Eq, "prod"),
                ("team", TagOperator::Exists, ""),
                ("a", TagOperator::Eq, "1"),
                ("b", TagOperator::Ilike, "%x%"),
            ]
        );
    }

    #[test]
    fn malformed_filters_are_refused() {
        for (k, v) in [
            ("tags", "{"),
            ("tags", r#"{"a":[{"operator":"GT"}]}"#),
            ("tags[a", "1"),
            ("tags[a][EQ", "1"),
            ("tags[a][XX]", "1"),
        ] {
            assert!(parse(&pairs(&[(k, v)])).is_err(), "{k}={v}");
        }
    }
}

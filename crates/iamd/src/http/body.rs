//! API request bodies: one JSON object, read strictly (`strict.rs`: no array for an object,
//! no unknown key at any depth), with errors in the API's language — a JSON path
//! (`permissions.allow[0]`) and JSON type names, never Rust's.

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::http::strict::Strict;

/// A JSON body an API route takes. Each body says which fields of the matching GET answer
/// it accepts and ignores, so that a client may send back what it read (`id`, `owner`,
/// dates…); any other field it does not declare is refused.
pub trait ApiBody: DeserializeOwned {
    /// Top-level keys accepted and ignored.
    const READ_ONLY: &'static [&'static str] = &[];
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("expected a JSON body with Content-Type: application/json")]
    NotJson,
    #[error("the request body is too large")]
    TooLarge,
    #[error("the request body could not be read")]
    Unreadable,
    #[error("malformed JSON: {0}")]
    Syntax(String),
    #[error("invalid body: {0}")]
    Invalid(String),
}

/// `application/json`, or any `application/*+json`, parameters aside.
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

/// Reads `T` from a whole body; trailing characters after the object are refused.
pub fn parse<T: ApiBody>(bytes: &[u8]) -> Result<T, BodyError> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let value =
        serde_path_to_error::deserialize(Strict::new(&mut json, T::READ_ONLY)).map_err(|e| {
            let path = e.path().to_string();
            located(&path, e.into_inner())
        })?;
    json.end().map_err(|e| located(".", e))?;
    Ok(value)
}

fn located(path: &str, e: serde_json::Error) -> BodyError {
    // A key refused while being read is tracked as an unknown segment (`?`): the error is
    // about the object that holds it.
    let path = path.strip_suffix('?').unwrap_or(path);
    let path = path.strip_suffix('.').unwrap_or(path);
    match e.classify() {
        Category::Data => {
            let message = plain(&e.to_string());
            BodyError::Invalid(match path {
                "." | "" => message,
                path => format!("{path}: {message}"),
            })
        }
        Category::Syntax | Category::Eof | Category::Io => BodyError::Syntax(e.to_string()),
    }
}

/// serde's words for JSON's: its messages are made for Rust programmers ("sequence",
/// "map", "i64"), the API's for anyone.
const WORDS: &[(&str, &str)] = &[
    ("invalid type: sequence,", "invalid type: array,"),
    ("invalid type: map,", "invalid type: object,"),
    ("invalid type: unit value,", "invalid type: null,"),
    ("invalid type: floating point", "invalid type: number"),
    ("expected a sequence", "expected an array"),
    ("expected a map", "expected an object"),
    ("expected unit", "expected null"),
    ("expected i8", "expected an integer"),
    ("expected i16", "expected an integer"),
    ("expected i32", "expected an integer"),
    ("expected i64", "expected an integer"),
    ("expected u8", "expected a non-negative integer"),
    ("expected u16", "expected a non-negative integer"),
    ("expected u32", "expected a non-negative integer"),
    ("expected u64", "expected a non-negative integer"),
    ("expected usize", "expected a non-negative integer"),
    ("expected f32", "expected a number"),
    ("expected f64", "expected a number"),
];

fn plain(message: &str) -> String {
    WORDS.iter().fold(message.to_owned(), |text, (rust, json)| {
        text.replace(rust, json)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use axum::http::HeaderValue;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        name: String,
        #[serde(default)]
        count: Option<i64>,
        #[serde(default)]
        items: Vec<Item>,
        #[serde(default)]
        tags: BTreeMap<String, String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        action: String,
    }

    impl ApiBody for Body {
        const READ_ONLY: &'static [&'static str] = &["createdAt"];
    }

    fn invalid(text: &str) -> String {
        match parse::<Body>(text.as_bytes()) {
            Err(BodyError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_json_path_and_speak_json() {
        let m = invalid(r#"{"name":"a","items":[{"action":"x"},{"actoin":"y"}]}"#);
        assert!(
            m.starts_with("items[1]: unknown field `actoin`, expected `action`"),
            "{m}"
        );
        let m = invalid(r#"{"name":"a","count":1.5}"#);
        assert!(
            m.starts_with("count: invalid type: number `1.5`, expected an integer"),
            "{m}"
        );
        let m = invalid(r#"{"name":"a","items":[["x"]]}"#);
        assert!(m.contains("invalid type: array, expected an object"), "{m}");
        let m = invalid(r#"{"name":"a","tags":[]}"#);
        assert!(m.contains("invalid type: array, expected an object"), "{m}");
        for m in [invalid(r#"["a"]"#), invalid(r#"{"name":"a","items":[7]}"#)] {
            assert!(!m.contains("struct") && !m.contains("Item"), "{m}");
        }
    }

    #[test]
    fn read_only_fields_are_accepted_and_unknown_ones_named() {
        let ok = parse::<Body>(br#"{"name":"a","createdAt":"2024-01-01T00:00:00Z"}"#);
        assert_eq!(ok.unwrap().name, "a");
        let m = invalid(r#"{"name":"a","nmae":"b"}"#);
        assert!(
            m.starts_with("unknown field `nmae`, expected one of `name`, `count`"),
            "{m}"
        );
    }

    #[test]
    fn syntax_and_trailing_characters() {
        assert!(matches!(parse::<Body>(b"{"), Err(BodyError::Syntax(_))));
        assert!(matches!(
            parse::<Body>(br#"{"name":"a"} {}"#),
            Err(BodyError::Syntax(_))
        ));
    }

    #[test]
    fn json_content_types() {
        let with = |v: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(v));
            is_json(&headers)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/jsonx"));
        assert!(!is_json(&HeaderMap::new()));
    }
}

//! Query strings of the v2 routes: lists as repeated keys (`identity=a&identity=b`, the
//! OpenAPI form/explode default), booleans as `true`/`false` (what python-ovh sends).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use percent_encoding::percent_decode_str;

use crate::http::error::ApiError;

/// Every `key=value` pair of the query string, decoded, in order.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        ListQuery::parse(parts.uri.query().unwrap_or_default())
    }
}

impl ListQuery {
    /// Parses `application/x-www-form-urlencoded` text; text that is not UTF-8 once decoded
    /// is refused.
    pub fn parse(raw: &str) -> Result<ListQuery, ApiError> {
        let mut pairs = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(key)?, decode(value)?));
        }
        Ok(ListQuery { pairs })
    }

    /// Every value given for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A boolean parameter: absent, `true` or `false`.
    pub fn flag(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self
            .pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
        {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::bad_request(format!(
                "query parameter {key} must be true or false, not {other:?}"
            ))),
        }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

fn decode(text: &str) -> Result<String, ApiError> {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::bad_request("the query string is not UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_make_lists() {
        let q = ListQuery::parse("identity=a&identity=b%2Fc&details=true&x").unwrap();
        assert_eq!(q.all("identity"), ["a", "b/c"]);
        assert_eq!(q.flag("details").unwrap(), Some(true));
        assert_eq!(q.flag("readOnly").unwrap(), None);
        assert_eq!(q.all("x"), [""]);
    }

    #[test]
    fn bad_booleans_and_bytes_are_refused() {
        assert!(
            ListQuery::parse("details=yes")
                .unwrap()
                .flag("details")
                .is_err()
        );
        assert!(ListQuery::parse("a=%ff").is_err());
        assert_eq!(ListQuery::parse("a=b+c").unwrap().all("a"), ["b c"]);
    }
}

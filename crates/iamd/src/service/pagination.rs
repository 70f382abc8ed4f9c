//! Cursor pagination of the v2 lists (DESIGN.md §7). A list is sorted by a unique key; the
//! cursor is the key of the last item served, base64url-encoded, so a page is "the items
//! after that key" and stays correct when items are added or removed between pages.
//!
//! Without a size the rest of the list comes in one page (Terraform reads a list with one
//! plain GET); sizes above [`MAX_PAGE_SIZE`] are served as [`MAX_PAGE_SIZE`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::service::error::{Result, ServiceError};

/// The largest page served; larger requested sizes are clamped to it.
pub const MAX_PAGE_SIZE: usize = 1000;

/// Which page a client asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// The key after which the page starts (decoded from the cursor).
    after: Option<String>,
    size: Option<usize>,
}

/// One page of a list, and the cursor of the next page when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

impl PageRequest {
    /// Everything, in one page.
    pub fn all() -> PageRequest {
        PageRequest::default()
    }

    /// From the `X-Pagination-Cursor` and `X-Pagination-Size` header values.
    pub fn parse(cursor: Option<&str>, size: Option<&str>) -> Result<PageRequest> {
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(decode_cursor)
            .transpose()?;
        let size = size.map(parse_size).transpose()?;
        Ok(PageRequest { after, size })
    }
}

fn decode_cursor(cursor: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            ServiceError::invalid_code(
                "INVALID_CURSOR",
                "X-Pagination-Cursor is not a cursor this server issued",
            )
        })
}

fn parse_size(size: &str) -> Result<usize> {
    match size.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(usize::try_from(n)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE)),
        _ => Err(ServiceError::invalid_code(
            "INVALID_PAGE_SIZE",
            format!(
                "X-Pagination-Size must be a whole number from 1 (at most {MAX_PAGE_SIZE} are served)"
            ),
        )),
    }
}

/// The page of `items` that `request` names. `items` is sorted here by `key`, which must be
/// unique per item.
pub fn paginate<T>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> String,
    request: &PageRequest,
) -> Page<T> {
    items.sort_by_cached_key(|item| key(item));
    let start = match &request.after {
        Some(after) => items.partition_point(|item| key(item).as_str() <= after.as_str()),
        None => 0,
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let next = match request.size {
        Some(size) if rest.len() > size => {
            rest.truncate(size);
            rest.last().map(|last| URL_SAFE_NO_PAD.encode(key(last)))
        }
        _ => None,
    };
    Page { items: rest, next }
}

/// The key of things listed in creation order: fixed-width time, then id (unique).
pub fn created_key(created_at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}|{id}", created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(items: Vec<u32>, size: &str) -> Vec<Vec<u32>> {
        let key = |n: &u32| format!("{n:05}");
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let request = PageRequest::parse(cursor.as_deref(), Some(size)).unwrap();
            let page = paginate(items.clone(), key, &request);
            out.push(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return out,
            }
        }
    }

    #[test]
    fn pages_cover_the_list_once_in_order() {
        assert_eq!(
            pages(vec![5, 1, 4, 2, 3], "2"),
            vec![vec![1, 2], vec![3, 4], vec![5]]
        );
        assert_eq!(pages(vec![1, 2], "2"), vec![vec![1, 2]]);
        assert_eq!(pages(vec![], "3"), vec![Vec::<u32>::new()]);
    }

    #[test]
    fn no_size_means_the_rest_of_the_list() {
        let page = paginate(vec![3, 1, 2], |n| n.to_string(), &PageRequest::all());
        assert_eq!((page.items, page.next), (vec![1, 2, 3], None));
    }

    #[test]
    fn a_removed_item_does_not_shift_the_next_page() {
        let key = |n: &u32| format!("{n:05}");
        let first = paginate(
            vec![1, 2, 3, 4],
            key,
            &PageRequest::parse(None, Some("2")).unwrap(),
        );
        let request = PageRequest::parse(first.next.as_deref(), Some("2")).unwrap();
        assert_eq!(paginate(vec![1, 3, 4], key, &request).items, vec![3, 4]);
    }

    #[test]
    fn bad_headers_are_refused_and_large_sizes_clamped() {
        for size in ["0", "-1", "ten", ""] {
            assert!(PageRequest::parse(None, Some(size)).is_err(), "{size}");
        }
        assert!(PageRequest::parse(Some("%%%"), None).is_err());
        assert!(PageRequest::parse(None, Some("99999999999999999999")).is_err());
        assert_eq!(
            PageRequest::parse(None, Some("5000")).unwrap().size,
            Some(MAX_PAGE_SIZE)
        );
    }
}

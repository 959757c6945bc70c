//! Keyset paging of the console's lists (users, groups, apps, AI agents): rows in id order, a
//! search filter applied while scanning, `SHOWN` rows a page, and "next page" links that carry
//! the id of the last row shown (`?after=`) and the search (`?q=`). No list is cut off: every
//! row is one or more "next page" clicks away.

use crate::store::Page;
use serde::Deserialize;
use std::future::Future;

/// Rows a console list shows per page.
pub const SHOWN: usize = 100;
/// Rows read per store round trip while filtering.
const SCAN: i64 = 500;

/// A list page's query: the search (`q`) and the cursor (`after`, the last id shown before).
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: Option<String>,
}

impl Search {
    /// The search as typed, trimmed.
    #[must_use]
    pub fn q(&self) -> &str {
        self.q.trim()
    }

    /// The search lower-cased, for case-insensitive matching.
    #[must_use]
    pub fn needle(&self) -> String {
        self.q().to_lowercase()
    }

    /// One page of the list at `path`: rows `fetch` reads and `keep` accepts, and its pager.
    pub async fn page<T, E, Fut>(
        &self,
        path: &str,
        fetch: impl FnMut(Page) -> Fut,
        keep: impl Fn(&T) -> bool,
        key: impl Fn(&T) -> String,
    ) -> Result<(Vec<T>, Pager), E>
    where
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        let after = self.after.clone().filter(|a| !a.is_empty());
        // Without a search every row is kept: one page and one row to tell whether more follow.
        let batch = if self.q().is_empty() { i64::try_from(SHOWN + 1).unwrap_or(SCAN) } else { SCAN };
        let listed = scan(after.clone(), batch, fetch, keep, key).await?;
        Ok((listed.rows, Pager::new(path, self.q(), after.as_deref(), listed.next.as_deref())))
    }
}

/// One page of a list: its rows, and the cursor of the next page when there is one.
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
}

/// Reads rows in id order after `after` with `fetch`, `batch` rows a round trip, keeping those
/// `keep` accepts, until a page is full (`SHOWN`) or the rows run out. `key` is a row's id (the
/// keyset cursor).
pub async fn scan<T, E, Fut>(
    after: Option<String>,
    batch: i64,
    mut fetch: impl FnMut(Page) -> Fut,
    keep: impl Fn(&T) -> bool,
    key: impl Fn(&T) -> String,
) -> Result<Listed<T>, E>
where
    Fut: Future<Output = Result<Vec<T>, E>>,
{
    let mut rows: Vec<T> = Vec::new();
    let mut page = Page { after, limit: batch };
    loop {
        let rows_read = fetch(page.clone()).await?;
        let full = i64::try_from(rows_read.len()).unwrap_or(i64::MAX) >= batch;
        page.after = rows_read.last().map(&key);
        for item in rows_read {
            if !keep(&item) {
                continue;
            }
            if rows.len() == SHOWN {
                let next = rows.last().map(&key);
                return Ok(Listed { rows, next });
            }
            rows.push(item);
        }
        if !full {
            return Ok(Listed { rows, next: None });
        }
    }
}

/// The links under a list: back to the first page (when on a later one) and the next page.
pub struct Pager {
    pub first: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links of the list at `path` searched for `q`, on the page after `after`, whose next
    /// page starts after `next`.
    #[must_use]
    pub fn new(path: &str, q: &str, after: Option<&str>, next: Option<&str>) -> Self {
        let link = |after: Option<&str>| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            if !q.is_empty() {
                query.append_pair("q", q);
            }
            if let Some(a) = after {
                query.append_pair("after", a);
            }
            let query = query.finish();
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            }
        };
        Self { first: after.map(|_| link(None)), next: next.map(|n| link(Some(n))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(after: Option<&str>, total: usize, keep: impl Fn(&usize) -> bool) -> Listed<usize> {
        let all: Vec<usize> = (0..total).collect();
        let key = |n: &usize| format!("{n:06}");
        let fetch = |p: Page| {
            let rows: Vec<usize> = all
                .iter()
                .copied()
                .filter(|n| p.after.as_deref().is_none_or(|a| key(n).as_str() > a))
                .take(usize::try_from(p.limit).unwrap())
                .collect();
            async move { Ok::<_, ()>(rows) }
        };
        scan(after.map(str::to_owned), SCAN, fetch, keep, key).await.unwrap()
    }

    #[tokio::test]
    async fn pages_through_every_row_once() {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = run(after.as_deref(), 1234, |n| n % 3 == 0).await;
            assert!(page.rows.len() <= SHOWN);
            seen.extend(page.rows);
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, (0..1234).filter(|n| n % 3 == 0).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_short_list_has_no_next_page() {
        let page = run(None, SHOWN, |_| true).await;
        assert_eq!((page.rows.len(), page.next), (SHOWN, None));
        let page = run(None, SHOWN + 1, |_| true).await;
        assert_eq!((page.rows.len(), page.next.as_deref()), (SHOWN, Some("000099")));
    }

    #[tokio::test]
    async fn without_a_search_one_read_of_a_page_and_a_row() {
        let reads = std::cell::RefCell::new(Vec::new());
        let fetch = |p: Page| {
            reads.borrow_mut().push(p.limit);
            let rows: Vec<usize> = (0..usize::try_from(p.limit).unwrap()).collect();
            async move { Ok::<_, ()>(rows) }
        };
        let key = |n: &usize| format!("{n:06}");
        let (rows, pager) = Search::default().page("/admin/users", fetch, |_| true, key).await.unwrap();
        assert_eq!((rows.len(), pager.next.as_deref()), (SHOWN, Some("/admin/users?after=000099")));
        assert_eq!(*reads.borrow(), [101]);
        let search = Search { q: "0".into(), after: None };
        search.page("/admin/users", fetch, |_| true, key).await.unwrap();
        assert_eq!(*reads.borrow(), [101, 500], "a search reads in larger batches");
    }

    #[test]
    fn links_keep_the_search() {
        let p = Pager::new("/admin/users", "a b&c", Some("00u1"), Some("00u9"));
        assert_eq!(p.first.as_deref(), Some("/admin/users?q=a+b%26c"));
        assert_eq!(p.next.as_deref(), Some("/admin/users?q=a+b%26c&after=00u9"));
        let p = Pager::new("/admin/agents", "", None, None);
        assert_eq!((p.first, p.next), (None, None));
    }
}

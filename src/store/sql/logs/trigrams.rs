//! Which of a keyword's trigrams to ask the System Log's text index for (SQLite's FTS5
//! trigram table, Postgres's `pg_trgm` GIN index). Either answers a keyword by intersecting the
//! event lists of all its trigrams, and reading a trigram that nearly every
//! event holds (`exa` of `example.com`, `000` of an id) costs as much as scanning the log. So
//! the query names only the keyword's rarest trigrams, judged by how many of the newest
//! events hold each (a sample taken at most once a minute), and the exact `LIKE` on the event
//! decides. When even the rarest trigram is common, the index is not used at all: the newest
//! events, read in order, hold the page's matches sooner than the index would list them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many of the newest events' search texts are sampled.
pub(super) const SAMPLE_ROWS: i64 = 1_000;
/// How long a sample serves.
const SAMPLE_TTL: Duration = Duration::from_secs(60);
/// How many trigrams a keyword's index query names.
const NAMED: usize = 3;
/// A trigram held by at least this share of the sampled events (1/100) is not worth the index:
/// at a million events, fetching 1 % of them costs about as much as reading the newest events
/// until a page of 100 matches is found.
const SELECTIVE_BELOW: u32 = 100;

/// Trigram counts over a sample of search texts: in how many texts each occurs.
#[derive(Debug, Default)]
pub(super) struct Sample {
    texts: u32,
    /// The sampled texts themselves, to estimate how many events hold a whole keyword.
    texts_held: Vec<String>,
    counts: HashMap<String, u32>,
}

/// The trigrams (three-character windows) of `text`, as FTS5's trigram tokenizer cuts them.
fn trigrams(text: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(2)).map(move |i| chars[i..i + 3].iter().collect())
}

impl Sample {
    pub(super) fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut sample = Sample::default();
        for text in texts {
            sample.texts += 1;
            sample.texts_held.push(text.to_owned());
            let distinct: HashSet<String> = text.lines().flat_map(trigrams).collect();
            for t in distinct {
                *sample.counts.entry(t).or_default() += 1;
            }
        }
        sample
    }

    /// The share of the sampled texts that hold every one of `words`: an estimate of how
    /// many events a page has to read through, newest first, to find its matches.
    pub(super) fn share(&self, words: &[&str]) -> f64 {
        f64::from(self.holding(words)) / f64::from(self.texts.max(1))
    }

    fn holding(&self, words: &[&str]) -> u32 {
        let held = self.texts_held.iter().filter(|t| words.iter().all(|w| t.contains(w))).count();
        u32::try_from(held).unwrap_or(u32::MAX)
    }

    /// True when the events holding every one of `words` are too few for reading the newest
    /// events first: fewer than 1 in `SELECTIVE_BELOW` of the sample.
    pub(super) fn rare(&self, words: &[&str]) -> bool {
        self.holding(words) * SELECTIVE_BELOW < self.texts.max(1)
    }

    /// Up to `NAMED` of `word`'s trigrams, those the fewest sampled texts hold first; empty
    /// when `word` is shorter than a trigram. `alphanumeric` keeps only trigrams of letters
    /// and digits (`pg_trgm` indexes words: a trigram with a separator in it is not its key).
    pub(super) fn rarest_trigrams(&self, word: &str, alphanumeric: bool) -> Vec<String> {
        let mut ranked: Vec<(u32, String)> = trigrams(word)
            .filter(|t| !alphanumeric || t.chars().all(char::is_alphanumeric))
            .collect::<HashSet<_>>()
            .into_iter()
            .map(|t| (self.counts.get(&t).copied().unwrap_or(0), t))
            .collect();
        ranked.sort();
        ranked.into_iter().take(NAMED).map(|(_, t)| t).collect()
    }
}

/// An FTS5 query that holds when every one of `trigrams` occurs (each quoted as a string).
pub(super) fn match_all(trigrams: &[String]) -> String {
    trigrams.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ")
}

/// The latest sample, shared by the store's queries.
#[derive(Default)]
pub(crate) struct SampleCache(Mutex<Option<(Instant, Arc<Sample>)>>);

impl SampleCache {
    pub(super) fn fresh(&self) -> Option<Arc<Sample>> {
        let guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().filter(|(at, _)| at.elapsed() < SAMPLE_TTL).map(|(_, s)| Arc::clone(s))
    }

    pub(super) fn put(&self, sample: Sample) -> Arc<Sample> {
        let sample = Arc::new(sample);
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), Arc::clone(&sample)));
        sample
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_how_rare_keywords_are_and_names_their_rarest_trigrams() {
        let texts: Vec<String> = (0..200).map(|i| format!("user{i}@example.com\napp.oauth2.as.token.grant")).collect();
        let sample = Sample::of(texts.iter().map(String::as_str));
        assert!(sample.rare(&["user4242@example.com"]));
        assert!(!sample.rare(&["example.com"]));
        assert!(sample.rare(&["example.com", "no-such"]), "together they are rare");
        assert!((sample.share(&["user1"]) - 111.0 / 200.0).abs() < 1e-9, "user1, user10-19, user100-199");
        // `424` and `242` occur in no sampled text, `r42` in one; `exa` in all of them.
        let named = sample.rarest_trigrams("user4242@example.com", false);
        assert_eq!(named.len(), 3);
        assert!(named.iter().all(|t| t.contains('4')), "{named:?}");
        assert!(sample.rarest_trigrams("ab", false).is_empty());
        // Letters and digits only, for Postgres: `42@` is not a `pg_trgm` key.
        let named = sample.rarest_trigrams("4242@.", true);
        assert_eq!(named, ["242", "424"]);
        // Quotes are doubled inside an FTS5 string.
        assert_eq!(match_all(&named[..1]), "\"242\"");
        assert_eq!(match_all(&["a\"b".to_owned()]), "\"a\"\"b\"");
    }
}

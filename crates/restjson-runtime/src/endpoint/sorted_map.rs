//! The endpoint engine's maps: a handful of entries each (parameters, partition outputs, parsed
//! URLs and ARNs, literal records), kept as a list in key order and searched by bisection. A
//! `BTreeMap` per value type would compile far more code for no gain at these sizes.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SortedMap<V>(Vec<(String, V)>);

impl<V> Default for SortedMap<V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<V> SortedMap<V> {
    /// Sets `key` to `value`, replacing any value it had. Keys inserted in order (as records
    /// are) go to the end.
    pub(crate) fn insert(&mut self, key: String, value: V) {
        match self.position(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        let i = self.position(key).ok()?;
        Some(&self.0[i].1)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.position(key).ok()?;
        Some(self.0.remove(i).1)
    }

    /// The entries in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

/// As a map, the way a `BTreeMap` shows.
impl<V: fmt::Debug> fmt::Debug for SortedMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;
    use std::collections::BTreeMap;

    #[test]
    fn it_keeps_what_a_btree_map_keeps_and_shows_it_alike() {
        let mut sorted = SortedMap::default();
        let mut tree = BTreeMap::new();
        for (k, v) in [("b", 1), ("a", 2), ("c", 3), ("b", 4), ("", 5)] {
            sorted.insert(k.to_owned(), v);
            tree.insert(k.to_owned(), v);
        }
        assert_eq!(sorted.remove("c"), tree.remove("c"));
        assert_eq!(sorted.remove("zz"), None);
        assert_eq!(sorted.get("b"), Some(&4));
        assert_eq!(sorted.get("d"), None);
        assert!(sorted.iter().eq(tree.iter()));
        assert_eq!(format!("{sorted:?}"), format!("{tree:?}"));
        assert_eq!(format!("{sorted:?}"), r#"{"": 5, "a": 2, "b": 4}"#);
    }
}

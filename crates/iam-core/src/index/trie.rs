//! A compressed radix trie over bytes, for prefix patterns (forward) and suffix patterns
//! (keys stored reversed). Finding every pattern that a URN starts (or ends) with walks the
//! URN once, a few nodes deep, whatever the number or lengths of the patterns.

use super::table::Entry;

#[derive(Debug, Clone)]
struct Node<V> {
    label: Box<[u8]>,
    value: Option<V>,
    /// Sorted by the first byte of their labels (never empty for a child).
    children: Vec<Node<V>>,
}

impl<V> Node<V> {
    fn new(label: &[u8]) -> Node<V> {
        Node {
            label: label.into(),
            value: None,
            children: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Trie<V> {
    root: Node<V>,
    reversed: bool,
}

impl<V: Entry> Trie<V> {
    pub(crate) fn prefixes() -> Trie<V> {
        Trie {
            root: Node::new(b""),
            reversed: false,
        }
    }

    pub(crate) fn suffixes() -> Trie<V> {
        Trie {
            root: Node::new(b""),
            reversed: true,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.root.value.is_none() && self.root.children.is_empty()
    }

    /// Changes the value of `key` (created empty if missing, removed if left empty).
    pub(crate) fn update(&mut self, key: &str, f: impl FnOnce(&mut V)) {
        if self.reversed {
            let reversed: Vec<u8> = key.bytes().rev().collect();
            update(&mut self.root, &reversed, f);
        } else {
            update(&mut self.root, key.as_bytes(), f);
        }
    }

    /// Calls `f` with the value of every key that `text` starts with (ends with, reversed).
    #[inline]
    pub(crate) fn for_each_match<'a>(&'a self, text: &str, f: &mut impl FnMut(&'a V)) {
        let bytes = text.as_bytes();
        let mut node = &self.root;
        let mut pos = 0;
        loop {
            if let Some(v) = &node.value {
                f(v);
            }
            let Some(&next) = (if self.reversed {
                bytes.len().checked_sub(pos + 1).map(|i| &bytes[i])
            } else {
                bytes.get(pos)
            }) else {
                return;
            };
            let Ok(i) = node.children.binary_search_by_key(&next, |c| c.label[0]) else {
                return;
            };
            let child = &node.children[i];
            let label = &*child.label;
            let Some(end) = pos
                .checked_add(label.len())
                .filter(|end| *end <= bytes.len())
            else {
                return;
            };
            let matches = if self.reversed {
                label
                    .iter()
                    .zip(bytes[..bytes.len() - pos].iter().rev())
                    .all(|(a, b)| a == b)
            } else {
                bytes[pos..end] == *label
            };
            if !matches {
                return;
            }
            pos = end;
            node = child;
        }
    }

    pub(crate) fn heap_size(&self) -> usize {
        node_size(&self.root)
    }
}

fn node_size<V: Entry>(node: &Node<V>) -> usize {
    let own = node.label.len() + node.value.as_ref().map_or(0, Entry::heap_size);
    let children = node.children.capacity() * std::mem::size_of::<Node<V>>();
    own + children + node.children.iter().map(node_size).sum::<usize>()
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn update<V: Entry>(node: &mut Node<V>, rest: &[u8], f: impl FnOnce(&mut V)) {
    let Some(&first) = rest.first() else {
        let value = node.value.get_or_insert_with(V::default);
        f(value);
        if value.is_empty() {
            node.value = None;
        }
        return;
    };
    let i = match node.children.binary_search_by_key(&first, |c| c.label[0]) {
        Ok(i) => i,
        Err(i) => {
            node.children.insert(i, Node::new(rest));
            i
        }
    };
    let child = &mut node.children[i];
    let common = common_prefix(&child.label, rest);
    if common < child.label.len() {
        // Split the child's label: a new inner node keeps the common part.
        let inner = Node::new(&child.label[..common]);
        let mut old = std::mem::replace(child, inner);
        old.label = old.label[common..].into();
        child.children.push(old);
    }
    update(child, &rest[common..], f);
    prune(node, i);
}

/// Drops an empty child, or merges a valueless child into its only grandchild.
fn prune<V>(node: &mut Node<V>, i: usize) {
    let child = &mut node.children[i];
    if child.value.is_some() || child.children.len() > 1 {
        return;
    }
    match child.children.pop() {
        None => {
            node.children.remove(i);
        }
        Some(mut grandchild) => {
            let mut label = std::mem::take(&mut child.label).into_vec();
            label.extend_from_slice(&grandchild.label);
            grandchild.label = label.into();
            *child = grandchild;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::table::Slots;

    /// A value type for tests: a count that is empty at zero.
    #[derive(Debug, Clone, Default, PartialEq)]
    struct Count(usize);

    impl Entry for Count {
        fn is_empty(&self) -> bool {
            self.0 == 0
        }

        fn heap_size(&self) -> usize {
            0
        }
    }

    fn matches(trie: &Trie<Count>, text: &str) -> usize {
        let mut n = 0;
        trie.for_each_match(text, &mut |c: &Count| n += c.0);
        n
    }

    #[test]
    fn prefixes_are_found_along_one_walk() {
        let mut t = Trie::prefixes();
        for key in [
            "urn:v1:eu:resource:vps:",
            "urn:v1:eu:resource:",
            "urn:v1:eu:resource:vpsx",
            "urn:v1:eu:resource:dnsZone:",
            "u",
        ] {
            t.update(key, |c: &mut Count| c.0 += 1);
        }
        assert_eq!(matches(&t, "urn:v1:eu:resource:vps:a"), 3);
        assert_eq!(matches(&t, "urn:v1:eu:resource:vpsx"), 3);
        assert_eq!(matches(&t, "urn:v1:eu:resource:dnsZone:z"), 3);
        assert_eq!(matches(&t, "urn:v1:eu:identity:x"), 1);
        assert_eq!(matches(&t, ""), 0);
        t.update("urn:v1:eu:resource:", |c| c.0 -= 1);
        assert_eq!(matches(&t, "urn:v1:eu:resource:vps:a"), 2);
        for key in [
            "urn:v1:eu:resource:vps:",
            "urn:v1:eu:resource:vpsx",
            "urn:v1:eu:resource:dnsZone:",
            "u",
        ] {
            t.update(key, |c| c.0 -= 1);
        }
        assert!(t.is_empty());
    }

    #[test]
    fn suffixes_walk_backwards() {
        let mut t = Trie::suffixes();
        for key in [".ovh.net", "vps.ovh.net", "net", "/c"] {
            t.update(key, |c: &mut Count| c.0 += 1);
        }
        assert_eq!(matches(&t, "urn:v1:eu:resource:vps:a.vps.ovh.net"), 3);
        assert_eq!(matches(&t, "x.ovh.net"), 2);
        assert_eq!(matches(&t, "a:b/c"), 1);
        assert_eq!(matches(&t, "et"), 0);
    }

    #[test]
    fn non_ascii_text_is_walked_bytewise() {
        let mut t: Trie<Slots> = Trie::prefixes();
        t.update("é", |_| {});
        assert!(t.is_empty());
        let mut c = Trie::prefixes();
        c.update("é", |c: &mut Count| c.0 = 1);
        assert_eq!(matches(&c, "éa"), 1);
        assert_eq!(matches(&c, "e"), 0);
    }
}

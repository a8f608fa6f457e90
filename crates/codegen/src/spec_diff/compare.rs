//! The walk over two spec trees side by side, recording every difference.
//!
//! Mappings compare key by key (order ignored), sequences by their role
//! (ordered, as a set, or parameters by identity), scalars by type and value.
//! Where one side is a local `$ref` and the other is not (or both are refs
//! to differently named targets), both are followed and the targets compared
//! in place; a pair of targets already under comparison counts as equal, so
//! recursive schemas terminate.

use std::collections::{HashMap, HashSet};

use super::normalize::{
    canonical, child_role, follow, item_role, ref_of, same_scalar, wire_json, Role,
};
use super::report::{Difference, Side};
use crate::load::{Node, Pos, Value};
use crate::pointer;

/// A node with the position to show for it (the key's line for a mapping
/// value, which is where a reader looks).
#[derive(Clone, Copy)]
struct At<'a> {
    node: &'a Node,
    pos: Pos,
}

impl<'a> At<'a> {
    fn of(node: &'a Node) -> Self {
        At {
            node,
            pos: node.pos,
        }
    }
}

/// Identity of a pair of ref targets: their addresses and the role.
type PairKey = (usize, usize, Role);

struct Comparer<'a> {
    ours: &'a Node,
    theirs: &'a Node,
    /// Pairs being compared further up the walk (cycle protection).
    active: HashSet<PairKey>,
    /// Pairs already compared with no difference found (memo).
    equal: HashSet<PairKey>,
    out: Vec<Difference>,
}

/// Every wire difference between two document roots, sorted by pointer.
pub(crate) fn compare(ours: &Node, theirs: &Node) -> Vec<Difference> {
    let mut cx = Comparer {
        ours,
        theirs,
        active: HashSet::new(),
        equal: HashSet::new(),
        out: Vec::new(),
    };
    cx.node(At::of(ours), At::of(theirs), Role::Root, "");
    let mut out = cx.out;
    out.sort_by(|a, b| pointer_order(&a.pointer, &b.pointer));
    out.dedup();
    out
}

/// Orders pointers token by token, numbers numerically (`/2` before `/10`).
fn pointer_order(a: &str, b: &str) -> std::cmp::Ordering {
    let mut x = a.split('/');
    let mut y = b.split('/');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(s), Some(t)) => {
                let order = match (s.parse::<u64>(), t.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => s.cmp(t),
                };
                if order.is_ne() {
                    return order;
                }
            }
        }
    }
}

fn is_scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Seq(_) | Value::Map(_))
}

impl<'a> Comparer<'a> {
    fn report(&mut self, ptr: &str, ours: Side, theirs: Side) {
        self.out.push(Difference {
            pointer: ptr.to_string(),
            ours,
            theirs,
        });
    }

    /// Compares two nodes of the same role, following `$ref`s where one
    /// side's reference stands for the other side's schema.
    fn node(&mut self, a: At<'a>, b: At<'a>, role: Role, ptr: &str) {
        if role.follows_refs() {
            let (ra, rb) = (ref_of(a.node), ref_of(b.node));
            if ra.is_some() || rb.is_some() {
                if ra == rb {
                    // The same target: compared where it is defined.
                    return;
                }
                if let (Some(ta), Some(tb)) =
                    (follow(self.ours, a.node), follow(self.theirs, b.node))
                {
                    let key = (ta as *const Node as usize, tb as *const Node as usize, role);
                    if self.active.contains(&key) || self.equal.contains(&key) {
                        return;
                    }
                    self.active.insert(key);
                    let before = self.out.len();
                    let at_a = if ra.is_some() { At::of(ta) } else { a };
                    let at_b = if rb.is_some() { At::of(tb) } else { b };
                    self.value(at_a, at_b, role, ptr);
                    self.active.remove(&key);
                    if self.out.len() == before {
                        self.equal.insert(key);
                    }
                    return;
                }
                // An external or dangling reference: compare as written.
            }
        }
        self.value(a, b, role, ptr);
    }

    fn value(&mut self, a: At<'a>, b: At<'a>, role: Role, ptr: &str) {
        match (&a.node.value, &b.node.value) {
            (Value::Map(_), Value::Map(_)) => self.maps(a, b, role, ptr),
            (Value::Seq(_), Value::Seq(_)) => self.seqs(a, b, role, ptr),
            (x, y) if is_scalar(a.node) && is_scalar(b.node) => {
                if !same_scalar(x, y) {
                    self.report(
                        ptr,
                        Side::present(a.pos, a.node, role),
                        Side::present(b.pos, b.node, role),
                    );
                }
            }
            _ => self.report(
                ptr,
                Side::present(a.pos, a.node, role),
                Side::present(b.pos, b.node, role),
            ),
        }
    }

    fn maps(&mut self, a: At<'a>, b: At<'a>, role: Role, ptr: &str) {
        let (Some(ours), Some(theirs)) = (a.node.entries(), b.node.entries()) else {
            return;
        };
        let mut seen: HashSet<&str> = HashSet::new();
        for ea in ours {
            if !seen.insert(ea.key.as_str()) {
                continue; // a duplicate key: lookups see the first
            }
            let Some(role_a) = child_role(role, &ea.key, &ea.value) else {
                continue;
            };
            let child = pointer::join(ptr, &ea.key);
            match theirs.iter().find(|e| e.key == ea.key) {
                None => self.report(
                    &child,
                    Side::present(ea.key_node.pos, &ea.value, role_a),
                    Side::absent(b.pos),
                ),
                Some(eb) => {
                    let at_a = At {
                        node: &ea.value,
                        pos: ea.key_node.pos,
                    };
                    let at_b = At {
                        node: &eb.value,
                        pos: eb.key_node.pos,
                    };
                    match child_role(role, &eb.key, &eb.value) {
                        Some(role_b) if role_b == role_a => self.node(at_a, at_b, role_a, &child),
                        Some(role_b) => self.report(
                            &child,
                            Side::present(at_a.pos, at_a.node, role_a),
                            Side::present(at_b.pos, at_b.node, role_b),
                        ),
                        None => {}
                    }
                }
            }
        }
        for eb in theirs {
            if !seen.insert(eb.key.as_str()) {
                continue;
            }
            let Some(role_b) = child_role(role, &eb.key, &eb.value) else {
                continue;
            };
            self.report(
                &pointer::join(ptr, &eb.key),
                Side::absent(a.pos),
                Side::present(eb.key_node.pos, &eb.value, role_b),
            );
        }
    }

    fn seqs(&mut self, a: At<'a>, b: At<'a>, role: Role, ptr: &str) {
        let (Some(xs), Some(ys)) = (a.node.items(), b.node.items()) else {
            return;
        };
        let whole = |cx: &mut Self| {
            cx.report(
                ptr,
                Side::present(a.pos, a.node, role),
                Side::present(b.pos, b.node, role),
            )
        };
        match role {
            Role::Set => {
                let item = item_role(role);
                let key = |items: &[Node]| {
                    let mut keys: Vec<String> = items
                        .iter()
                        .map(|n| canonical(&wire_json(n, item)))
                        .collect();
                    keys.sort();
                    keys
                };
                if key(xs) != key(ys) {
                    whole(self);
                }
            }
            Role::Params => self.params(a, b, xs, ys, ptr),
            _ if xs.len() != ys.len() => whole(self),
            Role::List(_) => {
                let item = item_role(role);
                for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                    self.node(
                        At::of(x),
                        At::of(y),
                        item,
                        &pointer::join(ptr, &i.to_string()),
                    );
                }
            }
            _ => {
                // Data such as `enum`: a list of scalars is shown whole when
                // any item differs; nested data is compared item by item.
                if xs.iter().chain(ys).all(is_scalar) {
                    if xs
                        .iter()
                        .zip(ys)
                        .any(|(x, y)| !same_scalar(&x.value, &y.value))
                    {
                        whole(self);
                    }
                } else {
                    let item = item_role(role);
                    for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                        self.node(
                            At::of(x),
                            At::of(y),
                            item,
                            &pointer::join(ptr, &i.to_string()),
                        );
                    }
                }
            }
        }
    }

    /// Parameter lists: matched by (`name`, `in`) after following `$ref`s;
    /// items without both are matched in order among themselves.
    fn params(&mut self, a: At<'a>, b: At<'a>, xs: &'a [Node], ys: &'a [Node], ptr: &str) {
        let role = item_role(Role::Params);
        let ours_ids = identities(self.ours, xs);
        let theirs_ids = identities(self.theirs, ys);
        let mut index: HashMap<&ParamId, usize> = HashMap::new();
        for (j, id) in theirs_ids.iter().enumerate() {
            index.entry(id).or_insert(j);
        }
        let mut matched = vec![false; ys.len()];
        for (i, (x, id)) in xs.iter().zip(&ours_ids).enumerate() {
            let child = pointer::join(ptr, &i.to_string());
            match index.get(id) {
                Some(&j) => {
                    matched[j] = true;
                    self.node(At::of(x), At::of(&ys[j]), role, &child);
                }
                None => self.report(&child, Side::present(x.pos, x, role), Side::absent(b.pos)),
            }
        }
        for (j, y) in ys.iter().enumerate() {
            if !matched[j] {
                let child = pointer::join(ptr, &j.to_string());
                self.report(&child, Side::absent(a.pos), Side::present(y.pos, y, role));
            }
        }
    }
}

/// A parameter's identity: (`name`, `in`), or its rank among the items
/// that lack one; the second field counts repeats of the same identity.
type ParamId = (Option<(String, String)>, usize);

fn identities(root: &Node, items: &[Node]) -> Vec<ParamId> {
    let mut counts: HashMap<Option<(String, String)>, usize> = HashMap::new();
    items
        .iter()
        .map(|item| {
            let id = follow(root, item).and_then(|n| {
                let name = n.get("name")?.scalar_text()?;
                let place = n.get("in")?.scalar_text()?;
                Some((name, place))
            });
            let count = counts.entry(id.clone()).or_insert(0);
            *count += 1;
            (id, *count - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_sort_numbers_numerically() {
        let mut ps = vec!["/a/10", "/a/2", "/b", "/a"];
        ps.sort_by(|a, b| pointer_order(a, b));
        assert_eq!(ps, ["/a", "/a/2", "/a/10", "/b"]);
    }
}

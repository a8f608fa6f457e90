//! The edge rule and the cycle search: module paths and references in,
//! the strongly connected components among each module's children out.
//! Pure data, no files, so the rule is unit tested on small trees.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A module's path from the crate root (`[]` is the root itself).
pub type ModPath = Vec<String>;

/// One reference from module `from` to the item path `target` (absolute,
/// without `crate`), found at `file:line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    pub from: ModPath,
    pub target: Vec<String>,
    pub file: String,
    pub line: usize,
}

/// One step of a cycle and the reference that makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub evidence: Use,
}

/// A strongly connected component of more than one child of `parent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The target's label (`engined`, `engined/bin/engined-shim`).
    pub label: String,
    pub parent: ModPath,
    /// The members, in name order.
    pub members: BTreeSet<String>,
    /// A closed walk through every member, from the first: one step per
    /// edge taken.
    pub steps: Vec<Step>,
}

impl Cycle {
    /// `engined: containers::{exec -> store -> exec}` (`{..}` alone for
    /// the crate root's children).
    pub fn render(&self) -> String {
        let mut walk: Vec<&str> = self.steps.iter().map(|s| s.from.as_str()).collect();
        if let Some(first) = self.steps.first() {
            walk.push(first.from.as_str());
        }
        render_key(&self.label, &self.parent, &walk.join(" -> "))
    }

    /// One indented line per step: `a -> b  file:line (crate::b::Item)`.
    pub fn render_evidence(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&format!(
                "    {} -> {}  {}:{} (crate::{})\n",
                step.from,
                step.to,
                step.evidence.file,
                step.evidence.line,
                step.evidence.target.join("::")
            ));
        }
        out
    }
}

/// The printed form shared with the allowlist.
pub fn render_key(label: &str, parent: &[String], inner: &str) -> String {
    if parent.is_empty() {
        format!("{label}: {{{inner}}}")
    } else {
        format!("{label}: {}::{{{inner}}}", parent.join("::"))
    }
}

/// The deepest module of `modules` that `target` names (the root when none).
pub fn module_of<'a>(modules: &'a BTreeSet<ModPath>, target: &[String]) -> &'a [String] {
    (0..=target.len())
        .rev()
        .find_map(|n| modules.get(&target[..n]))
        .map_or(&[], Vec::as_slice)
}

/// The edge rule: `(P, child of P towards a, child of P towards b)`, or
/// `None` when one module is an ancestor of the other (or they are equal).
pub fn edge<'a>(a: &'a [String], b: &'a [String]) -> Option<(&'a [String], &'a str, &'a str)> {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if common == a.len() || common == b.len() {
        return None;
    }
    Some((&a[..common], a[common].as_str(), b[common].as_str()))
}

/// One module's children and the edges between them (`from -> to ->`
/// the first reference found for that edge).
type Graph = BTreeMap<String, BTreeMap<String, Use>>;

/// The graph of each module's children, by module.
type Edges = BTreeMap<ModPath, Graph>;

fn edges(modules: &BTreeSet<ModPath>, uses: &[Use]) -> Edges {
    let mut edges = Edges::new();
    for u in uses {
        let to = module_of(modules, &u.target);
        if let Some((parent, a, b)) = edge(&u.from, to) {
            edges
                .entry(parent.to_vec())
                .or_default()
                .entry(a.to_string())
                .or_default()
                .entry(b.to_string())
                .or_insert_with(|| u.clone());
        }
    }
    edges
}

/// Every cycle of the target labelled `label`, ordered by parent and
/// first member.
pub fn cycles(label: &str, modules: &BTreeSet<ModPath>, uses: &[Use]) -> Vec<Cycle> {
    let mut found = Vec::new();
    for (parent, graph) in edges(modules, uses) {
        for members in components(&graph) {
            let steps = walk(&graph, &members);
            found.push(Cycle {
                label: label.to_string(),
                parent: parent.clone(),
                members,
                steps,
            });
        }
    }
    found
}

/// Tarjan's strongly connected components of more than one node.
fn components(graph: &Graph) -> Vec<BTreeSet<String>> {
    struct State<'g> {
        graph: &'g Graph,
        next: usize,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|m| m.keys()) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut members = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                members.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if members.len() > 1 {
                s.out.push(members);
            }
        }
    }
    let mut s = State {
        graph,
        next: 0,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// A closed walk through every member of a component: from the first
/// member, the shortest path to each member not yet passed (in name
/// order), then the shortest path back.
fn walk(graph: &Graph, members: &BTreeSet<String>) -> Vec<Step> {
    let Some(start) = members.first() else {
        return Vec::new();
    };
    let mut steps = Vec::new();
    let mut passed = BTreeSet::from([start.as_str()]);
    let mut here = start.as_str();
    let goals = members
        .iter()
        .skip(1)
        .map(String::as_str)
        .chain([start.as_str()]);
    for goal in goals {
        if goal != start.as_str() && passed.contains(goal) {
            continue;
        }
        for (from, to) in shortest(graph, members, here, goal) {
            passed.insert(to);
            if let Some(evidence) = graph.get(from).and_then(|m| m.get(to)) {
                steps.push(Step {
                    from: from.to_string(),
                    to: to.to_string(),
                    evidence: evidence.clone(),
                });
            }
        }
        here = goal;
    }
    steps
}

/// The edges of a shortest path from `from` to `to` inside `members`
/// (breadth first, neighbours in name order); `from == to` asks for the
/// shortest way back.
fn shortest<'g>(
    graph: &'g Graph,
    members: &BTreeSet<String>,
    from: &'g str,
    to: &'g str,
) -> Vec<(&'g str, &'g str)> {
    let mut came: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    'search: while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flat_map(|m| m.keys()) {
            let w = w.as_str();
            if w == to {
                came.insert(w, v);
                break 'search;
            }
            if members.contains(w) && w != from && !came.contains_key(w) {
                came.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let mut path = Vec::new();
    let mut at = to;
    while let Some(&prev) = came.get(at) {
        path.push((prev, at));
        at = prev;
        if at == from {
            break;
        }
    }
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(path: &str) -> ModPath {
        path.split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    fn tree(paths: &[&str]) -> BTreeSet<ModPath> {
        let mut set: BTreeSet<ModPath> = paths.iter().map(|s| p(s)).collect();
        set.insert(Vec::new());
        set
    }

    fn r(from: &str, target: &str, line: usize) -> Use {
        Use {
            from: p(from),
            target: p(target),
            file: "src/x.rs".into(),
            line,
        }
    }

    fn rendered(modules: &[&str], uses: &[Use]) -> Vec<String> {
        cycles("k", &tree(modules), uses)
            .iter()
            .map(Cycle::render)
            .collect()
    }

    #[test]
    fn the_edge_joins_the_children_of_the_common_ancestor() {
        let (a, b) = (p("x::y::q"), p("x::z::w"));
        assert_eq!(edge(&a, &b), Some((&a[..1], "y", "z")));
        let (a, b) = (p("x::y"), p("x"));
        assert_eq!(edge(&a, &b), None, "a child using its ancestor");
        assert_eq!(edge(&b, &a), None, "a parent using its child");
        assert_eq!(edge(&a, &a), None, "a module using itself");
        let (a, b) = (p("a"), p("b::c"));
        assert_eq!(edge(&a, &b), Some((&a[..0], "a", "b")));
    }

    #[test]
    fn a_reference_points_at_the_deepest_module_it_names() {
        let modules = tree(&["a", "a::b"]);
        assert_eq!(module_of(&modules, &p("a::b::Item::method")), p("a::b"));
        assert_eq!(module_of(&modules, &p("a::b")), p("a::b"));
        assert_eq!(module_of(&modules, &p("a::Thing")), p("a"));
        assert_eq!(module_of(&modules, &p("Root")), p(""));
        assert_eq!(module_of(&modules, &p("serde::x")), p(""));
    }

    #[test]
    fn two_siblings_using_each_other_are_a_cycle_with_evidence() {
        let modules = tree(&["a", "b"]);
        let found = cycles("k", &modules, &[r("a", "b::B", 3), r("b", "a::A", 7)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].render(), "k: {a -> b -> a}");
        assert_eq!(
            found[0].render_evidence(),
            "    a -> b  src/x.rs:3 (crate::b::B)\n    b -> a  src/x.rs:7 (crate::a::A)\n"
        );
    }

    #[test]
    fn parents_and_children_using_each_other_are_no_cycle() {
        let modules = tree(&["a", "a::b", "c"]);
        let uses = [
            r("a", "a::b::X", 1),
            r("a::b", "a::Y", 2),
            r("a::b", "Z", 3),
            r("", "a::b::X", 4),
            r("c", "a::Y", 5),
        ];
        assert_eq!(rendered(&["a", "a::b", "c"], &uses), Vec::<String>::new());
        assert!(cycles("k", &modules, &uses).is_empty());
    }

    #[test]
    fn deep_references_become_edges_between_the_top_siblings() {
        // x::y::deep uses x::z::w::f and x::z uses x::y: one cycle among
        // the children of x, nothing at the root.
        let uses = [r("x::y::deep", "x::z::w::f", 1), r("x::z", "x::y::T", 2)];
        assert_eq!(
            rendered(&["x", "x::y", "x::y::deep", "x::z", "x::z::w"], &uses),
            ["k: x::{y -> z -> y}"]
        );
    }

    #[test]
    fn a_component_is_reported_once_as_a_walk_through_every_member() {
        // a <-> b <-> c, no edge between a and c: no simple cycle holds
        // all three, the walk passes b twice.
        let uses = [
            r("a", "b::x", 1),
            r("b", "a::x", 2),
            r("b", "c::x", 3),
            r("c", "b::x", 4),
            r("d", "a::x", 5),
        ];
        let found = cycles("k", &tree(&["a", "b", "c", "d"]), &uses);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].render(), "k: {a -> b -> c -> b -> a}");
        let members: Vec<&str> = found[0].members.iter().map(String::as_str).collect();
        assert_eq!(members, ["a", "b", "c"]);
    }

    #[test]
    fn separate_components_and_parents_are_separate_cycles() {
        let uses = [
            r("a", "b::x", 1),
            r("b", "c::x", 2),
            r("c", "a::x", 3),
            r("d", "e::x", 4),
            r("e", "d::x", 5),
            r("a::p", "a::q::x", 6),
            r("a::q", "a::p::x", 7),
            r("f", "a::x", 8),
        ];
        let modules = ["a", "a::p", "a::q", "b", "c", "d", "e", "f"];
        assert_eq!(
            rendered(&modules, &uses),
            [
                "k: {a -> b -> c -> a}",
                "k: {d -> e -> d}",
                "k: a::{p -> q -> p}"
            ]
        );
    }

    #[test]
    fn the_first_reference_of_an_edge_is_its_evidence() {
        let uses = [r("a", "b::x", 10), r("a", "b::y", 11), r("b", "a::x", 12)];
        let found = cycles("k", &tree(&["a", "b"]), &uses);
        assert_eq!(found[0].steps[0].evidence.line, 10);
    }
}

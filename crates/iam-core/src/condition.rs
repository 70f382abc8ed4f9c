//! Policy conditions: `AND`, `OR`, `NOT` over nested conditions and `MATCH` over
//! `values` keys such as `resource.Tag(env)`, `request.IP.IN_RANGE` or
//! `date(Europe/Paris).Hour.GE`. Owns the wire shape, its compilation into a typed tree
//! (once, at validation: unknown keys, criteria and zones are errors, never silently false)
//! and the tree's evaluation. The key grammar is in `condition/check.rs`.
//!
//! Structure rules: `MATCH` carries a non-empty `values` map whose entries are ANDed;
//! `AND` and `OR` carry a non-empty `conditions` list; `NOT` carries exactly one condition.
//! Limits: depth [`MAX_CONDITION_DEPTH`], [`MAX_CONDITION_NODES`] nodes in all,
//! [`MAX_MATCH_VALUES`] entries per `MATCH`, values of at most [`MAX_CONDITION_VALUE_LEN`]
//! bytes, [`check::MAX_LIST_ITEMS`] items in a comma-separated value.
//!
//! Evaluation is three-valued: a check about a fact the request lacks (no client IP) is
//! *unknown*; `NOT unknown` is unknown, `AND` is false if any part is false, `OR` true if
//! any part is true. The policy engine lets a condition that is not known to hold grant
//! nothing, but still lets it deny (fail closed): see `evaluate.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError};
use crate::request::{Context, ResourceFacts};

pub mod check;

use check::Check;

/// The deepest condition tree accepted (a lone `MATCH` has depth 1).
pub const MAX_CONDITION_DEPTH: usize = 5;
/// The most nodes (`AND`, `OR`, `NOT`, `MATCH`) in one policy's condition tree.
pub const MAX_CONDITION_NODES: usize = 64;
/// The most `values` entries in one `MATCH`.
pub const MAX_MATCH_VALUES: usize = 16;
/// The longest `values` value, in bytes.
pub const MAX_CONDITION_VALUE_LEN: usize = 1024;

/// One node of a condition tree, in the wire shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub operator: ConditionOperator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ConditionOperator {
    And,
    Or,
    Not,
    Match,
}

impl ConditionOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionOperator::And => "AND",
            ConditionOperator::Or => "OR",
            ConditionOperator::Not => "NOT",
            ConditionOperator::Match => "MATCH",
        }
    }
}

/// Three-valued truth: `Unknown` when the request lacks a fact a check needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// A validated, typed condition tree.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCondition(Node);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Match(Box<[Check]>),
}

impl Condition {
    /// A `MATCH` node over `values`.
    pub fn matching<K: Into<String>, V: Into<String>>(
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Condition {
        let values = values
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Condition {
            operator: ConditionOperator::Match,
            values: Some(values),
            conditions: None,
        }
    }

    /// An `AND`, `OR` or `NOT` node over `conditions`.
    pub fn combine(operator: ConditionOperator, conditions: Vec<Condition>) -> Condition {
        Condition {
            operator,
            values: None,
            conditions: Some(conditions),
        }
    }

    /// Validates and compiles the tree. `field` is where it sits (`conditions` in a policy);
    /// errors point inside it, e.g. `conditions.conditions[0].values["request.IP"]`.
    pub fn compile(&self, field: &str) -> Result<CompiledCondition, ValidationError> {
        let mut nodes = 0;
        compile_node(self, field, 1, &mut nodes).map(CompiledCondition)
    }
}

fn invalid(field: &str, message: String) -> ValidationError {
    ValidationError::new(field, ErrorCode::InvalidCondition, message)
}

fn compile_node(
    c: &Condition,
    field: &str,
    depth: usize,
    nodes: &mut usize,
) -> Result<Node, ValidationError> {
    *nodes += 1;
    if depth > MAX_CONDITION_DEPTH {
        return Err(invalid(
            field,
            format!("conditions nest deeper than {MAX_CONDITION_DEPTH} levels"),
        ));
    }
    if *nodes > MAX_CONDITION_NODES {
        return Err(invalid(
            field,
            format!("more than {MAX_CONDITION_NODES} conditions in all"),
        ));
    }
    let values = c.values.as_ref().filter(|v| !v.is_empty());
    let children = c.conditions.as_deref().filter(|v| !v.is_empty());
    match c.operator {
        ConditionOperator::Match => {
            if children.is_some() {
                return Err(invalid(
                    field,
                    "MATCH takes values, not nested conditions".into(),
                ));
            }
            let values = values
                .ok_or_else(|| invalid(field, "MATCH needs a non-empty values map".into()))?;
            compile_match(values, field).map(Node::Match)
        }
        op => {
            if values.is_some() {
                return Err(invalid(
                    field,
                    format!("{} takes nested conditions, not values", op.as_str()),
                ));
            }
            let need = || invalid(field, format!("{} needs nested conditions", op.as_str()));
            let children = children.ok_or_else(need)?;
            let compiled = children
                .iter()
                .enumerate()
                .map(|(i, child)| {
                    compile_node(child, &format!("{field}.conditions[{i}]"), depth + 1, nodes)
                })
                .collect::<Result<Vec<_>, _>>()?;
            combine(op, compiled, field)
        }
    }
}

fn combine(
    op: ConditionOperator,
    mut children: Vec<Node>,
    field: &str,
) -> Result<Node, ValidationError> {
    Ok(match op {
        ConditionOperator::And => Node::And(children.into()),
        ConditionOperator::Or => Node::Or(children.into()),
        _ if children.len() != 1 => {
            return Err(invalid(
                field,
                "NOT takes exactly one nested condition".into(),
            ));
        }
        _ => Node::Not(Box::new(children.remove(0))),
    })
}

fn compile_match(
    values: &BTreeMap<String, String>,
    field: &str,
) -> Result<Box<[Check]>, ValidationError> {
    if values.len() > MAX_MATCH_VALUES {
        return Err(invalid(
            field,
            format!("MATCH has more than {MAX_MATCH_VALUES} values"),
        ));
    }
    values
        .iter()
        .map(|(key, value)| {
            let at = || format!("{field}.values[{key:?}]");
            if value.len() > MAX_CONDITION_VALUE_LEN {
                return Err(invalid(
                    &at(),
                    format!("the value is longer than {MAX_CONDITION_VALUE_LEN} bytes"),
                ));
            }
            Check::compile(key, value).map_err(|m| invalid(&at(), m))
        })
        .collect()
}

impl CompiledCondition {
    /// Evaluates the tree against the request's facts.
    pub fn evaluate(&self, resource: &ResourceFacts, context: &Context) -> Truth {
        self.0.evaluate(resource, context)
    }

    /// Rough bytes owned on the heap, for the index's memory accounting.
    pub(crate) fn heap_size(&self) -> usize {
        self.0.heap_size()
    }
}

impl Node {
    fn evaluate(&self, resource: &ResourceFacts, context: &Context) -> Truth {
        match self {
            Node::And(parts) => all(parts.iter().map(|p| p.evaluate(resource, context))),
            Node::Or(parts) => any(parts.iter().map(|p| p.evaluate(resource, context))),
            Node::Not(inner) => inner.evaluate(resource, context).not(),
            Node::Match(checks) => all(checks.iter().map(|c| c.evaluate(resource, context))),
        }
    }

    fn heap_size(&self) -> usize {
        let node = std::mem::size_of::<Node>();
        match self {
            Node::And(parts) | Node::Or(parts) => parts.iter().map(|p| node + p.heap_size()).sum(),
            Node::Not(inner) => node + inner.heap_size(),
            Node::Match(checks) => checks.len() * (std::mem::size_of::<Check>() + 32),
        }
    }
}

fn all(parts: impl Iterator<Item = Truth>) -> Truth {
    let mut result = Truth::True;
    for t in parts {
        match t {
            Truth::False => return Truth::False,
            Truth::Unknown => result = Truth::Unknown,
            Truth::True => {}
        }
    }
    result
}

fn any(parts: impl Iterator<Item = Truth>) -> Truth {
    let mut result = Truth::False;
    for t in parts {
        match t {
            Truth::True => return Truth::True,
            Truth::Unknown => result = Truth::Unknown,
            Truth::False => {}
        }
    }
    result
}

#[cfg(test)]
mod tests;

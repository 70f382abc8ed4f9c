//! One `MATCH` entry (`key: value`) compiled into a typed check: the key grammar
//! `<subject>[.<CRITERION>]`, the value syntax of each subject, and the check's evaluation.
//!
//! | subject | criteria (default `EQ`, suffix case-insensitive) | value |
//! |---|---|---|
//! | `resource.Tag(<key>)` | EQ, STARTS_WITH, ENDS_WITH | text |
//! | `resource.Name`, `resource.Type` | EQ, STARTS_WITH, ENDS_WITH, IN | text; IN: comma-separated |
//! | `request.IP` | EQ, IN_RANGE | an address; IN_RANGE: comma-separated CIDRs (or addresses) |
//! | `date(<IANA zone>).Date` | EQ, IN, BEFORE, AFTER | `YYYY-MM-DD`; IN: comma-separated |
//! | `date(<IANA zone>).WeekDay` | EQ, BEFORE, AFTER, GE, GT, LE, LT, IN | `Monday`…`Sunday` (any case, or `mon`…`sun`); Monday < … < Sunday |
//! | `date(<IANA zone>).Hour` | same as WeekDay | `0`…`23` |
//!
//! BEFORE and AFTER are strict (LT and GT). Dates, weekdays and hours are those of the
//! request time in the zone. A request without an IP makes `request.IP` checks unknown.

use std::net::IpAddr;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use ipnet::IpNet;

use super::Truth;
use crate::request::{Context, ResourceFacts};

/// Items in one comma-separated value (IN, IN_RANGE).
pub const MAX_LIST_ITEMS: usize = 64;
/// The longest tag key in `resource.Tag(<key>)` (the resource API's own limit).
pub const MAX_TAG_KEY_LEN: usize = 128;

/// A typed, compiled `MATCH` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Check {
    Tag { key: Box<str>, op: TextOp },
    Name(TextOp),
    Type(TextOp),
    Ip(IpOp),
    Date { zone: Tz, op: DateOp },
    WeekDay { zone: Tz, op: OrdOp },
    Hour { zone: Tz, op: OrdOp },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TextOp {
    Eq(Box<str>),
    StartsWith(Box<str>),
    EndsWith(Box<str>),
    In(Box<[Box<str>]>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IpOp {
    Eq(IpAddr),
    InRange(Box<[IpNet]>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DateOp {
    Eq(NaiveDate),
    In(Box<[NaiveDate]>),
    Before(NaiveDate),
    After(NaiveDate),
}

/// Comparisons over a small ordinal (ISO weekday 1–7, hour 0–23).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OrdOp {
    Eq(u8),
    Lt(u8),
    Le(u8),
    Gt(u8),
    Ge(u8),
    In(Box<[u8]>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Criterion {
    Eq,
    StartsWith,
    EndsWith,
    In,
    InRange,
    Before,
    After,
    Ge,
    Gt,
    Le,
    Lt,
}

const CRITERIA: [(&str, Criterion); 11] = [
    ("EQ", Criterion::Eq),
    ("STARTS_WITH", Criterion::StartsWith),
    ("ENDS_WITH", Criterion::EndsWith),
    ("IN", Criterion::In),
    ("IN_RANGE", Criterion::InRange),
    ("BEFORE", Criterion::Before),
    ("AFTER", Criterion::After),
    ("GE", Criterion::Ge),
    ("GT", Criterion::Gt),
    ("LE", Criterion::Le),
    ("LT", Criterion::Lt),
];

const SUBJECTS: &str = "resource.Tag(<key>), resource.Name, resource.Type, request.IP, \
                        date(<IANA zone>).Date, date(<IANA zone>).WeekDay or date(<IANA zone>).Hour";
const TEXT_CRITERIA: &[&str] = &["EQ", "STARTS_WITH", "ENDS_WITH", "IN"];
const TAG_CRITERIA: &[&str] = &["EQ", "STARTS_WITH", "ENDS_WITH"];
const IP_CRITERIA: &[&str] = &["EQ", "IN_RANGE"];
const DATE_CRITERIA: &[&str] = &["EQ", "IN", "BEFORE", "AFTER"];
const ORD_CRITERIA: &[&str] = &["EQ", "BEFORE", "AFTER", "GE", "GT", "LE", "LT", "IN"];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Check {
    /// Compiles `key: value`; the error is a sentence naming what was expected.
    pub(crate) fn compile(key: &str, value: &str) -> Result<Check, String> {
        let (subject, criterion) = split_key(key)?;
        if let Some(tag) = subject
            .strip_prefix("resource.Tag(")
            .and_then(|s| s.strip_suffix(')'))
        {
            check_tag_key(tag)?;
            let op = text_op(criterion, TAG_CRITERIA, value)?;
            return Ok(Check::Tag {
                key: tag.into(),
                op,
            });
        }
        if let Some(rest) = subject.strip_prefix("date(") {
            return compile_date(rest, criterion, value);
        }
        match subject {
            "resource.Name" => Ok(Check::Name(text_op(criterion, TEXT_CRITERIA, value)?)),
            "resource.Type" => Ok(Check::Type(text_op(criterion, TEXT_CRITERIA, value)?)),
            "request.IP" => Ok(Check::Ip(ip_op(criterion, value)?)),
            _ => Err(format!(
                "unknown condition key {key:?}; expected {SUBJECTS}, optionally followed by .<CRITERION>"
            )),
        }
    }

    pub(crate) fn evaluate(&self, resource: &ResourceFacts, context: &Context) -> Truth {
        let known = |b: bool| if b { Truth::True } else { Truth::False };
        match self {
            Check::Tag { key, op } => {
                known(resource.tags.get(&**key).is_some_and(|v| op.matches(v)))
            }
            Check::Name(op) => known(op.matches(&resource.name)),
            Check::Type(op) => known(op.matches(&resource.resource_type)),
            Check::Ip(op) => context
                .ip
                .map_or(Truth::Unknown, |ip| known(op.matches(ip))),
            Check::Date { zone, op } => {
                known(op.matches(context.now.with_timezone(zone).date_naive()))
            }
            Check::WeekDay { zone, op } => {
                let day = context
                    .now
                    .with_timezone(zone)
                    .weekday()
                    .number_from_monday();
                known(op.matches(day as u8))
            }
            Check::Hour { zone, op } => {
                known(op.matches(context.now.with_timezone(zone).hour() as u8))
            }
        }
    }
}

/// Splits `resource.Tag(a.b).IN` into (`resource.Tag(a.b)`, `Some("IN")`): the criterion is
/// whatever follows the last `.` after the closing parenthesis, if it is not part of a subject.
fn split_key(key: &str) -> Result<(&str, Option<&str>), String> {
    let tail_start = key.rfind(')').map_or(0, |i| i + 1);
    let tail = &key[tail_start..];
    let known_tails = [
        "",
        ".Date",
        ".WeekDay",
        ".Hour",
        "resource.Name",
        "resource.Type",
        "request.IP",
    ];
    if known_tails.contains(&tail) {
        return Ok((key, None));
    }
    match key.rfind('.') {
        Some(dot) if dot >= tail_start => Ok((&key[..dot], Some(&key[dot + 1..]))),
        _ => Err(format!(
            "unknown condition key {key:?}; expected {SUBJECTS}"
        )),
    }
}

fn criterion(name: Option<&str>, allowed: &[&str]) -> Result<Criterion, String> {
    let name = name.unwrap_or("EQ");
    let found = CRITERIA
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name) && allowed.contains(n));
    found.map(|(_, c)| *c).ok_or_else(|| {
        format!(
            "unknown criterion {name:?} for this key; expected one of {}",
            allowed.join(", ")
        )
    })
}

fn check_tag_key(tag: &str) -> Result<(), String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "_.:/=+@-".contains(c);
    if tag.is_empty() || tag.len() > MAX_TAG_KEY_LEN || !tag.chars().all(ok) {
        return Err(format!(
            "tag key {tag:?} is malformed; expected 1 to {MAX_TAG_KEY_LEN} of letters, digits and _.:/=+@-"
        ));
    }
    Ok(())
}

fn list(value: &str) -> Result<Vec<&str>, String> {
    let items: Vec<&str> = value.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(format!(
            "{value:?} has an empty item; expected comma-separated values"
        ));
    }
    if items.len() > MAX_LIST_ITEMS {
        return Err(format!("more than {MAX_LIST_ITEMS} comma-separated values"));
    }
    Ok(items)
}

fn text_op(name: Option<&str>, allowed: &[&str], value: &str) -> Result<TextOp, String> {
    Ok(match criterion(name, allowed)? {
        Criterion::StartsWith => TextOp::StartsWith(value.into()),
        Criterion::EndsWith => TextOp::EndsWith(value.into()),
        Criterion::In => TextOp::In(list(value)?.into_iter().map(Box::from).collect()),
        _ => TextOp::Eq(value.into()),
    })
}

impl TextOp {
    fn matches(&self, actual: &str) -> bool {
        match self {
            TextOp::Eq(v) => actual == &**v,
            TextOp::StartsWith(v) => actual.starts_with(&**v),
            TextOp::EndsWith(v) => actual.ends_with(&**v),
            TextOp::In(vs) => vs.iter().any(|v| actual == &**v),
        }
    }
}

fn ip_op(name: Option<&str>, value: &str) -> Result<IpOp, String> {
    let addr = |s: &str| {
        IpAddr::from_str(s)
            .map(|ip| ip.to_canonical())
            .map_err(|_| format!("{s:?} is not an IPv4 or IPv6 address"))
    };
    if criterion(name, IP_CRITERIA)? == Criterion::Eq {
        return Ok(IpOp::Eq(addr(value.trim())?));
    }
    let net = |s: &str| match IpNet::from_str(s) {
        Ok(net) => Ok(net),
        Err(_) => addr(s)
            .map(IpNet::from)
            .map_err(|_| format!("{s:?} is not a CIDR such as 192.0.2.0/24 or 2001:db8::/32")),
    };
    Ok(IpOp::InRange(
        list(value)?
            .into_iter()
            .map(net)
            .collect::<Result<_, _>>()?,
    ))
}

impl IpOp {
    fn matches(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match self {
            IpOp::Eq(want) => ip == *want,
            IpOp::InRange(nets) => nets.iter().any(|n| n.contains(&ip)),
        }
    }
}

fn compile_date(rest: &str, name: Option<&str>, value: &str) -> Result<Check, String> {
    let (zone, field) = rest
        .split_once(')')
        .ok_or("date( is not closed; expected date(<IANA zone>).Date")?;
    let zone = Tz::from_str(zone).map_err(|_| {
        format!("unknown time zone {zone:?}; expected an IANA name such as Europe/Paris")
    })?;
    match field {
        ".Date" => Ok(Check::Date {
            zone,
            op: date_op(name, value)?,
        }),
        ".WeekDay" => Ok(Check::WeekDay {
            zone,
            op: ord_op(name, value, weekday)?,
        }),
        ".Hour" => Ok(Check::Hour {
            zone,
            op: ord_op(name, value, hour)?,
        }),
        _ => Err(format!(
            "unknown date field {field:?}; expected .Date, .WeekDay or .Hour"
        )),
    }
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date such as 2024-12-31"))
}

fn date_op(name: Option<&str>, value: &str) -> Result<DateOp, String> {
    Ok(match criterion(name, DATE_CRITERIA)? {
        Criterion::In => DateOp::In(
            list(value)?
                .into_iter()
                .map(date)
                .collect::<Result<_, _>>()?,
        ),
        Criterion::Before => DateOp::Before(date(value.trim())?),
        Criterion::After => DateOp::After(date(value.trim())?),
        _ => DateOp::Eq(date(value.trim())?),
    })
}

impl DateOp {
    fn matches(&self, day: NaiveDate) -> bool {
        match self {
            DateOp::Eq(d) => day == *d,
            DateOp::In(ds) => ds.contains(&day),
            DateOp::Before(d) => day < *d,
            DateOp::After(d) => day > *d,
        }
    }
}

fn weekday(s: &str) -> Result<u8, String> {
    let lower = s.to_ascii_lowercase();
    let found = WEEKDAYS
        .iter()
        .position(|d| *d == lower || (lower.len() == 3 && d.starts_with(&lower)));
    found
        .map(|i| i as u8 + 1)
        .ok_or_else(|| format!("{s:?} is not a weekday; expected Monday … Sunday"))
}

fn hour(s: &str) -> Result<u8, String> {
    match s.parse::<u8>() {
        Ok(h) if h < 24 && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(h),
        _ => Err(format!("{s:?} is not an hour; expected 0 … 23")),
    }
}

fn ord_op(
    name: Option<&str>,
    value: &str,
    parse: fn(&str) -> Result<u8, String>,
) -> Result<OrdOp, String> {
    let c = criterion(name, ORD_CRITERIA)?;
    if c == Criterion::In {
        return Ok(OrdOp::In(
            list(value)?
                .into_iter()
                .map(parse)
                .collect::<Result<_, _>>()?,
        ));
    }
    let v = parse(value.trim())?;
    Ok(match c {
        Criterion::Before | Criterion::Lt => OrdOp::Lt(v),
        Criterion::After | Criterion::Gt => OrdOp::Gt(v),
        Criterion::Le => OrdOp::Le(v),
        Criterion::Ge => OrdOp::Ge(v),
        _ => OrdOp::Eq(v),
    })
}

impl OrdOp {
    fn matches(&self, x: u8) -> bool {
        match self {
            OrdOp::Eq(v) => x == *v,
            OrdOp::Lt(v) => x < *v,
            OrdOp::Le(v) => x <= *v,
            OrdOp::Gt(v) => x > *v,
            OrdOp::Ge(v) => x >= *v,
            OrdOp::In(vs) => vs.contains(&x),
        }
    }
}

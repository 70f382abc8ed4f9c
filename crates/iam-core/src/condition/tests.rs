//! Condition compilation and evaluation, key by key and as trees.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::*;

fn at(now: &str) -> Context {
    let now = DateTime::parse_from_rfc3339(now)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default();
    Context::at(now)
}

fn vps() -> ResourceFacts {
    ResourceFacts::from_urn("urn:v1:eu:resource:vps:vps-1.ovh.net")
        .with_tag("environment", "production")
        .with_tag("team.name", "web-front")
}

/// Evaluates a one-entry MATCH against `vps()` at 2024-03-15T10:30:00Z (a Friday), IP 192.0.2.10.
fn eval(key: &str, value: &str) -> Truth {
    let ctx = at("2024-03-15T10:30:00Z").with_ip(IpAddr::from([192, 0, 2, 10]));
    eval_with(key, value, &ctx)
}

fn eval_with(key: &str, value: &str, ctx: &Context) -> Truth {
    let compiled = Condition::matching([(key, value)]).compile("conditions");
    let compiled = compiled.unwrap_or_else(|e| panic!("{key}: {e}"));
    compiled.evaluate(&vps(), ctx)
}

fn error(key: &str, value: &str) -> ValidationError {
    let compiled = Condition::matching([(key, value)]).compile("conditions");
    compiled
        .err()
        .unwrap_or_else(|| panic!("{key}={value} was accepted"))
}

use Truth::{False as F, True as T, Unknown as U};

#[test]
fn resource_tags() {
    assert_eq!(eval("resource.Tag(environment)", "production"), T);
    assert_eq!(eval("resource.Tag(environment).EQ", "prod"), F);
    assert_eq!(eval("resource.Tag(environment).STARTS_WITH", "prod"), T);
    assert_eq!(eval("resource.Tag(environment).ends_with", "tion"), T);
    assert_eq!(eval("resource.Tag(team.name)", "web-front"), T);
    assert_eq!(eval("resource.Tag(missing)", ""), F);
    assert!(
        error("resource.Tag(environment).IN", "a,b")
            .message()
            .contains("expected one of EQ, STARTS_WITH, ENDS_WITH")
    );
    assert!(
        error("resource.Tag(bad key)", "x")
            .message()
            .contains("tag key")
    );
}

#[test]
fn resource_name_and_type() {
    assert_eq!(eval("resource.Name", "vps-1.ovh.net"), T);
    assert_eq!(eval("resource.Name.STARTS_WITH", "vps-"), T);
    assert_eq!(eval("resource.Name.ENDS_WITH", ".ovh.net"), T);
    assert_eq!(eval("resource.Name.IN", "a, vps-1.ovh.net"), T);
    assert_eq!(eval("resource.Name.In", "a,b"), F);
    assert_eq!(eval("resource.Type", "vps"), T);
    assert_eq!(eval("resource.Type.IN", "dnsZone,vps"), T);
    assert_eq!(eval("resource.Type.STARTS_WITH", "dns"), F);
    assert!(
        error("resource.Name.IN", "a,,b")
            .message()
            .contains("empty item")
    );
    assert!(
        error("resource.Type.GT", "a")
            .message()
            .contains("unknown criterion \"GT\"")
    );
}

#[test]
fn request_ip() {
    assert_eq!(eval("request.IP", "192.0.2.10"), T);
    assert_eq!(eval("request.IP.EQ", "192.0.2.11"), F);
    assert_eq!(eval("request.IP.IN_RANGE", "192.0.2.0/24"), T);
    assert_eq!(
        eval("request.IP.in_range", "198.51.100.0/24, 192.0.2.0/28"),
        T
    );
    assert_eq!(eval("request.IP.IN_RANGE", "198.51.100.0/24"), F);
    let v6 =
        at("2024-03-15T10:30:00Z").with_ip("2001:db8::42".parse().unwrap_or(IpAddr::from([0; 4])));
    assert_eq!(eval_with("request.IP.IN_RANGE", "2001:db8::/32", &v6), T);
    assert_eq!(eval_with("request.IP.IN_RANGE", "192.0.2.0/24", &v6), F);
    assert_eq!(eval_with("request.IP", "2001:db8::42", &v6), T);
    let mapped = at("2024-03-15T10:30:00Z")
        .with_ip("::ffff:192.0.2.10".parse().unwrap_or(IpAddr::from([0; 4])));
    assert_eq!(eval_with("request.IP.IN_RANGE", "192.0.2.0/24", &mapped), T);
    assert!(
        error("request.IP", "300.1.1.1")
            .message()
            .contains("not an IPv4 or IPv6 address")
    );
    assert!(
        error("request.IP.IN_RANGE", "10.0.0.0/33")
            .message()
            .contains("CIDR")
    );
    assert!(
        error("request.IP.IN", "10.0.0.1")
            .message()
            .contains("EQ, IN_RANGE")
    );
}

#[test]
fn a_missing_ip_is_unknown_and_stays_unknown_under_not() {
    let no_ip = at("2024-03-15T10:30:00Z");
    assert_eq!(eval_with("request.IP.IN_RANGE", "0.0.0.0/0", &no_ip), U);
    let not = Condition::combine(
        ConditionOperator::Not,
        vec![Condition::matching([("request.IP", "192.0.2.1")])],
    );
    let not = not.compile("conditions").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(not.evaluate(&vps(), &no_ip), U);
}

#[test]
fn dates_in_a_zone() {
    // 2024-03-15T23:30Z is already the 16th in Paris (UTC+1 in March before DST).
    let late = at("2024-03-15T23:30:00Z");
    assert_eq!(eval_with("date(Europe/Paris).Date", "2024-03-16", &late), T);
    assert_eq!(eval_with("date(UTC).Date", "2024-03-15", &late), T);
    assert_eq!(
        eval_with("date(Europe/Paris).Date.IN", "2024-01-01,2024-03-16", &late),
        T
    );
    assert_eq!(
        eval_with("date(Europe/Paris).Date.BEFORE", "2024-03-16", &late),
        F
    );
    assert_eq!(
        eval_with("date(Europe/Paris).Date.BEFORE", "2024-03-17", &late),
        T
    );
    assert_eq!(
        eval_with("date(Europe/Paris).Date.AFTER", "2024-03-15", &late),
        T
    );
    assert!(
        error("date(Europe/Paris).Date", "15/03/2024")
            .message()
            .contains("not a date")
    );
    assert!(
        error("date(Mars/Olympus).Date", "2024-01-01")
            .message()
            .contains("unknown time zone")
    );
    assert!(
        error("date(Europe/Paris).Date.GE", "2024-01-01")
            .message()
            .contains("EQ, IN, BEFORE, AFTER")
    );
    assert!(
        error("date(Europe/Paris).Minute", "1")
            .message()
            .contains("unknown date field")
    );
}

#[test]
fn weekdays_in_a_zone() {
    // Friday 10:30 UTC; Saturday 00:30 in Tokyo is still Friday 15:30 UTC.
    assert_eq!(eval("date(Europe/Paris).WeekDay", "Friday"), T);
    assert_eq!(eval("date(Europe/Paris).WeekDay.In", "monday,friday"), T);
    assert_eq!(eval("date(Europe/Paris).WeekDay.IN", "sat,sun"), F);
    assert_eq!(eval("date(Europe/Paris).WeekDay.BEFORE", "Saturday"), T);
    assert_eq!(eval("date(Europe/Paris).WeekDay.AFTER", "Friday"), F);
    assert_eq!(eval("date(Europe/Paris).WeekDay.GE", "Friday"), T);
    assert_eq!(eval("date(Europe/Paris).WeekDay.GT", "Thursday"), T);
    assert_eq!(eval("date(Europe/Paris).WeekDay.LE", "Thursday"), F);
    assert_eq!(eval("date(Europe/Paris).WeekDay.LT", "Sunday"), T);
    let tokyo = at("2024-03-15T15:30:00Z");
    assert_eq!(eval_with("date(Asia/Tokyo).WeekDay", "Saturday", &tokyo), T);
    assert!(
        error("date(UTC).WeekDay", "Funday")
            .message()
            .contains("not a weekday")
    );
}

#[test]
fn hours_in_a_zone() {
    // 10:30 UTC is 11:30 in Paris on 2024-03-15.
    assert_eq!(eval("date(Europe/Paris).Hour", "11"), T);
    assert_eq!(eval("date(UTC).Hour.EQ", "10"), T);
    assert_eq!(eval("date(Europe/Paris).Hour.GE", "9"), T);
    assert_eq!(eval("date(Europe/Paris).Hour.LT", "11"), F);
    assert_eq!(eval("date(Europe/Paris).Hour.LE", "11"), T);
    assert_eq!(eval("date(Europe/Paris).Hour.GT", "11"), F);
    assert_eq!(eval("date(Europe/Paris).Hour.BEFORE", "12"), T);
    assert_eq!(eval("date(Europe/Paris).Hour.AFTER", "08"), T);
    assert_eq!(eval("date(Europe/Paris).Hour.IN", "9,10,11"), T);
    assert_eq!(eval("date(America/New_York).Hour", "6"), T);
    assert!(
        error("date(UTC).Hour", "24")
            .message()
            .contains("not an hour")
    );
    assert!(
        error("date(UTC).Hour", "+9")
            .message()
            .contains("not an hour")
    );
}

#[test]
fn several_values_in_one_match_are_anded() {
    let c = Condition::matching([
        ("resource.Type", "vps"),
        ("resource.Tag(environment)", "staging"),
    ]);
    let c = c.compile("conditions").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.evaluate(&vps(), &at("2024-03-15T10:30:00Z")), F);
}

#[test]
fn trees_combine_three_valued() {
    let m = |k: &str, v: &str| Condition::matching([(k, v)]);
    let tree = Condition::combine(
        ConditionOperator::Or,
        vec![
            m("request.IP", "192.0.2.1"),
            Condition::combine(
                ConditionOperator::And,
                vec![m("resource.Type", "vps"), m("date(UTC).Hour.GE", "9")],
            ),
        ],
    );
    let tree = tree.compile("conditions").unwrap_or_else(|e| panic!("{e}"));
    // The IP is unknown but the other branch is true.
    assert_eq!(tree.evaluate(&vps(), &at("2024-03-15T10:30:00Z")), T);
    // The IP is unknown and the other branch false: unknown.
    assert_eq!(tree.evaluate(&vps(), &at("2024-03-15T05:30:00Z")), U);
}

#[test]
fn structure_errors_point_at_the_node() {
    let m = |k: &str, v: &str| Condition::matching([(k, v)]);
    let and = |cs| Condition::combine(ConditionOperator::And, cs);
    let bad_key = and(vec![m("resource.Type", "vps"), m("request.Ip", "1.2.3.4")]);
    let err = bad_key
        .compile("conditions")
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(
        err.field(),
        "conditions.conditions[1].values[\"request.Ip\"]"
    );
    assert_eq!(err.code(), "INVALID_CONDITION");
    assert!(
        err.message()
            .contains("unknown condition key \"request.Ip\""),
        "{err}"
    );

    let bad_ip = and(vec![m("request.IP", "nope")]);
    let err = bad_ip
        .compile("conditions")
        .err()
        .map(|e| e.field().to_owned());
    assert_eq!(
        err.as_deref(),
        Some("conditions.conditions[0].values[\"request.IP\"]")
    );

    let empty_and = and(vec![]);
    assert!(empty_and.compile("conditions").is_err());
    let two_nots = Condition::combine(
        ConditionOperator::Not,
        vec![m("resource.Type", "a"), m("resource.Type", "b")],
    );
    assert!(two_nots.compile("conditions").is_err());
    let empty_match = Condition::matching(Vec::<(String, String)>::new());
    assert!(empty_match.compile("conditions").is_err());
    let mut match_with_children = m("resource.Type", "a");
    match_with_children.conditions = Some(vec![m("resource.Type", "b")]);
    assert!(match_with_children.compile("conditions").is_err());
    let mut and_with_values = and(vec![m("resource.Type", "a")]);
    and_with_values.values = Some([("resource.Type".to_owned(), "x".to_owned())].into());
    assert!(and_with_values.compile("conditions").is_err());
}

#[test]
fn limits_are_enforced() {
    let mut deep = Condition::matching([("resource.Type", "vps")]);
    for _ in 0..MAX_CONDITION_DEPTH {
        deep = Condition::combine(ConditionOperator::Not, vec![deep]);
    }
    let err = deep
        .compile("conditions")
        .err()
        .map(|e| e.message().to_owned())
        .unwrap_or_default();
    assert!(err.contains("deeper"), "{err}");
    let wide = Condition::combine(
        ConditionOperator::And,
        (0..MAX_CONDITION_NODES)
            .map(|_| Condition::matching([("resource.Type", "x")]))
            .collect(),
    );
    assert!(wide.compile("conditions").is_err());
    let long = "x".repeat(MAX_CONDITION_VALUE_LEN + 1);
    assert!(
        Condition::matching([("resource.Name", long.as_str())])
            .compile("c")
            .is_err()
    );
}

#[test]
fn wire_shape_round_trips() {
    let json = r#"{"operator":"AND","conditions":[{"operator":"MATCH","values":{"date(Europe/Paris).WeekDay.In":"monday,tuesday"}}]}"#;
    let c: Condition = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::to_string(&c).unwrap_or_default(), json);
    assert!(c.compile("conditions").is_ok());
}

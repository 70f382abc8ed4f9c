//! Decision latency, index build time and index memory over a generated account:
//! 10,000 users, 800 service accounts and 200 groups (11,000 identities), 100,000
//! resources of the catalog's types in 500 resource groups, and 10 … 100,000 policies
//! (~35% wildcard actions, ~10% wildcard resources, 7% with `except`, 3% with `deny`,
//! 5% with conditions). Deterministic (xorshift, fixed seed).
//!
//! Run: `cargo bench -p iam-core --bench decision -- --warm-up-time 1 --measurement-time 3`
//! Besides criterion's estimates it prints, per sweep point, the build time, the index's
//! `heap_size()` per policy, and percentiles of single decisions: "hot" (each request timed
//! over 32 repetitions, everything in cache) and "cold" (each of 4096 different requests
//! once, in turn, with freshly built facts; the clock's own cost subtracted).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iam_core::catalog::Catalog;
use iam_core::condition::Condition;
use iam_core::evaluate::evaluate_action;
use iam_core::policy::{ActionRef, Permissions, Policy, ResourceRef};
use iam_core::request::{Context, RequestFacts, ResourceFacts};
use iam_core::system::{Builtins, RoleBinding};
use iam_core::{PolicyIndex, role::Role};
use uuid::Uuid;

const CATALOG: &str = include_str!("../data/actions-catalog.json");
const NIC: &str = "xx1111-ovh";
const USERS: usize = 10_000;
const CREDENTIALS: usize = 800;
const GROUPS: usize = 200;
const RESOURCES: usize = 100_000;
const RESOURCE_GROUPS: usize = 500;
const SWEEP: [usize; 4] = [10, 1_000, 10_000, 100_000];
const REQUESTS: usize = 4096;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The account's vocabulary: resource types with their actions, and names.
struct World {
    types: Vec<(String, Vec<String>)>,
    default_group: String,
}

impl World {
    fn new(catalog: &Catalog) -> World {
        let types = catalog
            .resource_types()
            .map(|t| {
                (
                    t.to_owned(),
                    catalog
                        .actions_of_type(t)
                        .map(|a| a.action.clone())
                        .collect(),
                )
            })
            .collect();
        World {
            types,
            default_group: rg_urn(RESOURCE_GROUPS),
        }
    }

    /// Resource `i`: its type index, URN and the URN of its resource group.
    fn resource(&self, i: usize) -> (usize, String, String) {
        let t = i % self.types.len();
        let urn = format!(
            "urn:v1:eu:resource:{}:{}-{i}.example.net",
            self.types[t].0, self.types[t].0
        );
        (t, urn, rg_urn(i % RESOURCE_GROUPS))
    }
}

fn rg_urn(i: usize) -> String {
    format!(
        "urn:v1:eu:resourceGroup:{}",
        Uuid::from_u128(0xabc0_0000 + i as u128).hyphenated()
    )
}

fn user(i: usize) -> String {
    format!("urn:v1:eu:identity:user:{NIC}/user{i}")
}

fn group(i: usize) -> String {
    format!("urn:v1:eu:identity:group:{NIC}/group{i}")
}

fn credential(i: usize) -> String {
    format!("urn:v1:eu:identity:credential:{NIC}/oauth2-EU.{i:016x}")
}

fn identity(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..70 => user(rng.below(USERS)),
        70..80 => credential(rng.below(CREDENTIALS)),
        80..95 => group(rng.below(GROUPS)),
        _ => format!("urn:v1:eu:identity:user:{NIC}/user{}*", rng.below(100)),
    }
}

/// A resource pattern and the type its actions should come from.
fn resource(rng: &mut Rng, world: &World) -> (String, usize) {
    let (t, urn, rg) = world.resource(rng.below(RESOURCES));
    match rng.below(100) {
        0..8 => (format!("urn:v1:eu:resource:{}:*", world.types[t].0), t),
        8..10 => (format!("*-{}.example.net", rng.below(1000)), t),
        10..25 => (rg, t),
        _ => (urn, t),
    }
}

fn action(rng: &mut Rng, world: &World, t: usize) -> String {
    let (name, actions) = &world.types[t];
    if rng.chance(35) {
        return match rng.below(10) {
            0 => "*".into(),
            1 => "*:apiovh:*/get".into(),
            2..6 => format!("{name}:apiovh:*"),
            _ => {
                let a = &actions[rng.below(actions.len())];
                let cut = a.rfind('/').or_else(|| a.rfind(':')).unwrap_or(a.len() - 1);
                format!("{}*", &a[..=cut])
            }
        };
    }
    actions[rng.below(actions.len())].clone()
}

fn actions(rng: &mut Rng, world: &World, t: usize, max: usize) -> Vec<ActionRef> {
    (0..1 + rng.below(max))
        .map(|_| ActionRef::new(action(rng, world, t)))
        .collect()
}

fn policy(n: usize, rng: &mut Rng, world: &World) -> Policy {
    let identities = (0..1 + usize::from(rng.chance(20)))
        .map(|_| identity(rng))
        .collect();
    let (first, t) = resource(rng, world);
    let mut resources = vec![ResourceRef { urn: first }];
    if rng.chance(20) {
        resources.push(ResourceRef {
            urn: resource(rng, world).0,
        });
    }
    let mut permissions = Permissions {
        allow: actions(rng, world, t, 4),
        ..Permissions::default()
    };
    if rng.chance(7) {
        permissions.except = actions(rng, world, t, 2);
    }
    if rng.chance(3) {
        permissions.deny = actions(rng, world, t, 2);
    }
    let conditions = rng
        .chance(5)
        .then(|| Condition::matching([("date(Europe/Paris).Hour.GE", "8")]));
    Policy {
        id: Uuid::from_u128(n as u128 + 1),
        name: format!("policy-{n}"),
        description: None,
        identities,
        resources,
        permissions,
        permissions_groups: Vec::new(),
        conditions,
        expired_at: None,
        read_only: false,
        owner: NIC.into(),
        created_at: DateTime::default(),
        updated_at: None,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_710_498_600, 0).unwrap_or_default()
}

/// Requests: half aimed at what some policy names (so some are allowed), half random.
fn requests(rng: &mut Rng, world: &World, policies: &[Policy]) -> Vec<(RequestFacts, String)> {
    (0..REQUESTS)
        .map(|_| {
            let mut u = rng.below(USERS);
            let mut resource_index = rng.below(RESOURCES);
            if rng.chance(50) {
                let p = &policies[rng.below(policies.len())];
                if let Some(i) =
                    p.identities[0].strip_prefix(&format!("urn:v1:eu:identity:user:{NIC}/user"))
                {
                    u = i.parse().unwrap_or(u);
                }
                if let Some(i) = p.resources[0]
                    .urn
                    .rsplit('-')
                    .next()
                    .and_then(|s| s.strip_suffix(".example.net"))
                {
                    resource_index = i.parse().unwrap_or(resource_index);
                }
            }
            let (t, urn, rg) = world.resource(resource_index);
            let facts = RequestFacts {
                identities: vec![user(u), group(u % GROUPS)],
                resource: ResourceFacts::from_urn(&urn)
                    .with_groups([rg, world.default_group.clone()]),
                context: Context::at(now()),
            };
            let actions = &world.types[t].1;
            (facts, actions[rng.below(actions.len())].clone())
        })
        .collect()
}

fn roles(world: &World) -> Vec<RoleBinding> {
    let role = |i: usize| [Role::Regular, Role::Unprivileged, Role::None, Role::Admin][i % 4];
    (0..GROUPS)
        .map(|i| RoleBinding {
            group: group(i),
            role: role(i),
            default_resource_group: world.default_group.clone(),
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn report(
    index: &PolicyIndex,
    baseline: usize,
    requests: &[(RequestFacts, String)],
    n: usize,
    built_in: Duration,
) {
    // Hot: each request timed over 32 repetitions (index and facts in cache).
    let mut hot: Vec<Duration> = requests
        .iter()
        .map(|(facts, action)| {
            let start = Instant::now();
            for _ in 0..32 {
                black_box(evaluate_action(index, black_box(facts), black_box(action)));
            }
            start.elapsed() / 32
        })
        .collect();
    hot.sort();
    // Cold index: each request once, in turn, with freshly built facts (as a server holds
    // them); the cost of reading the clock is measured and subtracted.
    let clock = (0..1000)
        .map(|_| Instant::now().elapsed())
        .min()
        .unwrap_or_default();
    let mut cold: Vec<Duration> = requests
        .iter()
        .map(|(facts, action)| {
            let (facts, action) = (facts.clone(), action.clone());
            let start = Instant::now();
            black_box(evaluate_action(
                index,
                black_box(&facts),
                black_box(&action),
            ));
            start.elapsed().saturating_sub(clock)
        })
        .collect();
    cold.sort();
    let allowed = requests
        .iter()
        .filter(|(f, a)| evaluate_action(index, f, a).allowed)
        .count();
    let applicable: usize = requests
        .iter()
        .map(|(f, _)| index.applicable(f).len())
        .sum();
    println!(
        "policies={n} build={:.1?} heap={:.1} MiB ({:.0} B/policy beyond the {:.1} MiB of roles alone) hot p50={:.0?} p99={:.0?}, cold p50={:.0?} p99={:.0?}; allowed={allowed}/{} applicable/request={:.2}",
        built_in,
        index.heap_size() as f64 / 1048576.0,
        (index.heap_size() - baseline) as f64 / n as f64,
        baseline as f64 / 1048576.0,
        percentile(&hot, 50),
        percentile(&hot, 99),
        percentile(&cold, 50),
        percentile(&cold, 99),
        requests.len(),
        applicable as f64 / requests.len() as f64,
    );
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::from_json(CATALOG).unwrap_or_default();
    let builtins = Builtins::new(&catalog);
    let world = World::new(&catalog);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let all: Vec<Policy> = (0..SWEEP[SWEEP.len() - 1])
        .map(|n| policy(n, &mut rng, &world))
        .collect();
    let roles = roles(&world);
    let baseline = PolicyIndex::build(&builtins, &[], &[], &roles)
        .index
        .heap_size();
    let mut group = c.benchmark_group("decision");
    for n in SWEEP {
        let policies = &all[..n];
        let start = Instant::now();
        let built = PolicyIndex::build(&builtins, policies, &[], &roles);
        let built_in = start.elapsed();
        assert!(built.skipped.is_empty(), "{:?}", built.skipped.first());
        let index = built.index;
        let requests = requests(&mut Rng(7), &world, policies);
        report(&index, baseline, &requests, n, built_in);
        // Criterion's figure: the index shared, cycling through 4096 prepared requests.
        let mut i = 0;
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                let (facts, action) = &requests[i];
                evaluate_action(&index, facts, action)
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);

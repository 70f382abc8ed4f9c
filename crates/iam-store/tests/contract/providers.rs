//! Resource providers: round trip by secret hash, one owner per resource type, declared
//! actions replaced per type and removed with their provider.

use iam_core::catalog::Category;
use iam_store::{DeclaredAction, ResourceProvider};
use uuid::Uuid;

use crate::fixture::*;
use crate::harness::Ctx;

fn provider(name: &str, types: &[&str], n: i64) -> ResourceProvider {
    ResourceProvider {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        resource_types: types.iter().map(|t| (*t).to_owned()).collect(),
        secret_hash: random_bytes(),
        created_at: t(n),
    }
}

fn declared(action: &str, resource_type: &str, categories: &[Category]) -> DeclaredAction {
    DeclaredAction {
        action: action.to_owned(),
        resource_type: resource_type.to_owned(),
        description: format!("does {action}"),
        categories: categories.to_vec(),
    }
}

async fn provider_round_trips_by_secret_hash(ctx: Ctx) {
    let s = &*ctx.store;
    let late = provider("late", &["dnsZone"], 5);
    let early = provider("early", &["vps", "dedicatedServer"], 1);
    s.create_provider(&late).await.unwrap();
    s.create_provider(&early).await.unwrap();
    assert_eq!(
        s.find_provider_by_hash(&early.secret_hash).await.unwrap(),
        Some(early.clone())
    );
    assert_eq!(
        s.find_provider_by_hash(&random_bytes()).await.unwrap(),
        None
    );
    assert_eq!(s.list_providers().await.unwrap(), vec![early, late]);
}

async fn names_and_types_have_one_owner(ctx: Ctx) {
    let s = &*ctx.store;
    s.create_provider(&provider("vps", &["vps"], 1))
        .await
        .unwrap();
    assert_conflict(
        s.create_provider(&provider("vps", &["other"], 2)).await,
        "vps",
    );
    assert_conflict(
        s.create_provider(&provider("second", &["other", "vps"], 2))
            .await,
        "vps",
    );
    let names: Vec<String> = s
        .list_providers()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["vps"], "a refused provider leaves nothing behind");
}

async fn declared_actions_are_replaced_per_type(ctx: Ctx) {
    let s = &*ctx.store;
    s.create_provider(&provider("p", &["vps", "dnsZone"], 1))
        .await
        .unwrap();
    let dns = [declared("dnsZone:apiovh:get", "dnsZone", &[Category::Read])];
    s.replace_declared_actions("dnsZone", &dns).await.unwrap();
    let first = [
        declared("vps:apiovh:reboot", "vps", &[Category::Operate]),
        declared("vps:apiovh:get", "vps", &[Category::Read]),
    ];
    s.replace_declared_actions("vps", &first).await.unwrap();
    let mut all = dns.to_vec();
    all.extend(first.iter().cloned());
    assert_eq!(s.list_declared_actions().await.unwrap(), all);
    let second = [declared(
        "vps:apiovh:snapshot/create",
        "vps",
        &[Category::Create, Category::Operate],
    )];
    s.replace_declared_actions("vps", &second).await.unwrap();
    let mut all = dns.to_vec();
    all.extend(second.iter().cloned());
    assert_eq!(s.list_declared_actions().await.unwrap(), all);
}

async fn declarations_need_an_owned_type_and_unique_actions(ctx: Ctx) {
    let s = &*ctx.store;
    s.create_provider(&provider("p", &["vps", "dnsZone"], 1))
        .await
        .unwrap();
    let orphan = [declared("nobody:apiovh:get", "nobody", &[Category::Read])];
    assert_not_found(
        s.replace_declared_actions("nobody", &orphan).await,
        "resource type",
    );
    let taken = [declared("vps:apiovh:get", "vps", &[Category::Read])];
    s.replace_declared_actions("vps", &taken).await.unwrap();
    let clash = [declared("vps:apiovh:get", "dnsZone", &[Category::Read])];
    assert_conflict(
        s.replace_declared_actions("dnsZone", &clash).await,
        "vps:apiovh:get",
    );
    let twice = [taken[0].clone(), taken[0].clone()];
    assert_conflict(
        s.replace_declared_actions("vps", &twice).await,
        "vps:apiovh:get",
    );
    assert_eq!(
        s.list_declared_actions().await.unwrap(),
        taken,
        "a refused declaration changes nothing"
    );
}

async fn deleting_a_provider_removes_its_types_and_actions(ctx: Ctx) {
    let s = &*ctx.store;
    s.create_provider(&provider("p", &["vps"], 1))
        .await
        .unwrap();
    let actions = [declared("vps:apiovh:get", "vps", &[Category::Read])];
    s.replace_declared_actions("vps", &actions).await.unwrap();
    s.delete_provider("p").await.unwrap();
    assert!(s.list_declared_actions().await.unwrap().is_empty());
    assert!(s.list_providers().await.unwrap().is_empty());
    assert_not_found(s.delete_provider("p").await, "provider");
    s.create_provider(&provider("again", &["vps"], 2))
        .await
        .unwrap();
}

contract!(
    provider_round_trips_by_secret_hash,
    names_and_types_have_one_owner,
    declared_actions_are_replaced_per_type,
    declarations_need_an_owned_type_and_unique_actions,
    deleting_a_provider_removes_its_types_and_actions,
);

//! Access policies (`/v2/iam/policy`): validated by iam-core, stored, listed with filters and
//! pagination. `ovh-` names are the system's; read-only policies (`ovh-default`) cannot be
//! edited or deleted; `owner`, `readOnly` and the dates are the server's. Every write
//! updates the account's cached snapshot in place (or forgets it), so the very next request is
//! decided with it.

use chrono::Utc;
use iam_core::action::ActionPattern;
use iam_core::pattern::UrnPattern;
use iam_core::policy::{Policy, PolicyInput};
use iam_core::system::builtin_permissions_groups;
use iam_core::urn::{Urn, UrnFamily};
use iam_core::validate::NameRules;
use iam_store::{StoreError, Write};
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::pagination::{Page, PageRequest, created_key, paginate};
use crate::service::policy_view::{Expansion, PolicyView};
use crate::service::principal::Actor;

pub const ACTION_GET: &str = "account:apiovh:iam/policy/get";
pub const ACTION_CREATE: &str = "account:apiovh:iam/policy/create";
pub const ACTION_EDIT: &str = "account:apiovh:iam/policy/edit";
pub const ACTION_DELETE: &str = "account:apiovh:iam/policy/delete";

/// The list filters. Values of one filter are alternatives; filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct PolicyFilter {
    /// Policies naming one of these identities, exactly or through a `*` pattern.
    pub identities: Vec<String>,
    /// Policies naming one of these resource URNs, exactly or through a `*` pattern.
    pub resources: Vec<String>,
    /// Policies whose allow, except or deny lists name one of these actions (or a pattern
    /// matching it).
    pub actions: Vec<String>,
    pub read_only: Option<bool>,
}

impl PolicyFilter {
    fn accepts(&self, p: &Policy) -> bool {
        let any = |wanted: &[String], test: &dyn Fn(&str) -> bool| {
            wanted.is_empty() || wanted.iter().any(|w| test(w))
        };
        self.read_only.is_none_or(|r| r == p.read_only)
            && any(&self.identities, &|w| {
                p.identities
                    .iter()
                    .any(|i| names(i, w, UrnFamily::Identity))
            })
            && any(&self.resources, &|w| {
                p.resources
                    .iter()
                    .any(|r| names(&r.urn, w, UrnFamily::Resource))
            })
            && any(&self.actions, &|w| {
                let lists = [
                    &p.permissions.allow,
                    &p.permissions.except,
                    &p.permissions.deny,
                ];
                lists
                    .iter()
                    .flat_map(|l| l.iter())
                    .any(|a| action_names(&a.action, w))
            })
    }
}

/// Whether a stored URN pattern names `urn`.
fn names(pattern: &str, urn: &str, family: UrnFamily) -> bool {
    pattern == urn || UrnPattern::parse(pattern, family).is_ok_and(|p| p.matches(urn))
}

fn action_names(pattern: &str, action: &str) -> bool {
    pattern == action || ActionPattern::parse(pattern).is_ok_and(|p| p.matches(action))
}

pub async fn list(
    ctx: &ServiceContext,
    actor: &Actor,
    filter: &PolicyFilter,
    details: bool,
    page: &PageRequest,
) -> Result<Page<PolicyView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let policies = ctx.store.list_policies(&actor.principal.account).await?;
    let kept = policies.into_iter().filter(|p| filter.accepts(p)).collect();
    let page = paginate(kept, |p: &Policy| created_key(p.created_at, p.id), page);
    let expansion = expansion(ctx, actor, details).await?;
    Ok(page.map(|p| expansion.view(p)))
}

/// For each identity URN, how many of the account's policies name it (exactly or through a
/// pattern): the console's "Associated policies" column.
pub async fn count_naming(
    ctx: &ServiceContext,
    actor: &Actor,
    identities: &[String],
) -> Result<Vec<usize>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let policies = ctx.store.list_policies(&actor.principal.account).await?;
    Ok(identities
        .iter()
        .map(|identity| {
            let filter = PolicyFilter {
                identities: vec![identity.clone()],
                ..PolicyFilter::default()
            };
            policies.iter().filter(|p| filter.accepts(p)).count()
        })
        .collect())
}

pub async fn get(
    ctx: &ServiceContext,
    actor: &Actor,
    id: Uuid,
    details: bool,
) -> Result<PolicyView> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let policy = ctx
        .store
        .get_policy(&actor.principal.account, id)
        .await
        .map_err(not_found(id))?;
    Ok(expansion(ctx, actor, details).await?.view(policy))
}

async fn expansion(ctx: &ServiceContext, actor: &Actor, details: bool) -> Result<Expansion> {
    if details {
        Expansion::load(ctx, actor).await
    } else {
        Ok(Expansion::none())
    }
}

pub async fn create(ctx: &ServiceContext, actor: &Actor, input: PolicyInput) -> Result<PolicyView> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate(ctx, actor, &input).await?;
    let now = ctx.clock.now_micros();
    // `updatedAt` equals `createdAt` until the first change (seed 004's examples).
    let policy = stored(input, Uuid::new_v4(), &actor.principal.account, now, now);
    let details = json!({"name": policy.name});
    permit
        .commit(
            Write::CreatePolicy(&policy),
            &policy.id.to_string(),
            details,
        )
        .await
        .map_err(conflict)?;
    Ok(Expansion::none().view(policy))
}

/// A full replace: everything but the id, the owner and the creation date.
pub async fn replace(
    ctx: &ServiceContext,
    actor: &Actor,
    id: Uuid,
    input: PolicyInput,
) -> Result<PolicyView> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    let account = &actor.principal.account;
    let current = ctx
        .store
        .get_policy(account, id)
        .await
        .map_err(not_found(id))?;
    refuse_read_only(&current, "edited")?;
    validate(ctx, actor, &input).await?;
    let now = ctx.clock.now_micros();
    let policy = stored(input, id, account, current.created_at, now);
    let details = json!({"name": policy.name});
    permit
        .commit(Write::ReplacePolicy(&policy), &id.to_string(), details)
        .await
        .map_err(conflict)?;
    Ok(Expansion::none().view(policy))
}

pub async fn delete(ctx: &ServiceContext, actor: &Actor, id: Uuid) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    let account = &actor.principal.account;
    let current = ctx
        .store
        .get_policy(account, id)
        .await
        .map_err(not_found(id))?;
    refuse_read_only(&current, "deleted")?;
    let details = json!({"name": current.name});
    permit
        .commit(
            Write::DeletePolicy { account, id },
            &id.to_string(),
            details,
        )
        .await
        .map_err(not_found(id))?;
    Ok(())
}

fn refuse_read_only(policy: &Policy, verb: &str) -> Result<()> {
    if !policy.read_only {
        return Ok(());
    }
    Err(ServiceError::Forbidden(format!(
        "policy {} ({}) is read-only: it is managed by the system and cannot be {verb}",
        policy.name, policy.id
    )))
}

/// Everything iam-core checks, then what only the account knows: the permissions groups
/// a policy references must exist (built-in, or the account's own).
async fn validate(ctx: &ServiceContext, actor: &Actor, input: &PolicyInput) -> Result<()> {
    input.compile(NameRules::User)?;
    refuse_nul("description", input.description.as_deref())?;
    if input.permissions_groups.is_empty() {
        return Ok(());
    }
    let plate = actor.principal.plate;
    let mut known: Vec<String> = builtin_permissions_groups(plate)
        .into_iter()
        .map(|g| g.urn)
        .collect();
    let own = ctx
        .store
        .list_permissions_groups(&actor.principal.account)
        .await?;
    known.extend(own.into_iter().map(|g| g.urn));
    for (i, group) in input.permissions_groups.iter().enumerate() {
        let canonical =
            Urn::parse_as(&group.urn, UrnFamily::PermissionsGroup).map(|u| u.to_string());
        if !canonical.is_ok_and(|c| known.contains(&c)) {
            return Err(ServiceError::invalid_code(
                "INVALID_PERMISSIONS_GROUP_URN",
                format!(
                    "field \"permissionsGroups[{i}].urn\": permissions group {:?} does not exist",
                    group.urn
                ),
            ));
        }
    }
    Ok(())
}

/// Free text goes into TEXT columns, where PostgreSQL refuses NUL characters.
pub fn refuse_nul(field: &str, text: Option<&str>) -> Result<()> {
    match text {
        Some(t) if t.contains('\0') => Err(ServiceError::invalid_code(
            "INVALID_DESCRIPTION",
            format!("field \"{field}\": NUL characters are not allowed"),
        )),
        _ => Ok(()),
    }
}

fn stored(
    input: PolicyInput,
    id: Uuid,
    owner: &str,
    created_at: chrono::DateTime<Utc>,
    updated_at: chrono::DateTime<Utc>,
) -> Policy {
    Policy {
        id,
        name: input.name,
        description: input.description,
        identities: input.identities,
        resources: input.resources,
        permissions: input.permissions,
        permissions_groups: input.permissions_groups,
        conditions: input.conditions,
        expired_at: input.expired_at,
        read_only: false,
        owner: owner.to_owned(),
        created_at,
        updated_at: Some(updated_at),
    }
}

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(message) => ServiceError::Conflict(message),
        other => other.into(),
    }
}

fn not_found(id: Uuid) -> impl FnOnce(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("policy {id}")),
        other => other.into(),
    }
}

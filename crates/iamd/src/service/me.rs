//! `/me`: the account's details in the shape of the reference's `nichandle.Nichandle`, and
//! their edition (`PUT /me`, the editable fields only: `profile.rs`). iamd keeps no billing
//! data: what an account never set is `null`, or its plate's default.

use std::collections::BTreeMap;

use iam_core::urn::Plate;
use iam_store::{StoreError, Write};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;
use crate::service::profile::{self, Change};

pub const ACTION_GET: &str = "account:apiovh:me/get";
pub const ACTION_EDIT: &str = "account:apiovh:me/edit";

/// Compare-and-set attempts before a `PUT /me` gives up on concurrent edits.
const ATTEMPTS: usize = 3;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Nichandle {
    pub nichandle: String,
    pub email: String,
    pub state: &'static str,
    pub currency: Currency,
    pub ovh_company: &'static str,
    pub ovh_subsidiary: &'static str,
    pub customer_code: Option<String>,
    pub kyc_validated: Option<bool>,
    /// Every editable field (`profile::editable_fields`): what the account set with
    /// `PUT /me`, else the plate's default (`country`, `language`, `legalform`) or `null`.
    #[serde(flatten)]
    pub details: BTreeMap<&'static str, Option<String>>,
}

#[derive(Debug, Serialize)]
pub struct Currency {
    pub code: &'static str,
    pub symbol: &'static str,
}

pub async fn details(ctx: &ServiceContext, actor: &Actor) -> Result<Nichandle> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let account = ctx.store.get_account(&actor.principal.account).await?;
    let stored = ctx.store.account_profile(&account.nic).await?;
    Ok(nichandle(account.nic, actor.principal.plate, &stored))
}

/// Applies a `PUT /me` body: every field is checked first, then the changes are written in
/// one compare-and-set, so that concurrent edits of different fields both land.
pub async fn edit(ctx: &ServiceContext, actor: &Actor, body: Map<String, Value>) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    let account = &actor.principal.account;
    let changes = profile::changes(&body, account)?;
    for _ in 0..ATTEMPTS {
        let current = ctx.store.account_profile(account).await?;
        let next = profile::apply(&current, &changes);
        let write = Write::SetAccountProfile {
            nic: account,
            expected: &current,
            profile: &next,
        };
        match permit.commit(write, account, audit_details(&changes)).await {
            Err(StoreError::Conflict(_)) => continue,
            other => other?,
        };
        return Ok(());
    }
    Err(ServiceError::Conflict(
        "the account's details are being edited concurrently: retry".into(),
    ))
}

/// The audit line names the fields changed, not their values (personal data).
fn audit_details(changes: &[Change]) -> Value {
    let fields: Vec<&str> = changes.iter().map(|(f, _)| f.as_str()).collect();
    json!({ "fields": fields })
}

fn nichandle(nic: String, plate: Plate, stored: &Value) -> Nichandle {
    let (country, subsidiary, currency, language) = locale(plate);
    let defaults = [
        ("country", country),
        ("language", language),
        ("legalform", "other"),
    ];
    let details = profile::editable_fields()
        .map(|field| {
            let set = stored.get(field).and_then(Value::as_str).map(str::to_owned);
            let default = defaults.iter().find(|(f, _)| *f == field);
            (field, set.or_else(|| default.map(|(_, v)| (*v).to_owned())))
        })
        .collect();
    Nichandle {
        nichandle: nic,
        email: String::new(),
        state: "complete",
        currency,
        ovh_company: "ovh",
        ovh_subsidiary: subsidiary,
        customer_code: None,
        kyc_validated: None,
        details,
    }
}

/// Locale facts follow the plate: the reference's enums have no "unknown" value.
fn locale(plate: Plate) -> (&'static str, &'static str, Currency, &'static str) {
    match plate {
        Plate::Ca => (
            "CA",
            "CA",
            Currency {
                code: "CAD",
                symbol: "CAD",
            },
            "en_CA",
        ),
        Plate::Us => (
            "US",
            "US",
            Currency {
                code: "USD",
                symbol: "USD",
            },
            "en_US",
        ),
        Plate::Eu => (
            "FR",
            "FR",
            Currency {
                code: "EUR",
                symbol: "EURO",
            },
            "en_GB",
        ),
    }
}

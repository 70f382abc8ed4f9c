//! `/me`: the account's details in the shape of the reference's `nichandle.Nichandle`.
//! iamd keeps no billing or postal data, so those fields are present and `null`.

use iam_core::urn::Plate;
use serde::Serialize;

use crate::service::error::Result;
use crate::service::principal::Actor;
use crate::state::AppState;

pub const ACTION_GET: &str = "account:apiovh:me/get";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Nichandle {
    pub nichandle: String,
    pub email: String,
    pub state: &'static str,
    pub country: &'static str,
    pub currency: Currency,
    pub language: &'static str,
    pub legalform: &'static str,
    pub ovh_company: &'static str,
    pub ovh_subsidiary: &'static str,
    pub customer_code: Option<String>,
    pub kyc_validated: Option<bool>,
    pub name: Option<String>,
    pub firstname: Option<String>,
    pub organisation: Option<String>,
    pub address: Option<String>,
    pub area: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub spare_email: Option<String>,
    pub vat: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Currency {
    pub code: &'static str,
    pub symbol: &'static str,
}

pub async fn details(state: &AppState, actor: &Actor) -> Result<Nichandle> {
    state
        .authorizer
        .require_on_account(state, actor, ACTION_GET)
        .await?;
    let account = state.store.get_account(&actor.principal.account).await?;
    Ok(nichandle(account.nic, actor.principal.plate))
}

fn nichandle(nic: String, plate: Plate) -> Nichandle {
    // Locale facts follow the plate: the reference's enums have no "unknown" value.
    let (country, subsidiary, currency, language) = match plate {
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
    };
    Nichandle {
        nichandle: nic,
        email: String::new(),
        state: "complete",
        country,
        currency,
        language,
        legalform: "other",
        ovh_company: "ovh",
        ovh_subsidiary: subsidiary,
        customer_code: None,
        kyc_validated: None,
        name: None,
        firstname: None,
        organisation: None,
        address: None,
        area: None,
        city: None,
        zip: None,
        phone: None,
        fax: None,
        spare_email: None,
        vat: None,
    }
}

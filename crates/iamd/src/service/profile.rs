//! The editable details of `/me`: the fields of the reference's `nichandle.Nichandle` that
//! are not read-only, the rules each follows (free text, or a value of the reference's
//! enum), and how a `PUT /me` body merges into the stored profile. Pure: no store, no HTTP.

use serde_json::{Map, Value};

use crate::service::error::{Result, ServiceError};

/// Longest free-text value, in characters.
pub const MAX_TEXT_LEN: usize = 512;

/// Free-text fields, all nullable.
pub const TEXT_FIELDS: &[&str] = &[
    "address",
    "area",
    "birthCity",
    "birthDay",
    "city",
    "companyNationalIdentificationNumber",
    "complementaryAddress",
    "corporationType",
    "fax",
    "firstname",
    "italianSDI",
    "name",
    "nationalIdentificationNumber",
    "organisation",
    "phone",
    "purposeOfPurchase",
    "spareEmail",
    "vat",
    "zip",
];

/// `nichandle.CountryEnum`.
const COUNTRIES: &str = "AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
    BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
    DE DG DJ DK DM DO DZ EA EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM \
    GN GP GQ GR GS GT GU GW GY HK HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG \
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN \
    MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK \
    PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST \
    SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM UNKNOWN US UY UZ VA \
    VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";
/// `nichandle.LanguageEnum`.
const LANGUAGES: &str = "cs_CZ de_DE en_AU en_CA en_GB en_IE en_US es_ES fi_FI fr_CA fr_FR fr_MA \
    fr_SN fr_TN it_IT lt_LT nl_NL pl_PL pt_PT";
/// `nichandle.LegalFormEnum`.
const LEGAL_FORMS: &str =
    "administration association corporation individual other personalcorporation";

/// An enumerated field: its allowed values, and whether `null` clears it.
struct EnumField {
    name: &'static str,
    values: &'static str,
    nullable: bool,
}

const ENUM_FIELDS: &[EnumField] = &[
    EnumField {
        name: "country",
        values: COUNTRIES,
        nullable: false,
    },
    EnumField {
        name: "language",
        values: LANGUAGES,
        nullable: true,
    },
    EnumField {
        name: "legalform",
        values: LEGAL_FORMS,
        nullable: false,
    },
    EnumField {
        name: "phoneCountry",
        values: COUNTRIES,
        nullable: true,
    },
    EnumField {
        name: "phoneType",
        values: "landline mobile",
        nullable: true,
    },
    EnumField {
        name: "sex",
        values: "female male",
        nullable: true,
    },
];

/// Read-only members: a client may send back what it read; they are ignored, except a
/// `nichandle` naming another account.
const READ_ONLY: &[&str] = &[
    "currency",
    "customerCode",
    "email",
    "kycValidated",
    "nichandle",
    "ovhCompany",
    "ovhSubsidiary",
    "state",
];

/// Every editable field's name: the text fields, then the enumerated ones.
pub fn editable_fields() -> impl Iterator<Item = &'static str> {
    TEXT_FIELDS
        .iter()
        .copied()
        .chain(ENUM_FIELDS.iter().map(|f| f.name))
}

/// One change: a field set to a value, or cleared (`None`).
pub type Change = (String, Option<String>);

/// The changes a `PUT /me` body asks for, every field checked; an absent field is kept.
pub fn changes(body: &Map<String, Value>, nic: &str) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    for (field, value) in body {
        if READ_ONLY.contains(&field.as_str()) {
            refuse_other_nichandle(field, value, nic)?;
        } else if TEXT_FIELDS.contains(&field.as_str()) {
            changes.push((field.clone(), text(field, value)?));
        } else if let Some(rule) = ENUM_FIELDS.iter().find(|f| f.name == field.as_str()) {
            changes.push((field.clone(), enumerated(rule, value)?));
        } else {
            return Err(unknown_field(field));
        }
    }
    Ok(changes)
}

/// Worded as the strict body reader words it for every other body: the field, then the
/// accepted ones (nichandle.Nichandle's editable members).
fn unknown_field(field: &str) -> ServiceError {
    let accepted: Vec<String> = editable_fields().map(|f| format!("`{f}`")).collect();
    ServiceError::invalid(format!(
        "field \"{field}\": unknown field `{field}`, expected one of {}",
        accepted.join(", ")
    ))
}

/// The stored profile with `changes` applied: a cleared field leaves the profile.
pub fn apply(current: &Value, changes: &[Change]) -> Value {
    let mut profile = current.as_object().cloned().unwrap_or_default();
    for (field, value) in changes {
        match value {
            Some(v) => profile.insert(field.clone(), Value::String(v.clone())),
            None => profile.remove(field),
        };
    }
    Value::Object(profile)
}

fn refuse_other_nichandle(field: &str, value: &Value, nic: &str) -> Result<()> {
    if field == "nichandle" && value.as_str().is_some_and(|v| v != nic) {
        return Err(ServiceError::invalid(
            "field \"nichandle\": read-only: it names the account and cannot change",
        ));
    }
    Ok(())
}

fn text(field: &str, value: &Value) -> Result<Option<String>> {
    let Some(text) = nullable_string(field, value)? else {
        return Ok(None);
    };
    if text.chars().count() > MAX_TEXT_LEN || text.chars().any(char::is_control) {
        return Err(ServiceError::invalid(format!(
            "field \"{field}\": at most {MAX_TEXT_LEN} characters, without control characters"
        )));
    }
    Ok(Some(text.to_owned()))
}

fn enumerated(rule: &EnumField, value: &Value) -> Result<Option<String>> {
    let field = rule.name;
    match nullable_string(field, value)? {
        None if rule.nullable => Ok(None),
        None => Err(ServiceError::invalid(format!(
            "field \"{field}\": cannot be null"
        ))),
        Some(v) if rule.values.split_whitespace().any(|allowed| allowed == v) => {
            Ok(Some(v.to_owned()))
        }
        Some(_) => Err(ServiceError::invalid(format!(
            "field \"{field}\": expected one of {}",
            rule.values
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn nullable_string<'v>(field: &str, value: &'v Value) -> Result<Option<&'v str>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(ServiceError::invalid(format!(
            "field \"{field}\": expected a string or null"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn text_and_enum_fields_are_checked() {
        let ok = changes(
            &body(json!({"city": "Roubaix", "fax": null, "country": "BE", "language": null})),
            "xx1111-ovh",
        )
        .unwrap();
        assert_eq!(ok.len(), 4);
        for bad in [
            json!({"country": "ZZ"}),
            json!({"country": null}),
            json!({"legalform": "pirate"}),
            json!({"city": 3}),
            json!({"city": "a\u{0}b"}),
            json!({"city": "x".repeat(MAX_TEXT_LEN + 1)}),
            json!({"unknown": "x"}),
            json!({"nichandle": "yy2222-ovh"}),
        ] {
            assert!(changes(&body(bad.clone()), "xx1111-ovh").is_err(), "{bad}");
        }
    }

    #[test]
    fn read_only_members_sent_back_are_ignored() {
        let read_back = json!({"nichandle": "xx1111-ovh", "state": "complete", "email": "",
            "currency": {"code": "EUR", "symbol": "EURO"}, "kycValidated": null});
        assert!(changes(&body(read_back), "xx1111-ovh").unwrap().is_empty());
    }

    #[test]
    fn apply_sets_and_clears() {
        let current = json!({"city": "Paris", "zip": "75001"});
        let next = apply(
            &current,
            &[
                ("city".into(), Some("Roubaix".into())),
                ("zip".into(), None),
            ],
        );
        assert_eq!(next, json!({"city": "Roubaix"}));
    }
}

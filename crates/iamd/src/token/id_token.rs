//! OpenStack id_tokens: the OIDC Core §2 ID Token the role adapter issues, signed with the
//! `id_token` keys (RS256 by default, ES256 selectable; never EdDSA, which mod_auth_openidc
//! 2.4 cannot verify). Besides the standard claims it carries the caller's OpenStack roles in
//! the shapes Keystone's federation mappings read (reference/openstack-oidc.md §2, §4).

use serde::{Deserialize, Serialize};

use crate::token::jwt::{self, JwtError};
use crate::token::keyring::KeyRing;
use crate::token::signing_key::Usage;

/// The claims of an id_token. Claim names avoid `:` and `/` (mod_auth_openidc turns them into
/// `-` in environment names) and values avoid `;` (its multi-value delimiter for Keystone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// The role adapter's issuer URL: what the Keystone identity provider's remote id names.
    pub iss: String,
    /// The service account's identity URN (the Keystone user name).
    pub sub: String,
    /// OIDC Core §2: the client id the token was issued to.
    pub aud: String,
    /// OIDC Core §2: the authorized party, the same client.
    pub azp: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The service account's name, for display.
    pub preferred_username: String,
    /// The account (NIC handle) the service account belongs to.
    pub account: String,
    /// The token's OpenStack roles, only when it is for exactly one project: a union over
    /// several projects would hand each project the roles of the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// The project `roles` are for, only when the token is for exactly one project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openstack_project: Option<String>,
    /// `<projectId>/<role>` for every project of the token: Keystone 22 maps them to groups of
    /// that name, each holding its role on its project only.
    pub project_roles: Vec<String>,
    /// `[{"name": <projectId>, "roles": [{"name": <role>}]}]` as a JSON *string*, for the
    /// `projects_json` rules of mapping schema 3.0 (Keystone ≥ 29); mod_auth_openidc 2.4
    /// drops arrays of objects, so it cannot be a JSON array.
    pub projects_json: String,
}

/// Signs `claims` with the active id_token key (its `kid`, the RFC 7638 thumbprint, is in the
/// header; the role adapter's JWKS publishes it).
pub fn sign(keys: &KeyRing, claims: &IdTokenClaims) -> Result<String, JwtError> {
    jwt::sign(keys, Usage::IdToken, claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::keyring::tests::ring_with;
    use crate::token::signing_key::{Algorithm, jwt_algorithm};

    fn claims() -> IdTokenClaims {
        IdTokenClaims {
            iss: "https://iam.example/role-adapter/urn:v1:eu:resource:publicCloudProject:pci"
                .into(),
            sub: "urn:v1:eu:identity:credential:xx1111-ovh/oauth2-EU.0123456789abcdef".into(),
            aud: "EU.0123456789abcdef".into(),
            azp: "EU.0123456789abcdef".into(),
            iat: 1,
            nbf: 1,
            exp: 3601,
            jti: "j".into(),
            preferred_username: "monitoring".into(),
            account: "xx1111-ovh".into(),
            roles: None,
            openstack_project: None,
            project_roles: vec!["p1/compute_read".into()],
            projects_json: r#"[{"name":"p1","roles":[{"name":"compute_read"}]}]"#.into(),
        }
    }

    #[test]
    fn signed_with_the_id_token_key_and_absent_claims_left_out() {
        for algorithm in [Algorithm::RS256, Algorithm::ES256] {
            let keys = ring_with(&[
                (Usage::AccessToken, Algorithm::EdDSA),
                (Usage::IdToken, algorithm),
            ]);
            let token = sign(&keys, &claims()).unwrap();
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.alg, jwt_algorithm(algorithm));
            let key = keys.active(Usage::IdToken).unwrap();
            assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
            let mut validation = jsonwebtoken::Validation::new(jwt_algorithm(algorithm));
            validation.set_audience(&["EU.0123456789abcdef"]);
            validation.validate_exp = false;
            let data =
                jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation)
                    .unwrap();
            assert!(data.claims.get("roles").is_none());
            assert!(data.claims.get("openstack_project").is_none());
            assert_eq!(data.claims["project_roles"][0], "p1/compute_read");
        }
    }
}

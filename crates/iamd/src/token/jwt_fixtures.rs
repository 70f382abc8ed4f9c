//! Test fixtures: signing keys and access tokens as iamd wrote them before it moved to
//! aws-lc-rs, when RustCrypto's `ed25519-dalek`, `p256` and `rsa` generated and encoded keys:
//! a data directory made by that build (`iamd serve`, then `iamd keys rotate` to ES256 and to
//! RS256, a token issued under each key), its keys decrypted with its master key. Each row:
//! algorithm, kid, the PKCS#8 DER that was sealed in the store (base64url), the stored public
//! JWK, and the access token that key signed. Throwaway keys; they protect nothing.

use crate::token::signing_key::Algorithm;

/// The issuer of those tokens (that server's default `public_url`).
pub const ISSUER: &str = "http://127.0.0.1:18555";
/// A moment at which every fixture token is valid (after the last `iat`, before any `exp`).
pub const VALID_AT: i64 = 1796405216;

pub const EARLIER: [(Algorithm, &str, &str, &str, &str); 3] = [
    (
        Algorithm::EdDSA,
        "_zPvSk6wHS-7V6OdJbgrfX83FH1WJTb80pNrzt0Lrq8",
        "MFECAQEwBQYDK2VwBCIEID_YnwGnjshAk9rvaM3QQYITMW-qPokGGhrZKUoN0Q3bgSEAsFtpCPkw_JJ6AVcTKKrIWlVp2gLuSWmKP1xBcds4xf0",
        r#"{"crv":"Ed25519","kty":"OKP","x":"sFtpCPkw_JJ6AVcTKKrIWlVp2gLuSWmKP1xBcds4xf0"}"#,
        "eyJhbGciOiJFZERTQSIsImtpZCI6Il96UHZTazZ3SFMtN1Y2T2RKYmdyZlg4M0ZIMVdKVGI4MHBOcnp0MExycTgiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjE4NTU1Iiwic3ViIjoidXJuOnYxOmV1OmlkZW50aXR5OmNyZWRlbnRpYWw6eHgxMTExLW92aC9vYXV0aDItRVUuZmVkYTg2OGYyODEyM2YwYiIsImFjY291bnQiOiJ4eDExMTEtb3ZoIiwiY2xpZW50X2lkIjoiRVUuZmVkYTg2OGYyODEyM2YwYiIsInNjb3BlIjoiYWxsIiwiaWF0IjoxNzk2NDA1MjA3LCJleHAiOjE3OTY0MDg4MDcsImp0aSI6Ijl6T0NWOVJXS1BVMUkyd09KUHhKV2cifQ.MVz-_sQXxZ1Lys19nlawe_cNoDEOd4bcfH1V6aiA_a4XIukh-Vo2Z2l98l8PZQ9zAYIfE86w3g3XxI5roR18Bw",
    ),
    (
        Algorithm::ES256,
        "g1a0LRbN0MtF65ZUrhEStuT0mvK3nxMMVS5I2xzZMUs",
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdZVf6C6wmaFIt5GvYV0BjanHe7pRYulzdqmXTFCkmVmhRANCAAQz3332QfNOOlcG6sFpGyS0kLCVRGbqmWCOLXtA5IRGxx7oiZhDwmwEigGwAYfiiXYMz6hYGegpL41pAHR05fR3",
        r#"{"crv":"P-256","kty":"EC","x":"M9999kHzTjpXBurBaRsktJCwlURm6plgji17QOSERsc","y":"HuiJmEPCbASKAbABh-KJdgzPqFgZ6CkvjWkAdHTl9Hc"}"#,
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImcxYTBMUmJOME10RjY1WlVyaEVTdHVUMG12SzNueE1NVlM1STJ4elpNVXMiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjE4NTU1Iiwic3ViIjoidXJuOnYxOmV1OmlkZW50aXR5OmNyZWRlbnRpYWw6eHgxMTExLW92aC9vYXV0aDItRVUuZmVkYTg2OGYyODEyM2YwYiIsImFjY291bnQiOiJ4eDExMTEtb3ZoIiwiY2xpZW50X2lkIjoiRVUuZmVkYTg2OGYyODEyM2YwYiIsInNjb3BlIjoiYWxsIiwiaWF0IjoxNzk2NDA1MjEwLCJleHAiOjE3OTY0MDg4MTAsImp0aSI6IjdvUGtrWnFfS0Q1RnVaVEtoYjRwRUEifQ.XyZgRR688WF3BzSCRqt6VQkqPkARJIrQ3uQ_RTq001OUnO_JT2aQdic63L68SXmaDw91GaE1rYg1UlCoH_TTMQ",
    ),
    (
        Algorithm::RS256,
        "weMKJiKMr3s02lRTtRj_YrBajwN_iEuYU7rh_VPd0dI",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDgE7nIXUUMkUGyv-HuhxF6YKbEG6EYVVgqyme6O55pCG9WO6-vZlcC-8GANXKlIUNg3svrZTZ_NsV5JyreN1O0qykT6Fojwo-YcOeYwiQMgT_7DWNo3EqGGRHi124XTzyQZ2Axxvdj6RotTyR4mBXFkFzTkD9scNFnLfToOIDB489ab5uzgNTZj3mL0RqRQJJY7zzgz7j5GtT4oRsg7FnS0HlT8UW4XKO825yXMIS3Qoh0GS8RX8z3otgTQVi32Ek8GqPs5o2dPF2qv_T1EmYpnB9IZuWYeA_kIqu3w1F8hI8alETx3oSYF2YX0oWKjbawKUjwkZ0RSPGKc5M6OB-LAgMBAAECggEARaWb7y0eUyOq-fYuMUeGJTV5YCb-UWPlfZdf2kDBof_fKzxuBOSYUvMRV9pFAhJusONPGqFg6PWLN3b3Gg60U8mHgQqNSeQlYcpmEdL2BXT-__dPWL5v43JTXuB69X_JYVDgU1h2eHVxj3ez7E_JJJkUYSXKsNf4HkvofW1ih-DD2K0MZhZE9oOp15i9YoCVH56mumzE8sWo89LOtEmdlVn5N51ZWozDvuUCNj74Zc9F-1Pd6FtlMd7_eHKaTheYoFk4zelCOQYEv7bXai4Jmc3t6Oivw33ePIj00mDHGpxi507uFyUit9Fmi1aZPczVkSj9zWWj1YYZ5NZcgjEW4QKBgQDg0PLLvJzoqsHU7bvTkedqH5pHts4ABqKCNSPmnKdQlUXvOC6XTpLPBB9XQRa1EgDVPezJQ8rPqUhDd-goLfGxKC_8FJ3xa3Vjs1faKtMePwcGzHkYdEWrwfEq1Wmz7MJ9YZzRASpB4YjNBYCi-EWeXcjfU2pP-iQPpttqk3JYeQKBgQD_KIfVR108bdWBfPKnczIm_WNBT0Nbmfy2ew2S72QaxcDZXUFTDHxcdHWTysM88qbFQEEkxqdLG63i2-tXFkfu0cNhWiFY-tqvZOzNo0t5Yk5ra0g0F5VtLVacXXdhv3iBU2XtxMcjgjMGzTwJEr7kF2Czu2xObt21FjAbrMJ_IwKBgQCpLBLIRTI90uDw_cQtPMnLDeTmuiTh2BxJpvtQ-ejdtrZdgQVuTm4i4ZND8XLI5rdBv8uC2ESxZ009l-lW8tvA1-Dj7A--L4Kyd65QOZGMXRlIgG1PfY8_5D06YkWcYzknaGC81geac8ChptZZzEF3HlOd2gNSE4U3UfQiirms4QKBgHwpqeekIX-tZs7rEV1glhAZD3qRapKhnTLjMFjG-yx3_H8JfSc_lSicVzbC3TzES1kDCnAt5uyKnJQfNicbpYdWNcAizsVw1IezEfSDOM_pgYWOIAWRUFpfTJ0sclJzjN1Jyvjn34us6M2vgz5bC98MbTcoxexo0KQ1FtXwvHiHAoGAMOt_1yetfXgNgoDtaGGrNrBLxb_RXMvWzF5-9V7YIuTkpZ1jl4QStlJ_VLCGvS1kvatNMMzruQBOwjFyCgVZtU3gaiyQ60zEZUEQUDzfbee5DsVTQUo-6lzLn6RNlxHE733Q5uX1fjoheJlNj0YOYw_O2jyCKWdjFBFvrROOX4g",
        r#"{"e":"AQAB","kty":"RSA","n":"4BO5yF1FDJFBsr_h7ocRemCmxBuhGFVYKspnujueaQhvVjuvr2ZXAvvBgDVypSFDYN7L62U2fzbFeScq3jdTtKspE-haI8KPmHDnmMIkDIE_-w1jaNxKhhkR4tduF088kGdgMcb3Y-kaLU8keJgVxZBc05A_bHDRZy306DiAwePPWm-bs4DU2Y95i9EakUCSWO884M-4-RrU-KEbIOxZ0tB5U_FFuFyjvNuclzCEt0KIdBkvEV_M96LYE0FYt9hJPBqj7OaNnTxdqr_09RJmKZwfSGblmHgP5CKrt8NRfISPGpRE8d6EmBdmF9KFio22sClI8JGdEUjxinOTOjgfiw"}"#,
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IndlTUtKaUtNcjNzMDJsUlR0UmpfWXJCYWp3Tl9pRXVZVTdyaF9WUGQwZEkiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjE4NTU1Iiwic3ViIjoidXJuOnYxOmV1OmlkZW50aXR5OmNyZWRlbnRpYWw6eHgxMTExLW92aC9vYXV0aDItRVUuZmVkYTg2OGYyODEyM2YwYiIsImFjY291bnQiOiJ4eDExMTEtb3ZoIiwiY2xpZW50X2lkIjoiRVUuZmVkYTg2OGYyODEyM2YwYiIsInNjb3BlIjoiYWxsIiwiaWF0IjoxNzk2NDA1MjE1LCJleHAiOjE3OTY0MDg4MTUsImp0aSI6ImFmSXd0SkNxS19mRGJuT2tXVHBxVkEifQ.fpOOoRPFf3x_-sn5XWDXIAoD1zaAJ2GNXvAGTd0sJobrE5xsjfaQJSjiv-L93o9F0dzk1XxLehF50jH856uSCVWVVFuzTFgE1hQTE2Hjz8ZA5jrecw_4v2V8LFdP__2aApM3A3GXfXFOX9haFGPEkQuMGLp7PCWyQeVKjcXwA6slfRI5IsHMVosb7XYRLLG0nra-CiUulKypwBTsF1ZwEt0zXavRYAbtis_ZLo5VonvMd6LOn7PjzLaTc8inJ0FN9G32qRUIrCRI__O9rafBEr53yYyE01JLnSDfr-x34VJOLf66j-AkN_K7WGSEAXX3s3pRjnjz-f52P8N5KB1uNQ",
    ),
];

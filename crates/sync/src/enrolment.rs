//! The JSON bodies of `POST /v1/enroll`, shared by the device that sends the
//! request and the hub that answers it, so the two cannot drift apart.
//!
//! With the `openapi` feature (the hub's) they also describe themselves to
//! utoipa; the descriptions below are what `docs/openapi.json` says.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A device exchanging a one-time enrolment code for a bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollRequest {
    /// The one-time code the hub admin issued (`gridline hub enroll`), e.g.
    /// `ABCD-EFGH-JKLM`: 12 characters of ABCDEFGHJKLMNPQRSTUVWXYZ23456789;
    /// case, spaces and dashes are ignored.
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "ABCD-EFGH-JKLM",
            pattern = "^[ -]*([A-HJ-NP-Za-hj-np-z2-9][ -]*){12}$"
        )
    )]
    pub code: String,
    /// The device's id: not blank, at most 64 bytes of UTF-8; once per device.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"\S", example = "dev-6f1c")
    )]
    pub device_id: String,
    /// The device's Automerge actor id: 1 to 32 bytes, hex; once per device.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^([0-9a-fA-F]{2}){1,32}$",
            example = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
        )
    )]
    pub actor: String,
}

/// The device's bearer token and the user, role and scope it is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    /// Bearer token for `/v1/sync`; the hub keeps only its hash.
    pub token: String,
    pub user_id: String,
    pub user_name: String,
    /// Role key: `grid-worker`, `joint-leader`, `community-staff`,
    /// `street-staff` or `department`.
    #[cfg_attr(feature = "openapi", schema(example = "grid-worker"))]
    pub role: String,
    /// Scope, e.g. `grids:522701001001001`.
    pub scope: String,
    /// The hub's Automerge actor id, hex: the only actor whose wish grants count.
    pub hub_actor: String,
    /// What people call the street's grids and communities, by code: the
    /// 15-digit grid and 12-digit community codes to their names, so the
    /// device shows 第1网格 where it would show 522701001001001. Optional:
    /// hubs before it send none, and a device then shows the codes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(example = json!({"522701001001001": "第1网格", "522701001001": "社区001"}))
    )]
    pub place_names: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field names are the protocol: a rename would break every device
    /// or hub of the other version.
    #[test]
    fn the_json_is_the_documented_one() {
        let req = EnrollRequest {
            code: "LJAX-2ANN-K845".into(),
            device_id: "d".into(),
            actor: "f9".into(),
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"code":"LJAX-2ANN-K845","device_id":"d","actor":"f9"}"#,
            "the request's keys are those of docs/sync-protocol.md"
        );
        let resp: EnrollResponse = serde_json::from_str(
            r#"{"token":"t","user_id":"gw-1","user_name":"张伟","role":"grid-worker",
                "scope":"grids:522701001001001","hub_actor":"29ae"}"#,
        )
        .unwrap();
        assert_eq!(resp.user_name, "张伟", "the documented response decodes");
        assert!(
            resp.place_names.is_empty(),
            "an older hub's response, without place names, still decodes"
        );
        let named: EnrollResponse = serde_json::from_str(
            r#"{"token":"t","user_id":"gw-1","user_name":"张伟","role":"grid-worker",
                "scope":"grids:522701001001001","hub_actor":"29ae",
                "place_names":{"522701001001001":"第1网格","522701001001":"社区001"}}"#,
        )
        .unwrap();
        assert_eq!(
            named.place_names.get("522701001001001").map(String::as_str),
            Some("第1网格"),
            "place names are keyed by code"
        );
    }
}

//! `/connections`: list, disconnect, and 403 for a tenant that is not connected.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

use crate::common::*;

#[tokio::test]
async fn list_delete_and_forbidden_tenant() {
    let app = connect(auto_approve()).await;
    let connections: Value = app
        .http
        .get(app.sim.connections_url())
        .bearer_auth(&app.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = connections.as_array().unwrap();
    assert_eq!(list.len(), 3);
    for connection in list {
        assert_eq!(connection["tenantType"], "ORGANISATION");
        for field in [
            "id",
            "authEventId",
            "tenantId",
            "tenantName",
            "createdDateUtc",
            "updatedDateUtc",
        ] {
            assert!(connection[field].is_string(), "{field}");
        }
    }
    let northwind = list
        .iter()
        .find(|c| c["tenantId"] == NORTHWIND.to_string())
        .unwrap();
    assert_eq!(northwind["tenantName"], "Northwind Advisory Ltd");

    assert_eq!(
        app.api_for(NORTHWIND, Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let deleted = app
        .http
        .delete(format!(
            "{}/{}",
            app.sim.connections_url(),
            northwind["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let response = app
        .api_for(NORTHWIND, Method::GET, "/Organisation")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Title"], "Forbidden");
    assert_eq!(
        app.api_for(DEMO, Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.api_for(Uuid::new_v4(), Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let missing_tenant = app
        .http
        .get(format!("{}/Organisation", app.sim.api_url()))
        .bearer_auth(&app.access)
        .send()
        .await
        .unwrap();
    assert_eq!(missing_tenant.status(), StatusCode::FORBIDDEN);
    let no_token = app
        .http
        .get(app.sim.connections_url())
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
}

//! Authorization code + PKCE, refresh rotation, expiry, revocation, consent page.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use xero_sim::SimConfig;

use crate::common::*;

async fn oauth_error(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    body["error"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn code_exchange_with_the_right_verifier_issues_working_tokens() {
    let sim = xero_sim::start(auto_approve()).await.unwrap();
    let (verifier, challenge) = pkce();
    let code = authorize(&sim, &challenge).await;
    let response = exchange(&sim, &code, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 1800);
    assert_eq!(tokens["scope"], SCOPES);
    assert!(tokens["refresh_token"].as_str().unwrap().len() > 20);
    assert_eq!(tokens["id_token"].as_str().unwrap().split('.').count(), 3);

    let organisation = reqwest::Client::new()
        .get(format!("{}/Organisation", sim.api_url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .header("xero-tenant-id", DEMO.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(organisation.status(), StatusCode::OK);
    let body: Value = organisation.json().await.unwrap();
    assert_eq!(body["Organisations"][0]["Name"], "Demo Company (AU)");
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_verifier_and_reused_code_are_invalid_grant() {
    let sim = xero_sim::start(auto_approve()).await.unwrap();
    let (verifier, challenge) = pkce();
    let code = authorize(&sim, &challenge).await;
    assert_eq!(
        oauth_error(exchange(&sim, &code, "not-the-verifier").await).await,
        "invalid_grant"
    );
    // The failed attempt burned the code.
    assert_eq!(
        oauth_error(exchange(&sim, &code, &verifier).await).await,
        "invalid_grant"
    );

    let code = authorize(&sim, &challenge).await;
    assert_eq!(
        exchange(&sim, &code, &verifier).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        oauth_error(exchange(&sim, &code, &verifier).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn authorize_refuses_unknown_clients_and_foreign_redirects() {
    let sim = xero_sim::start(auto_approve()).await.unwrap();
    let (_, challenge) = pkce();
    let http = no_redirects();
    let mut query = authorize_query(&sim, &challenge);
    query[1].1 = "SOMEONE-ELSE";
    let response = http
        .get(sim.authorize_url())
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let mut query = authorize_query(&sim, &challenge);
    query[2].1 = "https://evil.example.com/callback";
    let response = http
        .get(sim.authorize_url())
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Matched exactly against the registered list: another port, host, path or a trailing
    // slash is refused, even on loopback.
    for unregistered in [
        "http://localhost:9999/callback",
        "http://127.0.0.1:53682/callback",
        "http://localhost:53682/callback/",
        "http://localhost:53682/Callback",
        "https://localhost:53682/callback",
    ] {
        let mut query = authorize_query(&sim, &challenge);
        query[2].1 = unregistered;
        let response = http
            .get(sim.authorize_url())
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{unregistered}");
    }
    for registered in [
        "http://localhost:53683/callback",
        "http://localhost:53684/callback",
    ] {
        let mut query = authorize_query(&sim, &challenge);
        query[2].1 = registered;
        let response = http
            .get(sim.authorize_url())
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{registered}");
    }
    // Registering one more URI (as at developer.xero.com) makes it usable.
    sim.register_redirect_uri("http://localhost:9999/callback");
    let mut query = authorize_query(&sim, &challenge);
    query[2].1 = "http://localhost:9999/callback";
    let response = http
        .get(sim.authorize_url())
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn previous_refresh_token_works_inside_the_grace_window_only() {
    let app = connect(SimConfig {
        refresh_grace: Duration::from_millis(400),
        ..auto_approve()
    })
    .await;
    let first = refresh(&app.sim, &app.refresh).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    let rotated = first["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rotated, app.refresh);

    // A client that lost the reply retries with the old token: still fine within the grace.
    assert_eq!(
        refresh(&app.sim, &app.refresh).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        oauth_error(refresh(&app.sim, &app.refresh).await).await,
        "invalid_grant"
    );
    // The new one is unaffected.
    let again: Value = refresh(&app.sim, &rotated).await.json().await.unwrap();
    assert!(again["access_token"].is_string());
}

#[tokio::test]
async fn expired_access_token_is_401() {
    let app = connect(SimConfig {
        access_token_ttl: Duration::from_millis(300),
        ..auto_approve()
    })
    .await;
    assert_eq!(
        app.api(Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let response = app.api(Method::GET, "/Organisation").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Title"], "Unauthorized");
    assert_eq!(body["Detail"], "AuthenticationUnsuccessful");
    // A refresh gets a new working access token.
    let tokens: Value = refresh(&app.sim, &app.refresh).await.json().await.unwrap();
    let response = app
        .http
        .get(format!("{}/Organisation", app.sim.api_url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .header("xero-tenant-id", DEMO.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn revocation_ends_the_refresh_token_and_its_access_tokens() {
    let app = connect(auto_approve()).await;
    let response = app
        .http
        .post(app.sim.revocation_url())
        .form(&[
            ("token", app.refresh.as_str()),
            ("client_id", app.sim.client_id()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        oauth_error(refresh(&app.sim, &app.refresh).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn admin_revoke_ends_every_token() {
    let app = connect(auto_approve()).await;
    app.admin(Method::POST, "/revoke").send().await.unwrap();
    assert_eq!(
        app.api(Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        oauth_error(refresh(&app.sim, &app.refresh).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn consent_page_grants_only_the_chosen_organisations() {
    let sim = xero_sim::start(SimConfig::default()).await.unwrap();
    let (verifier, challenge) = pkce();
    let http = no_redirects();
    let page = http
        .get(sim.authorize_url())
        .query(&authorize_query(&sim, &challenge))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Allow access") && html.contains("Northwind Advisory Ltd"));

    let mut form: Vec<(&str, String)> = authorize_query(&sim, &challenge)
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    form.push(("tenant", HARBOUR.to_string()));
    form.push(("action", "allow".into()));
    let allowed = http
        .post(format!("{}/consent", sim.authorize_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let params = redirect_params(&allowed);
    let code = param(&params, "code").unwrap();
    let tokens: Value = exchange(&sim, &code, &verifier).await.json().await.unwrap();
    let connections: Value = http
        .get(sim.connections_url())
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(connections.as_array().unwrap().len(), 1);
    assert_eq!(connections[0]["tenantName"], "Harbour Bookkeeping Pty Ltd");

    form.pop();
    form.push(("action", "cancel".into()));
    let cancelled = http
        .post(format!("{}/consent", sim.authorize_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let params = redirect_params(&cancelled);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
}

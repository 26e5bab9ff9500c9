//! Helpers: start a simulator, run the OAuth flow, call the API.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;
use uuid::Uuid;
use xero_sim::{SimConfig, SimHandle};

pub const DEMO: Uuid = xero_sim::seed::DEMO_COMPANY_AU;
pub const HARBOUR: Uuid = xero_sim::seed::HARBOUR_BOOKKEEPING;
pub const NORTHWIND: Uuid = xero_sim::seed::NORTHWIND_ADVISORY;
pub const REDIRECT: &str = "http://localhost:53682/callback";
pub const SCOPES: &str = "openid profile email offline_access accounting.contacts accounting.invoices accounting.settings.read";

pub fn auto_approve() -> SimConfig {
    SimConfig {
        auto_approve: true,
        ..SimConfig::default()
    }
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// (verifier, S256 challenge)
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "verifier-{}-{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub fn authorize_query<'a>(sim: &'a SimHandle, challenge: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", sim.client_id()),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPES),
        ("state", "state-123"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// The query of a redirect's `Location`.
pub fn redirect_params(response: &Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// Auto-approve authorize: returns the code.
pub async fn authorize(sim: &SimHandle, challenge: &str) -> String {
    let response = no_redirects()
        .get(sim.authorize_url())
        .query(&authorize_query(sim, challenge))
        .send()
        .await
        .unwrap();
    let params = redirect_params(&response);
    assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
    param(&params, "code").expect("code")
}

pub async fn exchange(sim: &SimHandle, code: &str, verifier: &str) -> Response {
    reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", sim.client_id()),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn refresh(sim: &SimHandle, refresh_token: &str) -> Response {
    reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", sim.client_id()),
        ])
        .send()
        .await
        .unwrap()
}

/// A connected app: a running simulator and a token for all seeded organisations.
pub struct App {
    pub sim: SimHandle,
    pub http: reqwest::Client,
    pub access: String,
    pub refresh: String,
    pub tenant: Uuid,
}

pub async fn connect(config: SimConfig) -> App {
    connect_with_scopes(config, SCOPES).await
}

/// A connected app whose user granted only `scopes`.
pub async fn connect_with_scopes(config: SimConfig, scopes: &str) -> App {
    let sim = xero_sim::start(config).await.unwrap();
    let (verifier, challenge) = pkce();
    let mut query = authorize_query(&sim, &challenge);
    query[3].1 = scopes;
    let response = no_redirects()
        .get(sim.authorize_url())
        .query(&query)
        .send()
        .await
        .unwrap();
    let code = param(&redirect_params(&response), "code").expect("code");
    let tokens: Value = exchange(&sim, &code, &verifier).await.json().await.unwrap();
    App {
        access: tokens["access_token"].as_str().unwrap().to_string(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_string(),
        sim,
        http: reqwest::Client::new(),
        tenant: DEMO,
    }
}

impl App {
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.api_for(self.tenant, method, path)
    }

    pub fn api_for(&self, tenant: Uuid, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.sim.api_url(), path))
            .bearer_auth(&self.access)
            .header("xero-tenant-id", tenant.to_string())
            .header("Accept", "application/json")
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self.api(Method::GET, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.sim.admin_url(), path))
    }

    pub async fn stats(&self) -> Value {
        self.admin(Method::GET, "/stats")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn fault(&self, body: Value) {
        let response = self
            .admin(Method::POST, "/faults")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// Milliseconds in `/Date(1573755038314+0000)/`.
pub fn ms(date: &Value) -> i64 {
    let text = date.as_str().unwrap();
    let inner = text
        .strip_prefix("/Date(")
        .unwrap()
        .strip_suffix(")/")
        .unwrap();
    inner.split('+').next().unwrap().parse().unwrap()
}

pub fn names(body: &Value, collection: &str, field: &str) -> Vec<String> {
    body[collection]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_string())
        .collect()
}

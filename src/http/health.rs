//! `/healthz`: the process answers. `/readyz`: the database answers too.

use std::time::Duration;

use axum::{extract::State, Json};
use serde_json::{json, Value};

use super::AppState;
use crate::error::AppError;

pub async fn live() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => Ok(Json(json!({
            "status": "ready",
            "search": {"ready": state.search.applied_change().is_some(), "applied_change": state.search.applied_change()},
        }))),
        Ok(Err(err)) => Err(AppError::from(err)),
        Err(_) => Err(AppError::DatabaseUnavailable(sqlx::Error::PoolTimedOut)),
    }
}

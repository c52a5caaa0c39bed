//! A person's own account: details, password, closing it, API tokens.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::{
    auth::secret,
    domain::{
        account::User,
        subject::{AuditAction, AuditDetails, AuditRecord},
        Lang,
    },
    error::{AppError, AppResult},
    store::{audit::audit, Store},
};

#[derive(Debug, Clone, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A profile's editable details.
pub struct ProfileChange<'a> {
    pub display_name: &'a str,
    pub organisation: &'a str,
    pub region: Option<&'a str>,
    pub language: Lang,
    /// A new handle, checked already; None keeps the one there is.
    pub handle: Option<&'a str>,
}

impl Store {
    /// Saves the profile; false (and nothing saved) when the new handle is someone else's.
    pub async fn update_profile(&self, user: &User, change: &ProfileChange<'_>) -> AppResult<bool> {
        let mut tx = self.pool.begin().await?;
        let saved = sqlx::query(
            "update users set display_name = $2, organisation = $3, region_id = (select id from regions where slug = $4),
                    language = $5, handle = coalesce($6, handle)
             where id = $1",
        )
        .bind(user.id)
        .bind(change.display_name)
        .bind(change.organisation)
        .bind(change.region)
        .bind(change.language.code())
        .bind(change.handle)
        .execute(&mut *tx)
        .await;
        match saved {
            // Two people taking the same handle at once: the unique index decides.
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => return Ok(false),
            other => other?,
        };
        audit(&mut tx, AuditRecord::new(Some(user.id), AuditAction::ProfileUpdated).on_account(user.id)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The stored hash of an active account's password.
    pub async fn password_hash(&self, user_id: i64) -> AppResult<Option<String>> {
        Ok(sqlx::query_scalar("select password_hash from users where id = $1 and closed_at is null")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }

    /// Sets a new password and ends every other session (the epoch moves). Returns the
    /// account as it now is, to renew the caller's own session.
    pub async fn change_password(&self, user: &User, hash: &str) -> AppResult<User> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("update users set password_hash = $2, session_epoch = session_epoch + 1 where id = $1")
            .bind(user.id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, AuditRecord::new(Some(user.id), AuditAction::PasswordChanged).on_account(user.id)).await?;
        tx.commit().await?;
        self.active_user(user.id).await?.ok_or(AppError::NotFound)
    }

    /// Closes an account: the personal data goes, the row stays so that revisions and the
    /// audit log still point somewhere. Its sessions and tokens end.
    pub async fn close_account(&self, user: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "update users set email = null, password_hash = null, display_name = '', handle = null, organisation = '',
                    region_id = null, closed_at = now(), session_epoch = session_epoch + 1
             where id = $1",
        )
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from api_tokens where user_id = $1").bind(user.id).execute(&mut *tx).await?;
        for sql in [
            "delete from editor_regions where user_id = $1",
            "delete from follows where user_id = $1",
            "delete from notifications where user_id = $1",
            "delete from feed_tokens where user_id = $1",
        ] {
            sqlx::query(sql).bind(user.id).execute(&mut *tx).await?;
        }
        audit(&mut tx, AuditRecord::new(Some(user.id), AuditAction::AccountClosed).on_account(user.id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new personal API token; the token itself is returned once and never stored.
    pub async fn create_token(&self, user: &User, name: &str) -> AppResult<String> {
        let token = secret::generate("ayni_");
        let mut tx = self.pool.begin().await?;
        sqlx::query("insert into api_tokens (user_id, name, token_hash) values ($1, $2, $3)")
            .bind(user.id)
            .bind(name)
            .bind(secret::digest(&token))
            .execute(&mut *tx)
            .await?;
        let details = AuditDetails { token: Some(name.to_string()), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(user.id), AuditAction::TokenCreated).on_account(user.id).with(details))
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn tokens(&self, user: &User) -> AppResult<Vec<ApiToken>> {
        Ok(sqlx::query_as(
            "select id, name, created_at, last_used_at from api_tokens
             where user_id = $1 and revoked_at is null order by created_at desc, id desc",
        )
        .bind(user.id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes one of `user`'s own tokens; 404 for anyone else's.
    pub async fn revoke_token(&self, user: &User, id: i64) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "update api_tokens set revoked_at = now() where id = $1 and user_id = $2 and revoked_at is null
             returning name",
        )
        .bind(id)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or(AppError::NotFound)?;
        let details = AuditDetails { token: Some(name), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(user.id), AuditAction::TokenRevoked).on_account(user.id).with(details))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

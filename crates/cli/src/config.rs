//! Configuration: defaults, then a TOML file, then `XIANGZHI_*` environment variables, then flags.

use anyhow::Context;
use serde::Deserialize;
use std::path::Path;
use xiangzhi_storage::crypto::DataKey;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path` or `postgres://user@host/db`.
    pub database_url: String,
    /// Address the server listens on.
    pub listen: String,
    /// Days the audit log is kept before `xiangzhi audit prune` may remove entries (at least 183).
    pub audit_retention_days: i64,
    /// File holding the data key (64 hex digits) that seals ID numbers and phones at rest;
    /// created with a new random key if missing. `XIANGZHI_DATA_KEY` (the key itself, e.g. from a
    /// secrets manager) takes precedence. Keep it apart from database backups.
    pub data_key_file: String,
    /// Where case notifications are posted (an SMS or messaging gateway); empty: not sent, only
    /// shown in the console.
    pub webhook_url: String,
    /// Signs each notification (HMAC-SHA256 of the body in `X-Xiangzhi-Signature`); optional.
    pub webhook_secret: String,
    /// Reverse proxies (addresses or ranges such as `10.0.0.0/8`) whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed; empty (the default): none, the peer is the client.
    pub trusted_proxies: Vec<String>,
    /// `auto` (the default: `Secure` cookies when the request came over HTTPS, as a trusted proxy
    /// says), `always`, or `never` (plain-HTTP development only).
    pub secure_cookies: String,
    /// File the server appends a signed audit checkpoint to every `audit_checkpoint_minutes`
    /// (JSON lines); empty: checkpoints are kept in the database only. Keep it apart (another
    /// machine, write-once storage) so a rewritten log can be detected.
    pub audit_checkpoint_file: String,
    pub audit_checkpoint_minutes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://./xiangzhi.db".into(),
            listen: "127.0.0.1:8080".into(),
            audit_retention_days: 365,
            data_key_file: "xiangzhi.key".into(),
            webhook_url: String::new(),
            webhook_secret: String::new(),
            trusted_proxies: Vec::new(),
            secure_cookies: "auto".into(),
            audit_checkpoint_file: String::new(),
            audit_checkpoint_minutes: 60,
        }
    }
}

impl Config {
    /// Loads `path` if given (or `./xiangzhi.toml` if present), then applies the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut cfg = match path {
            Some(p) => Self::from_file(p)?,
            None if Path::new("xiangzhi.toml").exists() => {
                Self::from_file(Path::new("xiangzhi.toml"))?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        if cfg.audit_retention_days < xiangzhi_storage::audit::MIN_RETENTION_DAYS {
            anyhow::bail!(
                "audit_retention_days = {}：审计日志至少保留{}天 / the audit log must be kept at least {} days",
                cfg.audit_retention_days,
                xiangzhi_storage::audit::MIN_RETENTION_DAYS,
                xiangzhi_storage::audit::MIN_RETENTION_DAYS
            );
        }
        Ok(cfg)
    }

    fn from_file(p: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(p).with_context(|| {
            format!("读取配置文件失败 / cannot read config file {}", p.display())
        })?;
        toml::from_str(&text)
            .with_context(|| format!("配置文件有误 / config file {} is not valid", p.display()))
    }

    /// Applies the `XIANGZHI_*` variables; a value that does not fit its setting is refused, naming
    /// the variable and why (a server must not start on a setting it quietly ignored).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = get("XIANGZHI_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("XIANGZHI_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("XIANGZHI_AUDIT_RETENTION_DAYS") {
            self.audit_retention_days = v.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "XIANGZHI_AUDIT_RETENTION_DAYS={v:?}：应为整数天数 / must be a whole number of days"
                )
            })?;
        }
        if let Some(v) = get("XIANGZHI_DATA_KEY_FILE") {
            self.data_key_file = v;
        }
        if let Some(v) = get("XIANGZHI_WEBHOOK_URL") {
            self.webhook_url = v;
        }
        if let Some(v) = get("XIANGZHI_WEBHOOK_SECRET") {
            self.webhook_secret = v;
        }
        if let Some(v) = get("XIANGZHI_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = get("XIANGZHI_SECURE_COOKIES") {
            self.secure_cookies = v;
        }
        if let Some(v) = get("XIANGZHI_AUDIT_CHECKPOINT_FILE") {
            self.audit_checkpoint_file = v;
        }
        if let Some(v) = get("XIANGZHI_AUDIT_CHECKPOINT_MINUTES") {
            self.audit_checkpoint_minutes = v.trim().parse().ok().filter(|m| *m > 0).ok_or_else(|| {
                anyhow::anyhow!(
                    "XIANGZHI_AUDIT_CHECKPOINT_MINUTES={v:?}：应为正整数分钟 / must be a positive whole number of minutes"
                )
            })?;
        }
        Ok(())
    }

    /// The web settings the server runs with.
    pub fn web(&self) -> anyhow::Result<xiangzhi_web::edge::WebConfig> {
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|p| {
                p.parse().map_err(|e| {
                    anyhow::anyhow!("trusted_proxies 有误 / invalid trusted_proxies: {e}")
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let secure_cookies = self
            .secure_cookies
            .parse()
            .map_err(|e| anyhow::anyhow!("secure_cookies 有误 / {e}"))?;
        Ok(xiangzhi_web::edge::WebConfig {
            trusted_proxies,
            secure_cookies,
        })
    }

    /// The data key: `XIANGZHI_DATA_KEY`, else the key file, else a new key written to the key
    /// file (readable by its owner only) with a warning to back it up.
    pub fn data_key(&self) -> anyhow::Result<DataKey> {
        if let Ok(hex) = std::env::var("XIANGZHI_DATA_KEY") {
            return DataKey::from_hex(&hex).map_err(|e| anyhow::anyhow!("XIANGZHI_DATA_KEY: {e}"));
        }
        let path = Path::new(&self.data_key_file);
        match std::fs::read_to_string(path) {
            Ok(text) => {
                DataKey::from_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = DataKey::generate();
                write_private(path, &format!("{}\n", key.to_hex())).with_context(|| {
                    format!(
                        "写入数据密钥失败 / cannot write the data key to {}",
                        path.display()
                    )
                })?;
                eprintln!(
                    "已生成新的数据密钥 {}（指纹 {}）：请另行备份，丢失后加密的身份证号码和电话无法恢复。\n\
                     generated a new data key in {} (fingerprint {}): back it up separately; without it the \
                     encrypted ID numbers and phones cannot be recovered.",
                    path.display(),
                    key.fingerprint(),
                    path.display(),
                    key.fingerprint()
                );
                Ok(key)
            }
            Err(e) => Err(e).with_context(|| {
                format!(
                    "读取数据密钥失败 / cannot read the data key {}",
                    path.display()
                )
            }),
        }
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env() {
        let mut c: Config =
            toml::from_str("database_url = \"postgres://x@h/db\"").unwrap_or_default();
        assert_eq!(c.database_url, "postgres://x@h/db");
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert!(c
            .apply_env(|k| (k == "XIANGZHI_LISTEN").then(|| "0.0.0.0:9000".to_string()))
            .is_ok());
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert!(toml::from_str::<Config>("databse_url = 1").is_err());
    }

    #[test]
    fn a_number_that_is_not_one_is_refused() {
        let mut c = Config::default();
        let e = c
            .apply_env(|k| (k == "XIANGZHI_AUDIT_RETENTION_DAYS").then(|| "a year".to_string()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("XIANGZHI_AUDIT_RETENTION_DAYS"), "{e}");
        assert!(c
            .apply_env(|k| (k == "XIANGZHI_AUDIT_CHECKPOINT_MINUTES").then(|| "0".to_string()))
            .is_err());
        assert!(c
            .apply_env(|k| (k == "XIANGZHI_AUDIT_RETENTION_DAYS").then(|| " 400 ".to_string()))
            .is_ok());
        assert_eq!(c.audit_retention_days, 400);
    }
}

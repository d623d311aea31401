//! `xiangzhi user`: accounts from the command line (whoever runs the server; every change audited).

use xiangzhi_storage::{Actor, Db};

#[derive(clap::Subcommand)]
pub enum UserAction {
    /// 创建账号 / create an account (password from XIANGZHI_PASSWORD or a prompt-free random one, printed once)
    Create {
        /// 登录名 / login
        #[arg(long)]
        login: String,
        /// 姓名 / display name
        #[arg(long)]
        name: String,
        /// 角色 / role: county_admin, township_officer, village_secretary, grid_worker, auditor, security_admin
        #[arg(long)]
        role: String,
        /// 管辖区划代码 / division the account is bound to
        #[arg(long)]
        division: String,
        /// 改为绑定到该区划内的网格（编号）/ bind to this grid (id) inside the division instead
        #[arg(long)]
        grid: Option<i64>,
    },
    /// 重置密码并解锁 / reset the password and unlock (password from XIANGZHI_PASSWORD or random, printed once)
    Reset {
        #[arg(long)]
        login: String,
    },
    /// 停用账号 / disable an account, ending its sessions and tokens
    Disable {
        #[arg(long)]
        login: String,
    },
    /// 列出账号 / list accounts
    List,
}

pub use xiangzhi::random_password;

pub fn chosen_password() -> (String, bool) {
    match std::env::var("XIANGZHI_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (random_password(), true),
    }
}

pub async fn user_command(db: &Db, action: UserAction) -> anyhow::Result<()> {
    let fail = |e: xiangzhi_storage::StoreError| -> anyhow::Error {
        match e {
            xiangzhi_storage::StoreError::Invalid(f) => anyhow::anyhow!(f
                .iter()
                .map(|f| format!("{}: {} / {}", f.field, f.zh, f.en))
                .collect::<Vec<_>>()
                .join("; ")),
            xiangzhi_storage::StoreError::Conflict(f) => {
                anyhow::anyhow!("{}: {} / {}", f.field, f.zh, f.en)
            }
            xiangzhi_storage::StoreError::NotFound => {
                anyhow::anyhow!("账号不存在 / no such account")
            }
            e => anyhow::anyhow!(e),
        }
    };
    match action {
        UserAction::Create {
            login,
            name,
            role,
            division,
            grid,
        } => {
            let (password, generated) = chosen_password();
            let by = Actor::command(&format!("user create {login}"));
            let u = db
                .create_user(
                    &by,
                    &xiangzhi_storage::accounts::NewUser {
                        login: login.clone(),
                        display_name: name,
                        role,
                        division_code: division,
                        grid_id: grid,
                        password: password.clone(),
                    },
                )
                .await
                .map_err(fail)?;
            println!(
                "已创建 / created {} ({}, {})",
                u.login,
                u.role.zh(),
                u.division_code
            );
            if generated {
                println!("初始密码 / initial password: {password}");
            }
        }
        UserAction::Reset { login } => {
            let u = db.user_by_login(&login).await.map_err(fail)?;
            let (password, generated) = chosen_password();
            let by = Actor::command(&format!("user reset {login}"));
            db.set_password(&by, u.id, &password, xiangzhi_storage::now_ms())
                .await
                .map_err(fail)?;
            println!("已重置并解锁 / reset and unlocked {login}");
            if generated {
                println!("新密码 / new password: {password}");
            }
        }
        UserAction::Disable { login } => {
            let u = db.user_by_login(&login).await.map_err(fail)?;
            let by = Actor::command(&format!("user disable {login}"));
            db.set_user_disabled(&by, u.id, true).await.map_err(fail)?;
            println!("已停用 / disabled {login}");
        }
        UserAction::List => {
            for u in db.list_users().await? {
                let state = if u.disabled {
                    "停用 disabled"
                } else if u
                    .locked_until
                    .is_some_and(|t| t > xiangzhi_storage::now_ms())
                {
                    "锁定 locked"
                } else {
                    "正常 active"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.login,
                    u.display_name,
                    u.role.as_str(),
                    u.division_code,
                    state
                );
            }
        }
    }
    Ok(())
}

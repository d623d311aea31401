// Rebuild when a migration is added or changed: `sqlx::migrate!` embeds the folder's files.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

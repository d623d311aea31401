//! 出租房屋与流动人口: rented houses and their tenants, read within the caller's scope (a grid
//! worker sees the houses of their grid).

use super::*;

const RENTAL_COLS: &str = "t.county_id, t.id, t.division_code, t.grid_id, g.name AS grid_name, t.address, t.owner_name, \
     t.owner_phone, t.purpose, (SELECT COUNT(*) FROM tenants n WHERE n.county_id = t.county_id AND n.rental_id = t.id \
     AND n.moved_out IS NULL) AS tenants_now";
const RENTAL_FROM: &str =
    "rentals t JOIN grids g ON g.county_id = t.county_id AND g.id = t.grid_id WHERE 1=1";

#[easy_ext::ext(RentalStore)]
pub impl Db {
    /// Rented houses inside the scope (and `lq.division`), an address containing `lq.q`.
    async fn list_rentals(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Rental>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {RENTAL_COLS} FROM {RENTAL_FROM}"));
        scope.filter(&mut q, &crate::tables::RENTALS, "t", "division_code");
        if let Some(text) = q_text(lq) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.address", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    async fn get_rental(&self, scope: &Scope, id: i64) -> Result<Rental> {
        let mut q = Q::with(
            &format!("SELECT {RENTAL_COLS} FROM {RENTAL_FROM} AND t.id = ?"),
            vec![id.into()],
        );
        scope.filter(&mut q, &crate::tables::RENTALS, "t", "division_code");
        self.optional(&q).await?.ok_or(StoreError::NotFound)
    }

    /// A house's tenants: those living there first, newest first.
    async fn rental_tenants(&self, scope: &Scope, id: i64) -> Result<Vec<Tenant>> {
        let r = self.get_rental(scope, id).await?;
        let mut q = Q::with(
            "SELECT t.id, t.rental_id, t.name, t.id_number, t.gender, t.birth_date, t.phone, t.origin, t.workplace, \
             t.moved_in, t.moved_out FROM tenants t WHERE t.county_id = ? AND t.rental_id = ?",
            vec![r.county_id.into(), id.into()],
        );
        scope.filter(&mut q, &crate::tables::TENANTS, "t", "division_code");
        q.push(" ORDER BY CASE WHEN t.moved_out IS NULL THEN 0 ELSE 1 END, t.moved_in DESC, t.id");
        self.all(&q).await
    }
}

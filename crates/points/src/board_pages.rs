//! The pages of 红黑榜: for the village's and the township's staff, the list of boards, a new
//! board drafted, one board with its places, objections recorded and decided, and publication;
//! for everyone (no account, a phone), the village's public board.

use crate::board_public::{PublicBoard, PublicBoards};
use crate::boards::{
    BoardEntry, BoardStore, BoardView, DraftInput, ObjectionDecision, ObjectionInput,
};
use crate::pages::outcome;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use xiangzhi_domain::DivisionCode;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::now_ms;
use xiangzhi_web::console::{html, store, Chrome, PageError, St, Viewer, L, P};

type Message = Option<(String, String, bool)>;

/// A day in China as the pages show it.
pub(crate) fn day(ms: i64) -> String {
    xiangzhi_domain::china_date(ms)
        .format("%Y-%m-%d")
        .to_string()
}

#[derive(Template)]
#[template(path = "points_boards.html")]
struct BoardsPage {
    c: Chrome,
    boards: Vec<(crate::boards::Board, String)>,
    villages: Vec<(String, String)>,
    month: String,
    may_draft: bool,
    now: i64,
    message: Message,
}

impl BoardsPage {
    fn day(&self, ms: &i64) -> String {
        day(*ms)
    }
}

async fn boards_page(s: &xiangzhi_web::AppState, v: &Viewer, message: Message) -> P {
    v.need(xiangzhi_domain::Right::ReadRegistry)?;
    let scope = v.scope();
    let boards =
        s.db.points_boards(&scope, None, None)
            .await
            .map_err(store(v.l))?;
    let may_draft = v.user.can(crate::APPROVE_POINTS);
    let villages = if may_draft {
        s.db.villages_in_reach(&scope).await.map_err(store(v.l))?
    } else {
        Vec::new()
    };
    let status = crate::pages::status_of(&message);
    let page = BoardsPage {
        c: v.chrome(v.l.t("红黑榜", "Red and black lists")),
        boards,
        villages,
        month: crate::store::this_month(),
        may_draft,
        now: now_ms(),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /points/boards`
pub async fn boards(State(s): St, v: Viewer) -> P {
    boards_page(&s, &v, None).await
}

/// `POST /points/boards`: drafts a village's lists of a month.
pub async fn draft(State(s): St, v: Viewer, Form(f): Form<DraftInput>) -> P {
    v.need(crate::APPROVE_POINTS)?;
    match s.db.draft_board(&v.scope(), &f, now_ms()).await {
        Ok(b) => Ok(Redirect::to(&format!(
            "/points/boards/{}/{}",
            b.board.county_id, b.board.id
        ))
        .into_response()),
        Err(e) => {
            let m = outcome::<()>(Err(e), |_| (String::new(), String::new()));
            boards_page(&s, &v, Some(m)).await
        }
    }
}

#[derive(Template)]
#[template(path = "points_board.html")]
struct BoardPage {
    c: Chrome,
    v: BoardView,
    red: Vec<BoardEntry>,
    black: Vec<BoardEntry>,
    open: bool,
    may_object: bool,
    may_decide: bool,
    me: i64,
    message: Message,
}

impl BoardPage {
    /// The red list, then the black, with their titles.
    fn lists(&self) -> [(&'static str, &Vec<BoardEntry>); 2] {
        [
            (self.c.l.t("红榜", "Red list"), &self.red),
            (self.c.l.t("黑榜", "Black list"), &self.black),
        ]
    }
    fn day(&self, ms: &i64) -> String {
        day(*ms)
    }
    /// The household an objection is about, in words.
    fn about(&self, o: &crate::boards::Objection) -> String {
        self.v
            .entries
            .iter()
            .find(|e| e.list == o.list && e.household_id == o.household_id)
            .map(|e| {
                let list = if e.list == "red" {
                    self.c.l.t("红榜", "red list")
                } else {
                    self.c.l.t("黑榜", "black list")
                };
                format!("{list} · {} {}", e.household_number, e.head_name)
            })
            .unwrap_or_default()
    }
    /// The places still on the lists, to object to: (entry, list · household · head).
    fn places(&self) -> Vec<(i64, String)> {
        self.v
            .entries
            .iter()
            .filter(|e| !e.withdrawn)
            .map(|e| {
                let list = if e.list == "red" {
                    self.c.l.t("红榜", "red list")
                } else {
                    self.c.l.t("黑榜", "black list")
                };
                (
                    e.id,
                    format!("{list} · {} {}", e.household_number, e.head_name),
                )
            })
            .collect()
    }
    fn state_word(&self, state: &str) -> &'static str {
        match state {
            "pending" => self.c.l.t("待处理", "waiting"),
            "upheld" => self.c.l.t("异议成立，已撤下", "upheld: taken off"),
            _ => self.c.l.t("异议不成立", "dismissed"),
        }
    }
}

async fn board_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    message: Message,
) -> P {
    v.need(xiangzhi_domain::Right::ReadRegistry)?;
    let view =
        s.db.points_board(&v.scope(), county, id)
            .await
            .map_err(store(v.l))?;
    let open = view.board.state == "objection" && now_ms() < view.board.objection_until;
    let (red, black) = view.entries.iter().cloned().partition(|e| e.list == "red");
    let status = crate::pages::status_of(&message);
    let title = format!(
        "{} {} {}",
        view.village_name,
        view.board.month,
        v.l.t("红黑榜", "red and black lists")
    );
    let page = BoardPage {
        c: v.chrome(&title),
        v: view,
        red,
        black,
        open,
        may_object: v.user.can(crate::RECORD_POINTS),
        may_decide: v.user.can(crate::APPROVE_POINTS),
        me: v.user.id,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /points/boards/{county}/{id}`
pub async fn board(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    board_page(&s, &v, county, id, None).await
}

/// `POST /points/boards/{county}/{id}/objections`
pub async fn object(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<ObjectionInput>,
) -> P {
    v.need(crate::RECORD_POINTS)?;
    let m = outcome(
        s.db.lodge_objection(&v.scope(), county, id, &f, now_ms())
            .await,
        |_| {
            (
                "已记录异议，待另一人处理".to_string(),
                "objection recorded; another person decides it".to_string(),
            )
        },
    );
    board_page(&s, &v, county, id, Some(m)).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    board: i64,
    uphold: String,
    #[serde(default)]
    note: String,
}

/// `POST /points/objections/{county}/{id}`: upholds or dismisses an objection.
pub async fn decide(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<DecideForm>,
) -> P {
    v.need(crate::APPROVE_POINTS)?;
    let d = ObjectionDecision {
        uphold: f.uphold == "1",
        note: f.note,
    };
    let m = outcome(
        s.db.decide_objection(&v.scope(), county, id, &d, now_ms())
            .await,
        |o| {
            if o.state == "upheld" {
                (
                    "异议成立，该户已从榜上撤下".to_string(),
                    "upheld: the household is off the list".to_string(),
                )
            } else {
                ("异议不成立".to_string(), "dismissed".to_string())
            }
        },
    );
    board_page(&s, &v, county, f.board, Some(m)).await
}

/// `POST /points/boards/{county}/{id}/publish`
pub async fn publish(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    v.need(crate::APPROVE_POINTS)?;
    let m = outcome(
        s.db.publish_board(&v.scope(), county, id, now_ms()).await,
        |_| {
            (
                "已在村公示栏发布".to_string(),
                "published on the village's board".to_string(),
            )
        },
    );
    board_page(&s, &v, county, id, Some(m)).await
}

// ---------------------------------------------------------------------------------------------
// The public board

#[derive(Template)]
#[template(path = "board_public.html")]
struct PublicPage {
    c: Chrome,
    b: PublicBoard,
}

impl PublicPage {
    fn day(&self, ms: &i64) -> String {
        day(*ms)
    }
    fn stars(&self, n: &i64) -> String {
        crate::rules::star_text(*n)
    }
}

/// `GET /board/{code}`: a village's public board, for anyone (no account), on a phone.
pub async fn public_board(State(s): St, parts: Parts, Path(code): Path<String>) -> P {
    let l = L::from_headers(&parts.headers);
    let code = DivisionCode::parse(&code).map_err(|_| PageError::NotFound(l))?;
    let b =
        s.db.public_board(&code, now_ms())
            .await
            .map_err(store(l))?
            .ok_or(PageError::NotFound(l))?;
    let title = format!("{} {}", b.village_name, l.t("公示栏", "public board"));
    let page = PublicPage {
        c: Chrome::bare(l, &title, "/board"),
        b,
    };
    let mut r = html(page)?.into_response();
    // What the board shows changes when a list is published or leaves it: a minute's cache at
    // most, and never one shared across villages' pages by a proxy.
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(r)
}

//! The closed vocabularies of the registry. Each has an English code (API, files) and a Chinese
//! label (console, files); parsing accepts either.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// A closed vocabulary: an enum whose values have a code (stored and sent) and a Chinese label,
/// parsed from either, refused with both languages' list of choices. Features declare theirs
/// with it; the crate using it needs `serde` and `utoipa`.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what_zh:literal, $what_en:literal { $($(#[$vm:meta])* $variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Invalid;
            fn from_str(s: &str) -> Result<Self, $crate::Invalid> {
                let t = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == t || v.zh() == t).ok_or_else(|| {
                    let codes: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    let labels: Vec<&str> = $name::ALL.iter().map(|v| v.zh()).collect();
                    $crate::Invalid::new(
                        format!("{}“{}”无效，可选：{}", $what_zh, t, labels.join("、")),
                        format!("{} '{}' is not valid; expected one of {}", $what_en, t, codes.join(", ")),
                    )
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::Invalid;
            fn try_from(s: String) -> Result<Self, $crate::Invalid> { s.parse() }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

vocabulary!(
    /// 网格层级: the five levels of the grid.
    GridLevel, "网格层级", "grid level" {
        /// 县级指挥中心
        CountyCentre = "county_centre" / "县级指挥中心",
        /// 乡镇指挥中心
        TownshipCentre = "township_centre" / "乡镇指挥中心",
        /// 村(社)网格
        Village = "village" / "村（社）网格",
        /// 组(小区)网格
        Group = "group" / "组（小区）网格",
        /// 微网格
        Micro = "micro" / "微网格",
    }
);

impl GridLevel {
    /// The level a grid's parent must have.
    pub fn parent(self) -> Option<GridLevel> {
        match self {
            GridLevel::CountyCentre => None,
            GridLevel::TownshipCentre => Some(GridLevel::CountyCentre),
            GridLevel::Village => Some(GridLevel::TownshipCentre),
            GridLevel::Group => Some(GridLevel::Village),
            GridLevel::Micro => Some(GridLevel::Group),
        }
    }
    /// The division level a grid of this level is tied to. Group and micro-grids may sit on a
    /// villager group or directly on a village (a community without groups).
    pub fn division_levels(self) -> &'static [crate::DivisionLevel] {
        use crate::DivisionLevel as D;
        match self {
            GridLevel::CountyCentre => &[D::County],
            GridLevel::TownshipCentre => &[D::Township],
            GridLevel::Village => &[D::Village],
            GridLevel::Group | GridLevel::Micro => &[D::Village, D::Group],
        }
    }
}

vocabulary!(
    /// 网格员类别: the five kinds of grid staff.
    StaffRole, "网格员类别", "staff role" {
        /// 网格长 (the village party secretary)
        GridLeader = "grid_leader" / "网格长",
        /// 专职网格员
        FullTime = "full_time" / "专职网格员",
        /// 兼职网格员
        PartTime = "part_time" / "兼职网格员",
        /// 微网格员
        Micro = "micro" / "微网格员",
        /// 专属网格员 (police, school, clinic or company staff attached to a grid)
        Dedicated = "dedicated" / "专属网格员",
    }
);

impl StaffRole {
    /// The grid levels a member of staff with this role may be assigned to.
    pub fn grid_levels(self) -> &'static [GridLevel] {
        match self {
            StaffRole::GridLeader | StaffRole::FullTime => &[GridLevel::Village],
            StaffRole::PartTime => &[GridLevel::Village, GridLevel::Group],
            StaffRole::Micro => &[GridLevel::Micro],
            StaffRole::Dedicated => &[GridLevel::Village, GridLevel::Group, GridLevel::Micro],
        }
    }
}

vocabulary!(
    /// 人员标签: tags that drive services.
    ResidentTag, "人员标签", "resident tag" {
        /// 脱贫户
        PovertyAlleviated = "poverty_alleviated" / "脱贫户",
        /// 低保
        Subsistence = "subsistence" / "低保",
        /// 独居老人
        ElderlyAlone = "elderly_alone" / "独居老人",
        /// 留守儿童
        LeftBehindChild = "left_behind_child" / "留守儿童",
        /// 残疾人
        Disabled = "disabled" / "残疾人",
        /// 退役军人
        Veteran = "veteran" / "退役军人",
    }
);

impl ResidentTag {
    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }
    /// Packs tags into the bit set stored in the database.
    pub fn to_bits(tags: &[ResidentTag]) -> i64 {
        tags.iter().fold(0, |acc, t| acc | t.bit())
    }
    pub fn from_bits(bits: i64) -> Vec<ResidentTag> {
        ResidentTag::ALL
            .iter()
            .copied()
            .filter(|t| bits & t.bit() != 0)
            .collect()
    }
    /// Parses a list separated by `;`, `,`, `、` or `|`; empty means none.
    pub fn parse_list(s: &str) -> Result<Vec<ResidentTag>, Invalid> {
        let mut out = Vec::new();
        for part in s.split([';', ',', '、', '|', '，', '；']) {
            let p = part.trim();
            if !p.is_empty() {
                let t: ResidentTag = p.parse()?;
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out.sort();
        Ok(out)
    }
    pub fn join(tags: &[ResidentTag]) -> String {
        tags.iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// A resident's tags, stored as a bit set and shown as a list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Tags(pub Vec<ResidentTag>);

impl TryFrom<i64> for Tags {
    type Error = Invalid;
    fn try_from(bits: i64) -> Result<Self, Invalid> {
        Ok(Tags(ResidentTag::from_bits(bits)))
    }
}

vocabulary!(
    /// 与户主关系
    Relation, "与户主关系", "relation to head" {
        /// 户主
        Head = "head" / "户主",
        /// 配偶
        Spouse = "spouse" / "配偶",
        /// 子女
        Child = "child" / "子女",
        /// 父母
        Parent = "parent" / "父母",
        /// 孙子女
        Grandchild = "grandchild" / "孙子女",
        /// 其他
        Other = "other" / "其他",
    }
);

impl Relation {
    /// The relation a household register writes (GB/T 4761 家庭关系, as words — 妻, 长子, 次女,
    /// 儿媳, 孙子, 岳母 — or as two-digit codes), mapped onto this vocabulary; `None` for a word
    /// it does not know.
    pub fn from_register(word: &str) -> Option<Relation> {
        use Relation::*;
        let w: String = word
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
            .collect();
        if let Ok(r) = w.parse::<Relation>() {
            return Some(r);
        }
        if w.len() == 2 && w.bytes().all(|b| b.is_ascii_digit()) {
            return Some(match w.as_bytes()[0] {
                b'0' => Head,
                b'1' => Spouse,
                b'2' | b'3' => Child,
                b'4' => Grandchild,
                b'5' => Parent,
                _ => Other,
            });
        }
        let child = [
            "子",
            "女",
            "儿子",
            "女儿",
            "长子",
            "次子",
            "三子",
            "四子",
            "五子",
            "长女",
            "次女",
            "三女",
            "四女",
            "五女",
            "独生子",
            "独生女",
            "养子",
            "养女",
            "继子",
            "继女",
            "儿媳",
            "女婿",
            "其他儿子",
            "其他女儿",
        ];
        let parent = [
            "父", "母", "父亲", "母亲", "公公", "婆婆", "岳父", "岳母", "继父", "继母", "养父",
            "养母",
        ];
        let grand = [
            "孙子",
            "孙女",
            "外孙",
            "外孙子",
            "外孙女",
            "孙媳妇",
            "孙女婿",
            "曾孙",
            "曾孙子",
            "曾孙女",
        ];
        Some(match w.as_str() {
            "本人" | "户主本人" => Head,
            "妻" | "妻子" | "夫" | "丈夫" => Spouse,
            w if child.contains(&w) => Child,
            w if parent.contains(&w) => Parent,
            w if grand.contains(&w) => Grandchild,
            "兄" | "弟" | "姐" | "妹" | "哥哥" | "弟弟" | "姐姐" | "妹妹" | "祖父" | "祖母"
            | "爷爷" | "奶奶" | "外祖父" | "外祖母" | "侄子" | "侄女" | "外甥" | "外甥女"
            | "兄弟姐妹" | "祖父母" => Other,
            _ => return None,
        })
    }
}

vocabulary!(
    /// 党组织类别
    PartyOrgKind, "党组织类别", "party organisation kind" {
        /// 党委
        Committee = "committee" / "党委",
        /// 党总支
        GeneralBranch = "general_branch" / "党总支",
        /// 党支部
        Branch = "branch" / "党支部",
        /// 党小组
        Group = "group" / "党小组",
        /// 联合党委 (spanning several villages)
        JointCommittee = "joint_committee" / "联合党委",
    }
);

impl PartyOrgKind {
    /// Which kinds may sit directly above this kind.
    pub fn allowed_parents(self) -> &'static [PartyOrgKind] {
        use PartyOrgKind::*;
        match self {
            Committee => &[Committee],
            JointCommittee => &[Committee],
            GeneralBranch => &[Committee, JointCommittee],
            Branch => &[Committee, JointCommittee, GeneralBranch],
            Group => &[Branch, GeneralBranch],
        }
    }
}

vocabulary!(
    /// 党组织建设等次
    BranchStanding, "党组织等次", "branch standing" {
        /// 标准化示范
        Model = "model" / "标准化示范",
        /// 一般
        Ordinary = "ordinary" / "一般",
        /// 软弱涣散 (to be rectified)
        Weak = "weak" / "软弱涣散",
    }
);

vocabulary!(
    /// 党员类别
    MemberStatus, "党员类别", "member status" {
        /// 正式党员
        Full = "full" / "正式党员",
        /// 预备党员
        Probationary = "probationary" / "预备党员",
    }
);

vocabulary!(
    /// 党内职务
    MemberRole, "党内职务", "party role" {
        /// 书记
        Secretary = "secretary" / "书记",
        /// 副书记
        DeputySecretary = "deputy_secretary" / "副书记",
        /// 委员
        CommitteeMember = "committee_member" / "委员",
        /// 党员
        Member = "member" / "党员",
    }
);

vocabulary!(
    /// 包联责任人层级
    DutyRank, "包联责任人层级", "duty rank" {
        /// 县级领导
        CountyLeader = "county_leader" / "县级领导",
        /// 乡镇领导
        TownshipLeader = "township_leader" / "乡镇领导",
        /// 第一书记
        FirstSecretary = "first_secretary" / "第一书记",
        /// 村干部
        VillageCadre = "village_cadre" / "村干部",
        /// 党员
        PartyMember = "party_member" / "党员",
    }
);

vocabulary!(
    /// 包联对象类别
    DutyTarget, "包联对象", "duty target" {
        /// 村（社区）
        Village = "village" / "村",
        /// 村民小组
        Group = "group" / "村民小组",
        /// 户
        Household = "household" / "户",
    }
);

vocabulary!(
    /// 村两委的组织: the village's party organisation, its villagers' committee, and its village
    /// affairs supervision committee.
    CadreBody, "所在组织", "body" {
        /// 村党组织（党支部、党总支、党委）
        Branch = "branch" / "村党组织",
        /// 村民委员会
        Committee = "committee" / "村民委员会",
        /// 村务监督委员会
        Supervision = "supervision" / "村务监督委员会",
    }
);

vocabulary!(
    /// 村两委的职务
    CadrePost, "职务", "post" {
        /// 书记
        Secretary = "secretary" / "书记",
        /// 副书记
        DeputySecretary = "deputy_secretary" / "副书记",
        /// 主任
        Director = "director" / "主任",
        /// 副主任
        DeputyDirector = "deputy_director" / "副主任",
        /// 委员
        Member = "member" / "委员",
    }
);

impl CadrePost {
    /// Whether a post exists in a body: secretaries in the party organisation, directors in the
    /// committees (the supervision committee has no deputy), members in all three.
    pub fn is_in(self, body: CadreBody) -> bool {
        use CadreBody::*;
        use CadrePost::*;
        matches!(
            (self, body),
            (Secretary | DeputySecretary | Member, Branch)
                | (Director | DeputyDirector | Member, Committee)
                | (Director | Member, Supervision)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_parse() {
        for r in StaffRole::ALL {
            assert_eq!(r.as_str().parse::<StaffRole>().unwrap(), *r);
            assert_eq!(r.zh().parse::<StaffRole>().unwrap(), *r);
        }
        let err = "boss".parse::<StaffRole>().unwrap_err();
        assert!(err.zh.contains("网格长") && err.en.contains("grid_leader"));
    }

    #[test]
    fn tag_bits_round_trip() {
        let tags = ResidentTag::parse_list("低保;veteran、disabled").unwrap();
        assert_eq!(ResidentTag::from_bits(ResidentTag::to_bits(&tags)), tags);
        assert!(ResidentTag::parse_list("rich").is_err());
    }
}

#[cfg(test)]
mod register_tests {
    use super::Relation::{self, *};

    #[test]
    fn register_words_map_onto_the_vocabulary() {
        for (word, want) in [
            ("户主", Head),
            ("head", Head),
            ("妻", Spouse),
            ("丈 夫", Spouse),
            ("长子", Child),
            ("次女", Child),
            ("儿媳", Child),
            ("孙子", Grandchild),
            ("岳母", Parent),
            ("弟弟", Other),
            ("22", Child),
            ("01", Head),
        ] {
            assert_eq!(Relation::from_register(word), Some(want), "{word}");
        }
        assert_eq!(Relation::from_register("邻居"), None);
    }
}

vocabulary!(
    /// 人口状态: whether a resident is on the county's roll.
    Standing, "人口状态", "standing" {
        /// 在册
        Present = "present" / "在册",
        /// 已迁出（县外）
        MovedOut = "moved_out" / "已迁出",
        /// 已死亡
        Deceased = "deceased" / "已死亡",
    }
);

vocabulary!(
    /// 人口变动类型: a change of a resident's standing, as a moves file records it.
    ResidentChange, "变动类型", "kind of change" {
        /// 迁出（县外）
        MovedOut = "moved_out" / "迁出",
        /// 死亡
        Died = "died" / "死亡",
        /// 迁回
        Returned = "returned" / "迁回",
    }
);

impl ResidentChange {
    /// The word a register writes (迁出, 户口迁出, 死亡, 去世, 迁回, 迁入…) onto this vocabulary.
    pub fn from_word(word: &str) -> Result<ResidentChange, crate::Invalid> {
        let w: String = word
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
            .collect();
        match w.as_str() {
            "迁出" | "户口迁出" | "迁出县外" | "外迁" | "moved_out" => Ok(Self::MovedOut),
            "死亡" | "去世" | "死亡注销" | "病故" | "died" => Ok(Self::Died),
            "迁回" | "回迁" | "迁入" | "returned" => Ok(Self::Returned),
            _ => Err(crate::Invalid::new(
                format!("变动类型“{w}”无效，可选：迁出、死亡、迁回"),
                format!("kind of change '{w}' is not valid; expected 迁出 (moved out), 死亡 (died) or 迁回 (returned)"),
            )),
        }
    }
    /// The standing a resident has after this change.
    pub fn standing(self) -> Standing {
        match self {
            Self::MovedOut => Standing::MovedOut,
            Self::Died => Standing::Deceased,
            Self::Returned => Standing::Present,
        }
    }
}

vocabulary!(
    /// 出租房屋用途
    RentalPurpose, "房屋用途", "use of the house" {
        /// 居住
        Dwelling = "dwelling" / "居住",
        /// 商住两用
        ShopDwelling = "shop_dwelling" / "商住两用",
        /// 生产经营
        Business = "business" / "生产经营",
        /// 员工宿舍
        Dormitory = "dormitory" / "员工宿舍",
    }
);

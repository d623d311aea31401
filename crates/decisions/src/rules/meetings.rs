//! Meetings as the law defines them: who must attend for a meeting to be held (quorum), how many
//! must agree for a decision to pass (threshold), who may call one and with what notice, and what
//! a representatives' assembly may not decide. Pure rules over whole-number counts (no I/O, no
//! floats): every fraction is compared by cross-multiplying, and every rule cites its article.
//!
//! Chinese law words the bounds exactly: 过半数 ("more than half") excludes the half itself;
//! 三分之二以上 ("two thirds or more", 以上 including the number) includes it. So 50 of 100 is not
//! a majority, and 2 of 3 is two thirds.
//!
//! Statutes: 《中华人民共和国村民委员会组织法》(2018 revision, "村委会组织法"),
//! 《中华人民共和国农村集体经济组织法》(2024, "集体经济组织法"); for the party members' meeting,
//! 《中国共产党章程》(党章) Art 7 (a probationary member has no vote) and Art 16 (the minority
//! follows the majority).

use serde::{Deserialize, Serialize};

/// A kind of meeting with its own legal rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 村民会议: the village's residents aged 18 and over (村委会组织法 Art 21–22).
    VillagersMeeting,
    /// 村民代表会议: the committee's members and the representatives (Art 25–26).
    RepresentativesMeeting,
    /// 村民小组会议: a villager group's residents aged 18 and over (Art 28).
    GroupMeeting,
    /// 党员大会: a branch's party members; only full members vote (党章 Art 7, Art 16).
    PartyMembersMeeting,
    /// 成员大会: a collective economic organisation's members with full civil capacity
    /// (集体经济组织法 Art 26–27).
    MembersAssembly,
    /// 成员代表大会: the organisation's elected member representatives (集体经济组织法 Art 28).
    MemberRepresentativesAssembly,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 6] = [
        MeetingKind::VillagersMeeting,
        MeetingKind::RepresentativesMeeting,
        MeetingKind::GroupMeeting,
        MeetingKind::PartyMembersMeeting,
        MeetingKind::MembersAssembly,
        MeetingKind::MemberRepresentativesAssembly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::VillagersMeeting => "villagers_meeting",
            MeetingKind::RepresentativesMeeting => "representatives_meeting",
            MeetingKind::GroupMeeting => "group_meeting",
            MeetingKind::PartyMembersMeeting => "party_members_meeting",
            MeetingKind::MembersAssembly => "members_assembly",
            MeetingKind::MemberRepresentativesAssembly => "member_representatives_assembly",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            MeetingKind::VillagersMeeting => "村民会议",
            MeetingKind::RepresentativesMeeting => "村民代表会议",
            MeetingKind::GroupMeeting => "村民小组会议",
            MeetingKind::PartyMembersMeeting => "党员大会",
            MeetingKind::MembersAssembly => "成员大会",
            MeetingKind::MemberRepresentativesAssembly => "成员代表大会",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            MeetingKind::VillagersMeeting => "villagers' meeting",
            MeetingKind::RepresentativesMeeting => "villagers' representatives' meeting",
            MeetingKind::GroupMeeting => "villager group meeting",
            MeetingKind::PartyMembersMeeting => "party members' meeting",
            MeetingKind::MembersAssembly => "members' assembly",
            MeetingKind::MemberRepresentativesAssembly => "member representatives' assembly",
        }
    }

    /// The kind a stored name stands for.
    pub fn named(name: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// Days of notice the law asks for before the meeting, if any.
    pub fn notice_days(self) -> Option<u32> {
        match self {
            // 村委会组织法 Art 21: 召集村民会议，应当提前十天通知村民。
            MeetingKind::VillagersMeeting => Some(10),
            // 集体经济组织法 Art 27: 于会议召开十日前通知全体成员。
            MeetingKind::MembersAssembly => Some(10),
            _ => None,
        }
    }
}

/// Who should attend and who came. Counts only, as the sign-in sheet gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Roll {
    /// Those who should attend with a vote: villagers aged 18+ of the village or the group;
    /// the representatives' meeting's members; the branch's full party members; the
    /// organisation's members with full civil capacity; the member representatives.
    pub entitled: u32,
    /// The households of the village or the group (the alternative quorum of Art 22 and 28).
    pub households: u32,
    /// Entitled people present in person.
    pub present: u32,
    /// Members present online (成员大会, 集体经济组织法 Art 27).
    pub online: u32,
    /// Members represented by a written proxy from a member of their household (Art 27).
    pub proxies: u32,
    /// Households represented (村民会议 and 村民小组会议: a household's representative).
    pub households_present: u32,
}

impl Roll {
    /// Everyone who counts as attending: in person, online and by proxy.
    pub fn attending(&self) -> u32 {
        self.present + self.online + self.proxies
    }
}

/// The votes on one item (votes of the probationary are never counted: they are not entitled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl Tally {
    pub fn cast(&self) -> u32 {
        self.yes + self.no + self.abstain
    }
}

/// Why a meeting could not be held or an item did not pass, in words, with its article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Shortfall {
    pub zh: String,
    pub en: String,
    /// The article the rule comes from.
    pub article: &'static str,
}

fn short(zh: String, en: String, article: &'static str) -> Shortfall {
    Shortfall { zh, en, article }
}

/// More than half of `of` (过半数): `n > of / 2`, exactly.
pub fn more_than_half(n: u32, of: u32) -> bool {
    u64::from(n) * 2 > u64::from(of)
}

/// Two thirds or more of `of` (三分之二以上): `n ≥ 2·of / 3`, exactly.
pub fn two_thirds_or_more(n: u32, of: u32) -> bool {
    u64::from(n) * 3 >= u64::from(of) * 2
}

/// The fewest that make more than half of `of`.
pub fn least_majority(of: u32) -> u32 {
    of / 2 + 1
}

/// The fewest that make two thirds of `of`.
pub fn least_two_thirds(of: u32) -> u32 {
    (u64::from(of) * 2).div_ceil(3) as u32
}

/// Whether the meeting may be held with this attendance; the reason if not.
pub fn quorum(kind: MeetingKind, roll: &Roll) -> Result<(), Shortfall> {
    if roll.attending() > roll.entitled && roll.entitled > 0 {
        return Err(short(
            format!(
                "到会{}人，超过应到{}人，请核对签到",
                roll.attending(),
                roll.entitled
            ),
            format!(
                "{} attending is more than the {} entitled; check the sign-in",
                roll.attending(),
                roll.entitled
            ),
            "",
        ));
    }
    match kind {
        // 村委会组织法 Art 22: 应当有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加。
        MeetingKind::VillagersMeeting => {
            if more_than_half(roll.present, roll.entitled)
                || (roll.households > 0
                    && two_thirds_or_more(roll.households_present, roll.households))
            {
                Ok(())
            } else {
                Err(short(
                    format!(
                        "到会村民{}人，未过18周岁以上村民{}人的半数（至少{}人），到会户代表{}户，也不足{}户的三分之二（至少{}户）",
                        roll.present,
                        roll.entitled,
                        least_majority(roll.entitled),
                        roll.households_present,
                        roll.households,
                        least_two_thirds(roll.households)
                    ),
                    format!(
                        "{} villagers present is not more than half of the {} aged 18+ (at least {}), and {} households represented is less than two thirds of {} (at least {})",
                        roll.present,
                        roll.entitled,
                        least_majority(roll.entitled),
                        roll.households_present,
                        roll.households,
                        least_two_thirds(roll.households)
                    ),
                    "村委会组织法第二十二条",
                ))
            }
        }
        // Art 26: 村民代表会议有三分之二以上的组成人员参加方可召开。
        MeetingKind::RepresentativesMeeting => {
            at_least_two_thirds_present(roll, "村委会组织法第二十六条")
        }
        // Art 28: 应当有本村民小组十八周岁以上的村民三分之二以上，或者本村民小组三分之二以上的户的代表参加。
        MeetingKind::GroupMeeting => {
            if two_thirds_or_more(roll.present, roll.entitled)
                || (roll.households > 0
                    && two_thirds_or_more(roll.households_present, roll.households))
            {
                Ok(())
            } else {
                Err(short(
                    format!(
                        "到会村民{}人，不足本组18周岁以上村民{}人的三分之二（至少{}人），到会户代表{}户，也不足{}户的三分之二（至少{}户）",
                        roll.present,
                        roll.entitled,
                        least_two_thirds(roll.entitled),
                        roll.households_present,
                        roll.households,
                        least_two_thirds(roll.households)
                    ),
                    format!(
                        "{} present is less than two thirds of the group's {} aged 18+ (at least {}), and {} households is less than two thirds of {} (at least {})",
                        roll.present,
                        roll.entitled,
                        least_two_thirds(roll.entitled),
                        roll.households_present,
                        roll.households,
                        least_two_thirds(roll.households)
                    ),
                    "村委会组织法第二十八条",
                ))
            }
        }
        // 党章 Art 7 (only full members vote) and Art 16: more than half of the full members.
        MeetingKind::PartyMembersMeeting => {
            if more_than_half(roll.present, roll.entitled) {
                Ok(())
            } else {
                Err(short(
                    format!(
                        "到会有表决权的正式党员{}人，未过应到{}人的半数（至少{}人）",
                        roll.present,
                        roll.entitled,
                        least_majority(roll.entitled)
                    ),
                    format!(
                        "{} full members present is not more than half of the {} (at least {})",
                        roll.present,
                        roll.entitled,
                        least_majority(roll.entitled)
                    ),
                    "党章第七条、第十六条",
                ))
            }
        }
        // 集体经济组织法 Art 27: 有三分之二以上具有完全民事行为能力的成员参加 (online and by proxy count).
        MeetingKind::MembersAssembly => {
            at_least_two_thirds_present(roll, "集体经济组织法第二十七条")
        }
        // Art 28: 代表人数应当多于二十人; a decision needs two thirds of all, so two thirds must come.
        MeetingKind::MemberRepresentativesAssembly => {
            if roll.entitled <= 20 {
                return Err(short(
                    format!("成员代表{}人，法律要求多于二十人", roll.entitled),
                    format!(
                        "{} member representatives; the law asks for more than twenty",
                        roll.entitled
                    ),
                    "集体经济组织法第二十八条",
                ));
            }
            at_least_two_thirds_present(roll, "集体经济组织法第二十八条")
        }
    }
}

fn at_least_two_thirds_present(roll: &Roll, article: &'static str) -> Result<(), Shortfall> {
    if roll.entitled > 0 && two_thirds_or_more(roll.attending(), roll.entitled) {
        Ok(())
    } else {
        Err(short(
            format!(
                "到会{}人，不足应到{}人的三分之二（至少{}人）",
                roll.attending(),
                roll.entitled,
                least_two_thirds(roll.entitled)
            ),
            format!(
                "{} attending is less than two thirds of the {} (at least {})",
                roll.attending(),
                roll.entitled,
                least_two_thirds(roll.entitled)
            ),
            article,
        ))
    }
}

/// Whether an item passes with these votes at a meeting held with this roll (the quorum is
/// checked first); the reason if not.
pub fn passes(kind: MeetingKind, roll: &Roll, votes: &Tally) -> Result<(), Shortfall> {
    quorum(kind, roll)?;
    if votes.cast() > roll.attending() {
        return Err(short(
            format!("票数{}张，多于到会{}人", votes.cast(), roll.attending()),
            format!(
                "{} votes cast is more than the {} attending",
                votes.cast(),
                roll.attending()
            ),
            "",
        ));
    }
    // The base each kind counts its majority of, and how.
    let (base, two_thirds, article, base_zh, base_en) = match kind {
        // Art 22: 村民会议所作决定应当经到会人员的过半数通过。
        MeetingKind::VillagersMeeting => (
            roll.attending(),
            false,
            "村委会组织法第二十二条",
            "到会人员",
            "those present",
        ),
        // Art 26: 所作决定应当经到会人员的过半数同意。
        MeetingKind::RepresentativesMeeting => (
            roll.attending(),
            false,
            "村委会组织法第二十六条",
            "到会人员",
            "those present",
        ),
        // Art 28: 所作决定应当经到会人员的过半数同意。
        MeetingKind::GroupMeeting => (
            roll.attending(),
            false,
            "村委会组织法第二十八条",
            "到会人员",
            "those present",
        ),
        // 党章 Art 16 and the branch's rules: more than half of the full members who should attend.
        MeetingKind::PartyMembersMeeting => (
            roll.entitled,
            false,
            "党章第十六条",
            "应到会有表决权的党员",
            "the full members who should attend",
        ),
        // 集体经济组织法 Art 27: 应当经本农村集体经济组织成员大会全体成员三分之二以上同意。
        MeetingKind::MembersAssembly => (
            roll.entitled,
            true,
            "集体经济组织法第二十七条",
            "全体成员",
            "all members",
        ),
        // Art 28: 应当经全体成员代表三分之二以上同意。
        MeetingKind::MemberRepresentativesAssembly => (
            roll.entitled,
            true,
            "集体经济组织法第二十八条",
            "全体成员代表",
            "all member representatives",
        ),
    };
    let ok = if two_thirds {
        two_thirds_or_more(votes.yes, base)
    } else {
        more_than_half(votes.yes, base)
    };
    if ok {
        return Ok(());
    }
    let (need, rule_zh, rule_en) = if two_thirds {
        (least_two_thirds(base), "三分之二以上", "two thirds or more")
    } else {
        (least_majority(base), "过半数", "more than half")
    };
    Err(short(
        format!(
            "赞成{}票，未达{}{}人的{}（至少{}票）",
            votes.yes, base_zh, base, rule_zh, need
        ),
        format!(
            "{} in favour is not {} of {} ({}; at least {})",
            votes.yes, rule_en, base_en, base, need
        ),
        article,
    ))
}

/// Whether a request to call a meeting is enough to oblige the committee to call it.
pub fn must_call(kind: MeetingKind, requesters: u32, of: u32) -> bool {
    match kind {
        // Art 21: 有十分之一以上的村民或者三分之一以上的村民代表提议，应当召集村民会议。
        // (`of` is the villagers aged 18+ here; [`must_call_by_representatives`] is the other way.)
        MeetingKind::VillagersMeeting => u64::from(requesters) * 10 >= u64::from(of),
        // Art 26: 有五分之一以上的村民代表提议，应当召集村民代表会议。
        MeetingKind::RepresentativesMeeting => u64::from(requesters) * 5 >= u64::from(of),
        _ => false,
    }
}

/// Art 21's other way to oblige a villagers' meeting: a third or more of the representatives.
pub fn must_call_by_representatives(requesters: u32, representatives: u32) -> bool {
    u64::from(requesters) * 3 >= u64::from(representatives)
}

/// A representatives' meeting's make-up against Art 25: representatives four fifths or more of
/// its members, women a third or more, one representative for every five to fifteen households.
/// Every way it falls short, in words.
pub fn composition_faults(
    members: u32,
    representatives: u32,
    women: u32,
    households: u32,
) -> Vec<Shortfall> {
    let mut out = Vec::new();
    const ART: &str = "村委会组织法第二十五条";
    if u64::from(representatives) * 5 < u64::from(members) * 4 {
        out.push(short(
            format!("村民代表{representatives}人，不足组成人员{members}人的五分之四"),
            format!("{representatives} representatives is less than four fifths of the {members} members"),
            ART,
        ));
    }
    if u64::from(women) * 3 < u64::from(members) {
        out.push(short(
            format!("妇女村民代表{women}人，不足组成人员{members}人的三分之一"),
            format!("{women} women representatives is less than a third of the {members} members"),
            ART,
        ));
    }
    if representatives > 0
        && households > 0
        && (u64::from(representatives) * 5 > u64::from(households)
            || u64::from(representatives) * 15 < u64::from(households))
    {
        out.push(short(
            format!("村民代表{representatives}人对应{households}户，不符合每五户至十五户推选一人"),
            format!("{representatives} representatives for {households} households is not one for every five to fifteen"),
            ART,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeetingKind::*;

    fn roll(entitled: u32, present: u32) -> Roll {
        Roll {
            entitled,
            present,
            ..Default::default()
        }
    }

    fn yes(n: u32, of_present: u32) -> Tally {
        Tally {
            yes: n,
            no: of_present - n,
            abstain: 0,
        }
    }

    #[test]
    fn the_words_of_the_law() {
        assert!(!more_than_half(50, 100) && more_than_half(51, 100));
        assert!(!more_than_half(1, 2) && more_than_half(2, 3));
        assert!(two_thirds_or_more(2, 3) && !two_thirds_or_more(1, 3));
        assert!(two_thirds_or_more(67, 100) && !two_thirds_or_more(66, 100));
        assert_eq!((least_majority(100), least_majority(101)), (51, 51));
        assert_eq!(
            (
                least_two_thirds(100),
                least_two_thirds(99),
                least_two_thirds(3)
            ),
            (67, 66, 2)
        );
        assert!(more_than_half(u32::MAX, u32::MAX) && two_thirds_or_more(u32::MAX, u32::MAX));
    }

    /// (kind, entitled, present, whether the meeting may be held) at each quorum's boundary.
    #[test]
    fn quorums_at_their_boundaries() {
        let cases = [
            // 村民会议: more than half of the villagers aged 18+ (Art 22).
            (VillagersMeeting, 400, 200, false),
            (VillagersMeeting, 400, 201, true),
            (VillagersMeeting, 401, 200, false),
            (VillagersMeeting, 401, 201, true),
            // 村民代表会议: two thirds or more of its members (Art 26).
            (RepresentativesMeeting, 30, 19, false),
            (RepresentativesMeeting, 30, 20, true),
            (RepresentativesMeeting, 31, 20, false),
            (RepresentativesMeeting, 31, 21, true),
            // 村民小组会议: two thirds or more of the group's villagers aged 18+ (Art 28).
            (GroupMeeting, 60, 39, false),
            (GroupMeeting, 60, 40, true),
            // 党员大会: more than half of the full members.
            (PartyMembersMeeting, 30, 15, false),
            (PartyMembersMeeting, 30, 16, true),
            (PartyMembersMeeting, 31, 16, true),
            // 成员大会: two thirds or more of the members (Art 27).
            (MembersAssembly, 300, 199, false),
            (MembersAssembly, 300, 200, true),
            // 成员代表大会: more than twenty representatives, two thirds present (Art 28).
            (MemberRepresentativesAssembly, 21, 13, false),
            (MemberRepresentativesAssembly, 21, 14, true),
            (MemberRepresentativesAssembly, 20, 20, false),
        ];
        for (kind, entitled, present, held) in cases {
            assert_eq!(
                quorum(kind, &roll(entitled, present)).is_ok(),
                held,
                "{} {present}/{entitled}",
                kind.zh()
            );
        }
    }

    #[test]
    fn households_are_the_other_way_to_a_quorum() {
        // 400 villagers, 150 households: 100 households represented make two thirds (Art 22).
        let mut r = Roll {
            entitled: 400,
            households: 150,
            present: 100,
            households_present: 99,
            ..Default::default()
        };
        let e = quorum(VillagersMeeting, &r).unwrap_err();
        assert!(
            e.zh.contains("至少201人") && e.zh.contains("至少100户"),
            "{e:?}"
        );
        assert_eq!(e.article, "村委会组织法第二十二条");
        r.households_present = 100;
        assert!(quorum(VillagersMeeting, &r).is_ok());
        // The same for a group (Art 28).
        let g = Roll {
            entitled: 90,
            households: 30,
            present: 20,
            households_present: 20,
            ..Default::default()
        };
        assert!(quorum(GroupMeeting, &g).is_ok());
        assert!(quorum(
            GroupMeeting,
            &Roll {
                households_present: 19,
                ..g
            }
        )
        .is_err());
    }

    /// (kind, entitled, present, yes, passes) at each threshold's boundary.
    #[test]
    fn thresholds_at_their_boundaries() {
        let cases = [
            // 村民会议: more than half of those present (Art 22).
            (VillagersMeeting, 400, 240, 120, false),
            (VillagersMeeting, 400, 240, 121, true),
            // 村民代表会议: more than half of those present (Art 26).
            (RepresentativesMeeting, 30, 21, 10, false),
            (RepresentativesMeeting, 30, 21, 11, true),
            // 村民小组会议: more than half of those present (Art 28).
            (GroupMeeting, 60, 40, 20, false),
            (GroupMeeting, 60, 40, 21, true),
            // 党员大会: more than half of those who should attend, not of those present.
            (PartyMembersMeeting, 30, 20, 15, false),
            (PartyMembersMeeting, 30, 20, 16, true),
            // 成员大会: two thirds of ALL members, not of those present (Art 27).
            (MembersAssembly, 300, 300, 199, false),
            (MembersAssembly, 300, 300, 200, true),
            (MembersAssembly, 300, 210, 199, false),
            // 成员代表大会: two thirds of all representatives (Art 28).
            (MemberRepresentativesAssembly, 30, 30, 19, false),
            (MemberRepresentativesAssembly, 30, 30, 20, true),
        ];
        for (kind, entitled, present, y, pass) in cases {
            let r = roll(entitled, present);
            assert_eq!(
                passes(kind, &r, &yes(y, present)).is_ok(),
                pass,
                "{} {y} of {present} present, {entitled} entitled",
                kind.zh()
            );
        }
        // Of those present versus of all: 16 of 20 present is four fifths of those present,
        // but not two thirds of 30 members.
        let e = passes(MembersAssembly, &roll(30, 20), &yes(16, 20)).unwrap_err();
        assert!(
            e.zh.contains("全体成员30人的三分之二以上（至少20票）"),
            "{e:?}"
        );
        assert!(passes(RepresentativesMeeting, &roll(30, 20), &yes(11, 20)).is_ok());
    }

    #[test]
    fn no_decision_without_a_quorum() {
        let e = passes(VillagersMeeting, &roll(400, 200), &yes(200, 200)).unwrap_err();
        assert_eq!(e.article, "村委会组织法第二十二条");
        assert!(e.zh.contains("未过"), "{e:?}");
    }

    #[test]
    fn members_online_and_by_proxy_count_for_the_assembly() {
        // 300 members: 150 in the hall, 30 online, 20 by a household member's written proxy.
        let r = Roll {
            entitled: 300,
            present: 150,
            online: 30,
            proxies: 20,
            ..Default::default()
        };
        assert!(quorum(MembersAssembly, &r).is_ok());
        assert!(quorum(MembersAssembly, &Roll { proxies: 19, ..r }).is_err());
        assert!(passes(
            MembersAssembly,
            &r,
            &Tally {
                yes: 200,
                no: 0,
                abstain: 0
            }
        )
        .is_ok());
    }

    #[test]
    fn probationary_members_have_no_vote() {
        // 20 full members of whom 11 came; the 4 probationary members who came are not on the
        // roll and their hands are not counted: 11 yes of 20 full members passes, 10 does not.
        let r = roll(20, 11);
        assert!(passes(PartyMembersMeeting, &r, &yes(11, 11)).is_ok());
        assert!(passes(PartyMembersMeeting, &r, &yes(10, 11)).is_err());
        // Counting the probationary hands would exceed the roll, which is refused.
        assert!(passes(
            PartyMembersMeeting,
            &r,
            &Tally {
                yes: 15,
                no: 0,
                abstain: 0
            }
        )
        .is_err());
    }

    #[test]
    fn a_sign_in_cannot_exceed_the_roll() {
        let e = quorum(RepresentativesMeeting, &roll(30, 31)).unwrap_err();
        assert!(e.zh.contains("请核对签到"), "{e:?}");
    }

    #[test]
    fn calling_a_meeting() {
        assert!(must_call(VillagersMeeting, 40, 400) && !must_call(VillagersMeeting, 39, 400));
        assert!(must_call_by_representatives(10, 30) && !must_call_by_representatives(9, 30));
        assert!(
            must_call(RepresentativesMeeting, 6, 30) && !must_call(RepresentativesMeeting, 5, 30)
        );
        assert_eq!(VillagersMeeting.notice_days(), Some(10));
        assert_eq!(MembersAssembly.notice_days(), Some(10));
    }

    #[test]
    fn a_representatives_meeting_as_art_25_makes_it() {
        assert!(composition_faults(35, 28, 12, 300).is_empty());
        let faults = composition_faults(35, 27, 11, 300);
        assert_eq!(faults.len(), 2, "{faults:?}");
        assert!(faults.iter().all(|f| f.article == "村委会组织法第二十五条"));
        // 28 representatives for 600 households is one per 21: too few.
        assert_eq!(composition_faults(35, 28, 12, 600).len(), 1);
    }
}

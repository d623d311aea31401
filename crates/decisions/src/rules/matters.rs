//! Which matters the law reserves to a meeting, which must go through 四议两公开, and which
//! meeting may decide them.
//!
//! 村委会组织法 Art 24 lists the matters "涉及村民利益" that only the villagers' meeting decides
//! (or the representatives' meeting it authorises); 集体经济组织法 Art 26 lists the collective
//! economic organisation's assembly's powers, and Art 28 those its representatives may not
//! exercise. 四议两公开 is the party's procedure for a village's major matters (DOMAIN.md §7):
//! every matter of Art 24 goes through it, and so does every distribution.

use crate::rules::meetings::MeetingKind;
use serde::{Deserialize, Serialize};

/// A matter a village or its collective economic organisation decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatterKind {
    /// Art 24(一): who receives an allowance for time lost and how much (误工补贴).
    Allowances,
    /// Art 24(二): the use of the collective economy's income.
    CollectiveIncome,
    /// Art 24(三): public-benefit works, their funding and labour, and their contracts.
    PublicWorks,
    /// Art 24(四): the land contracting plan.
    LandContracting,
    /// Art 24(五): collective economic projects and their contracts.
    CollectiveProjects,
    /// Art 24(六): the use of house sites (宅基地).
    HouseSites,
    /// Art 24(七): the use and distribution of land requisition compensation.
    Compensation,
    /// Art 24(八): disposing of collective property by loan, lease or otherwise.
    PropertyDisposal,
    /// 集体经济组织法 Art 26(三): confirming who is a member.
    MembershipConfirmation,
    /// Art 26(七): the income distribution plan (收益分配方案).
    IncomeDistribution,
    /// Art 26(八): quantifying shares of the collective's operating assets (份额量化).
    ShareQuantification,
    /// Art 26(十): the distribution of land compensation.
    LandCompensationDistribution,
    /// Art 26(十二): merging or dividing the organisation.
    MergerOrDivision,
    /// Art 26(一): the organisation's articles.
    Articles,
    /// A village's other business (no meeting is reserved for it by law).
    Ordinary,
}

impl MatterKind {
    pub const ALL: [MatterKind; 15] = [
        MatterKind::Allowances,
        MatterKind::CollectiveIncome,
        MatterKind::PublicWorks,
        MatterKind::LandContracting,
        MatterKind::CollectiveProjects,
        MatterKind::HouseSites,
        MatterKind::Compensation,
        MatterKind::PropertyDisposal,
        MatterKind::MembershipConfirmation,
        MatterKind::IncomeDistribution,
        MatterKind::ShareQuantification,
        MatterKind::LandCompensationDistribution,
        MatterKind::MergerOrDivision,
        MatterKind::Articles,
        MatterKind::Ordinary,
    ];

    /// Its name in the API and the store (`income_distribution`).
    pub fn as_str(self) -> &'static str {
        match self {
            MatterKind::Allowances => "allowances",
            MatterKind::CollectiveIncome => "collective_income",
            MatterKind::PublicWorks => "public_works",
            MatterKind::LandContracting => "land_contracting",
            MatterKind::CollectiveProjects => "collective_projects",
            MatterKind::HouseSites => "house_sites",
            MatterKind::Compensation => "compensation",
            MatterKind::PropertyDisposal => "property_disposal",
            MatterKind::MembershipConfirmation => "membership_confirmation",
            MatterKind::IncomeDistribution => "income_distribution",
            MatterKind::ShareQuantification => "share_quantification",
            MatterKind::LandCompensationDistribution => "land_compensation_distribution",
            MatterKind::MergerOrDivision => "merger_or_division",
            MatterKind::Articles => "articles",
            MatterKind::Ordinary => "ordinary",
        }
    }

    /// The kind a stored name stands for.
    pub fn named(name: &str) -> Option<MatterKind> {
        MatterKind::ALL.into_iter().find(|m| m.as_str() == name)
    }

    pub fn zh(self) -> &'static str {
        match self {
            MatterKind::Allowances => "误工补贴人员及标准",
            MatterKind::CollectiveIncome => "村集体经济所得收益的使用",
            MatterKind::PublicWorks => "公益事业兴办和筹资筹劳、建设承包方案",
            MatterKind::LandContracting => "土地承包经营方案",
            MatterKind::CollectiveProjects => "村集体经济项目立项、承包方案",
            MatterKind::HouseSites => "宅基地使用方案",
            MatterKind::Compensation => "征地补偿费使用、分配方案",
            MatterKind::PropertyDisposal => "以借贷、租赁等方式处分村集体财产",
            MatterKind::MembershipConfirmation => "确认集体经济组织成员",
            MatterKind::IncomeDistribution => "收益分配方案",
            MatterKind::ShareQuantification => "集体经营性财产收益权份额量化方案",
            MatterKind::LandCompensationDistribution => "土地补偿费分配、使用办法",
            MatterKind::MergerOrDivision => "集体经济组织合并、分立",
            MatterKind::Articles => "制定、修改集体经济组织章程",
            MatterKind::Ordinary => "其他村务",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            MatterKind::Allowances => "allowances for time lost",
            MatterKind::CollectiveIncome => "use of the collective's income",
            MatterKind::PublicWorks => "public works, their funding and contracts",
            MatterKind::LandContracting => "land contracting plan",
            MatterKind::CollectiveProjects => "collective projects and their contracts",
            MatterKind::HouseSites => "house sites",
            MatterKind::Compensation => "land requisition compensation",
            MatterKind::PropertyDisposal => "disposal of collective property",
            MatterKind::MembershipConfirmation => "confirming the collective's members",
            MatterKind::IncomeDistribution => "income distribution plan",
            MatterKind::ShareQuantification => "quantifying shares",
            MatterKind::LandCompensationDistribution => "land compensation distribution",
            MatterKind::MergerOrDivision => "merger or division of the collective",
            MatterKind::Articles => "the collective's articles",
            MatterKind::Ordinary => "other village business",
        }
    }

    /// The article that reserves it.
    pub fn article(self) -> &'static str {
        match self {
            MatterKind::Allowances => "村委会组织法第二十四条第一项",
            MatterKind::CollectiveIncome => "村委会组织法第二十四条第二项",
            MatterKind::PublicWorks => "村委会组织法第二十四条第三项",
            MatterKind::LandContracting => "村委会组织法第二十四条第四项",
            MatterKind::CollectiveProjects => "村委会组织法第二十四条第五项",
            MatterKind::HouseSites => "村委会组织法第二十四条第六项",
            MatterKind::Compensation => "村委会组织法第二十四条第七项",
            MatterKind::PropertyDisposal => "村委会组织法第二十四条第八项",
            MatterKind::MembershipConfirmation => "集体经济组织法第二十六条第三项",
            MatterKind::IncomeDistribution => "集体经济组织法第二十六条第七项",
            MatterKind::ShareQuantification => "集体经济组织法第二十六条第八项",
            MatterKind::LandCompensationDistribution => "集体经济组织法第二十六条第十项",
            MatterKind::MergerOrDivision => "集体经济组织法第二十六条第十二项",
            MatterKind::Articles => "集体经济组织法第二十六条第一项",
            MatterKind::Ordinary => "",
        }
    }

    /// Whether it belongs to the collective economic organisation (its assembly decides).
    pub fn of_the_collective(self) -> bool {
        matches!(
            self,
            MatterKind::MembershipConfirmation
                | MatterKind::IncomeDistribution
                | MatterKind::ShareQuantification
                | MatterKind::LandCompensationDistribution
                | MatterKind::MergerOrDivision
                | MatterKind::Articles
        )
    }

    /// Whether it must go through 四议两公开: every matter the law reserves to a meeting.
    pub fn needs_four_deliberations(self) -> bool {
        self != MatterKind::Ordinary
    }

    /// Whether a distribution's plan must be open to inspection for ten days before the vote
    /// (the county's publicity rule for every plan that shares out money).
    pub fn is_distribution(self) -> bool {
        matches!(
            self,
            MatterKind::Compensation
                | MatterKind::IncomeDistribution
                | MatterKind::LandCompensationDistribution
        )
    }
}

/// Whether a meeting of `kind` may decide the matter; the reason if not. `authorised` says
/// whether the villagers' meeting has authorised the representatives' meeting (Art 24's last
/// paragraph; Art 25).
pub fn may_decide(matter: MatterKind, kind: MeetingKind, authorised: bool) -> Result<(), String> {
    use MeetingKind::*;
    if matter.of_the_collective() {
        return match kind {
            MembersAssembly => Ok(()),
            // 集体经济组织法 Art 28: 但是第一项、第三项、第八项、第十项、第十二项规定的职权除外。
            MemberRepresentativesAssembly => match matter {
                MatterKind::Articles
                | MatterKind::MembershipConfirmation
                | MatterKind::ShareQuantification
                | MatterKind::LandCompensationDistribution
                | MatterKind::MergerOrDivision => Err(format!(
                    "“{}”只能由成员大会决定，成员代表大会无权决定（集体经济组织法第二十八条）",
                    matter.zh()
                )),
                _ => Ok(()),
            },
            _ => Err(format!(
                "“{}”由集体经济组织成员大会或成员代表大会决定（{}）",
                matter.zh(),
                matter.article()
            )),
        };
    }
    if matter == MatterKind::Ordinary {
        return Ok(());
    }
    match kind {
        VillagersMeeting => Ok(()),
        RepresentativesMeeting if authorised => Ok(()),
        RepresentativesMeeting => Err(format!(
            "“{}”须经村民会议决定，村民会议授权后方可由村民代表会议决定（村委会组织法第二十四条）",
            matter.zh()
        )),
        _ => Err(format!(
            "“{}”须经村民会议或其授权的村民代表会议决定（{}）",
            matter.zh(),
            matter.article()
        )),
    }
}

/// Words that show a matter belongs to a reserved kind, checked in this order (the more
/// particular first: 土地补偿费的分配 before 土地, 收益分配 before 收益).
const SIGNS: &[(&[&str], MatterKind)] = &[
    (&["章程"], MatterKind::Articles),
    (&["合并", "分立"], MatterKind::MergerOrDivision),
    (
        &["成员确认", "成员资格", "确认成员", "成员身份", "成员名单"],
        MatterKind::MembershipConfirmation,
    ),
    (
        &["份额量化", "股份量化", "折股量化", "量化方案"],
        MatterKind::ShareQuantification,
    ),
    (&["土地补偿费"], MatterKind::LandCompensationDistribution),
    (
        &["征地补偿", "征收补偿", "拆迁补偿", "安置补偿"],
        MatterKind::Compensation,
    ),
    (
        &["收益分配", "分红", "分配方案"],
        MatterKind::IncomeDistribution,
    ),
    (&["宅基地"], MatterKind::HouseSites),
    (
        &["土地承包", "承包地", "土地流转", "承包经营"],
        MatterKind::LandContracting,
    ),
    (&["误工补贴", "误工费"], MatterKind::Allowances),
    (
        &[
            "出租", "租赁", "借贷", "抵押", "出售", "转让", "处置", "处分",
        ],
        MatterKind::PropertyDisposal,
    ),
    (
        &["集体收益", "集体收入", "集体资金使用"],
        MatterKind::CollectiveIncome,
    ),
    (
        &["立项", "集体经济项目", "项目承包", "合作社项目"],
        MatterKind::CollectiveProjects,
    ),
    (
        &[
            "修路",
            "道路硬化",
            "公益事业",
            "筹资筹劳",
            "一事一议",
            "饮水工程",
            "建设承包",
        ],
        MatterKind::PublicWorks,
    ),
];

/// The reserved kind a matter's title and description show, if any: the classifier that keeps a
/// matter the law reserves to a meeting from being filed as ordinary business.
pub fn classify(text: &str) -> Option<MatterKind> {
    SIGNS
        .iter()
        .find(|(words, _)| words.iter().any(|w| text.contains(w)))
        .map(|(_, kind)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeetingKind::*;

    #[test]
    fn art_24_matters_go_to_the_villagers() {
        for m in MatterKind::ALL.iter().filter(|m| !m.of_the_collective()) {
            if *m == MatterKind::Ordinary {
                assert!(!m.needs_four_deliberations());
                continue;
            }
            assert!(m.needs_four_deliberations(), "{m:?}");
            assert!(m.article().starts_with("村委会组织法第二十四条"), "{m:?}");
            assert!(may_decide(*m, VillagersMeeting, false).is_ok());
            assert!(may_decide(*m, RepresentativesMeeting, true).is_ok());
            let e = may_decide(*m, RepresentativesMeeting, false).unwrap_err();
            assert!(e.contains("授权"), "{e}");
            assert!(may_decide(*m, PartyMembersMeeting, true).is_err());
        }
    }

    #[test]
    fn what_member_representatives_may_not_decide() {
        // Art 28 excludes Art 26 items 1, 3, 8, 10 and 12.
        let excluded = [
            MatterKind::Articles,
            MatterKind::MembershipConfirmation,
            MatterKind::ShareQuantification,
            MatterKind::LandCompensationDistribution,
            MatterKind::MergerOrDivision,
        ];
        for m in MatterKind::ALL.iter().filter(|m| m.of_the_collective()) {
            assert!(may_decide(*m, MembersAssembly, false).is_ok());
            let reps = may_decide(*m, MemberRepresentativesAssembly, false);
            assert_eq!(reps.is_err(), excluded.contains(m), "{m:?}");
            assert!(may_decide(*m, VillagersMeeting, true).is_err(), "{m:?}");
        }
        assert!(may_decide(
            MatterKind::IncomeDistribution,
            MemberRepresentativesAssembly,
            false
        )
        .is_ok());
    }

    #[test]
    fn names_match_the_api() {
        for m in MatterKind::ALL {
            let json = format!("\"{}\"", m.as_str());
            assert_eq!(serde_json::from_str::<MatterKind>(&json).unwrap(), m);
        }
    }

    #[test]
    fn the_classifier_reads_titles_as_villages_write_them() {
        for (title, kind) in [
            (
                "2026年度集体经营收益分配方案",
                Some(MatterKind::IncomeDistribution),
            ),
            ("关于村东头宅基地使用的方案", Some(MatterKind::HouseSites)),
            ("高速公路征地补偿费使用方案", Some(MatterKind::Compensation)),
            (
                "土地补偿费分配办法",
                Some(MatterKind::LandCompensationDistribution),
            ),
            ("村集体闲置厂房出租", Some(MatterKind::PropertyDisposal)),
            (
                "村内道路硬化工程筹资筹劳方案",
                Some(MatterKind::PublicWorks),
            ),
            (
                "确认集体经济组织成员名单",
                Some(MatterKind::MembershipConfirmation),
            ),
            ("修改集体经济组织章程", Some(MatterKind::Articles)),
            ("组织重阳节敬老活动", None),
        ] {
            assert_eq!(classify(title), kind, "{title}");
        }
    }

    #[test]
    fn distributions_are_inspected_first() {
        assert!(MatterKind::IncomeDistribution.is_distribution());
        assert!(MatterKind::Compensation.is_distribution());
        assert!(!MatterKind::HouseSites.is_distribution());
        assert!(
            !MatterKind::CollectiveIncome.is_distribution(),
            "a use, not a share-out"
        );
    }
}

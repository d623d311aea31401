//! Names, numerals and phone numbers for synthetic residents.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use xiangzhi_domain::Gender;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁",
    "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶",
    "阎", "余", "潘", "杜", "戴", "夏", "田", "任", "姜", "范", "方", "石", "姚", "谭", "邹", "秦",
    "史", "侯", "孟", "武", "乔", "贺", "常", "牛", "段", "樊", "卫", "郝", "霍", "柴", "原", "畅",
];
const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宁", "建国", "建军", "志强", "海", "亮", "林", "峰", "浩", "宇", "俊", "国庆",
    "保平", "小龙", "文博", "子豪", "晋生", "永红", "红军", "福生", "有才", "天佑",
];
const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玉兰", "燕", "红", "萍", "玲",
    "丹", "慧", "莉", "梅", "婷", "雪", "琳", "欣怡", "子涵", "雨桐", "淑珍", "凤英", "金花",
    "晓红", "春梅", "翠兰", "爱华", "巧云", "彩霞", "思雨", "佳怡", "瑞",
];
/// Units that send dedicated grid workers and first secretaries.
pub const UNITS: &[&str] = &[
    "县公安局派出所",
    "县教育局中心学校",
    "乡镇卫生院",
    "县供电公司",
    "县农业农村局",
    "县司法局司法所",
    "县市场监管局",
];

pub fn surname(rng: &mut ChaCha8Rng) -> &'static str {
    // A few surnames dominate a village; weight the first ten.
    if rng.random_bool(0.5) {
        SURNAMES[rng.random_range(0..10)]
    } else {
        SURNAMES[rng.random_range(0..SURNAMES.len())]
    }
}

pub fn given(rng: &mut ChaCha8Rng, g: Gender) -> &'static str {
    let list = if g == Gender::Male { MALE } else { FEMALE };
    list[rng.random_range(0..list.len())]
}

pub fn person(rng: &mut ChaCha8Rng) -> String {
    let g = if rng.random_bool(0.6) {
        Gender::Male
    } else {
        Gender::Female
    };
    format!("{}{}", surname(rng), given(rng, g))
}

pub fn mobile(rng: &mut ChaCha8Rng) -> String {
    const PREFIX: &[&str] = &[
        "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183",
        "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189",
        "199",
    ];
    format!(
        "{}{:08}",
        PREFIX[rng.random_range(0..PREFIX.len())],
        rng.random_range(0..100_000_000u32)
    )
}

/// Chinese numerals for ordinal names up to 99 (第一, 第十二, 第二十).
pub fn numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => D[n].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numerals() {
        assert_eq!(super::numeral(1), "一");
        assert_eq!(super::numeral(12), "十二");
        assert_eq!(super::numeral(20), "二十");
        assert_eq!(super::numeral(35), "三十五");
    }
}

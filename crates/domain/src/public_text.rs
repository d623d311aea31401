//! Text shown to the public (the Open311 feed): phone and ID numbers typed into a description are
//! masked, since the people who write them do not expect them to be published.

/// Masks every number in `s` that may be a phone or an ID number: a run of 7 or more digits (a
/// landline without its area code, a mobile, an ID number, with a final X), or a group of digits
/// joined by spaces or hyphens that holds 10 or more (`138 0013 8000`, `0357-6812345`). Full-width
/// digits count too. The first three and last two digits stay; dates (`2026-11-30`) and
/// ordinary amounts stay as they are.
pub fn mask_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The token: digits, single separators between digits, and a final X of an ID number.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        let mut separated = false;
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            if digit(c) {
                digits += 1;
                j += 1;
                end = j;
            } else if matches!(c, ' ' | '-') && j + 1 < chars.len() && digit(chars[j + 1]) {
                separated = true;
                j += 1;
            } else if matches!(c, 'X' | 'x') && digits == 17 && !separated {
                digits += 1;
                j += 1;
                end = j;
                break;
            } else {
                break;
            }
        }
        let mask = if separated { digits >= 10 } else { digits >= 7 };
        let mut seen = 0;
        for &c in &chars[start..end] {
            let is_digit = digit(c) || matches!(c, 'X' | 'x');
            if is_digit {
                seen += 1;
            }
            if mask && is_digit && seen > 3 && seen <= digits - 2 {
                out.push('*');
            } else {
                out.push(c);
            }
        }
        i = end;
    }
    out
}

/// A person's name as a public notice shows it (个人信息保护法 Art 28: a name with what it is
/// shown beside is personal information): the surname and, for three or more characters, the
/// last character stay (`李秀英` → `李*英`, `王强` → `王*`), enough for a household to find
/// its own line, not enough to publish who everyone is.
pub fn mask_name(name: &str) -> String {
    let n = name.trim().chars().count();
    match n {
        0 => String::new(),
        1 => "*".into(),
        2 => crate::id_number::mask(name.trim(), 1, 0),
        _ => crate::id_number::mask(name.trim(), 1, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::{mask_name, mask_numbers};

    #[test]
    fn names_keep_the_surname() {
        assert_eq!(mask_name("李秀英"), "李*英");
        assert_eq!(mask_name("王强"), "王*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name(" 张 "), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn phones_and_ids_are_masked() {
        assert_eq!(mask_numbers("请联系13800138000"), "请联系138******00");
        assert_eq!(mask_numbers("电话 138 0013 8000。"), "电话 138 **** **00。");
        assert_eq!(
            mask_numbers("身份证14102919800101001X"),
            "身份证141*************1X"
        );
        assert_eq!(mask_numbers("座机0357-6812345"), "座机035*-*****45");
        assert_eq!(mask_numbers("１３８００１３８０００"), "１３８******００");
    }

    #[test]
    fn dates_and_amounts_stay() {
        for s in ["2026-11-30 上午", "损失约12000元", "3号楼2单元", "10-12户"] {
            assert_eq!(mask_numbers(s), s);
        }
    }
}

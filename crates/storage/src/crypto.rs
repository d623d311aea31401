//! Encryption at rest of personal data (ID numbers, phones) with the commercial cryptography
//! algorithms GB/T 39786 expects of a level-3 system: SM4 in GCM mode for the values, HMAC-SM3
//! for the keyed index that lets a full ID number still be searched and kept unique.
//!
//! One data key per process ([`install`]), from configuration; the two working keys are derived
//! from it, so the key that encrypts never doubles as the key that indexes. A database records
//! the key's fingerprint on first use and refuses a different key (`Db::connect`).
//!
//! A sealed value is text: `s4g1:` + base64url(nonce ‖ ciphertext ‖ tag). The nonce is random
//! (96 bits), so two equal values never look alike in the database; the field name is bound in
//! as associated data, so an ID-number ciphertext cannot be passed off as a phone.

use crate::{Result, StoreError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::AesGcm;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;
use std::sync::OnceLock;

type Sm4Gcm = AesGcm<Sm4, aes_gcm::aead::consts::U12>;
type HmacSm3 = Hmac<Sm3>;

const PREFIX: &str = "s4g1:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The configured data key (32 bytes, usually written as 64 hex digits).
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.fingerprint())
    }
}

impl DataKey {
    pub fn from_bytes(b: [u8; 32]) -> DataKey {
        DataKey(b)
    }

    /// A fresh random key.
    pub fn generate() -> DataKey {
        let mut b = [0u8; 32];
        rand::rng().fill_bytes(&mut b);
        DataKey(b)
    }

    /// Parses 64 hexadecimal digits (surrounding white space ignored).
    pub fn from_hex(s: &str) -> Result<DataKey> {
        let s = s.trim();
        let bad = || {
            StoreError::invalid(
                "data_key",
                "数据密钥应为64位十六进制数字",
                "the data key must be 64 hexadecimal digits",
            )
        };
        let b: [u8; 32] = unhex(s).and_then(|v| v.try_into().ok()).ok_or_else(bad)?;
        Ok(DataKey(b))
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    fn derive(&self, label: &str) -> [u8; 32] {
        let mut m =
            <HmacSm3 as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length");
        m.update(b"xiangzhi/");
        m.update(label.as_bytes());
        m.finalize().into_bytes().into()
    }

    /// A public name for the key (not secret): the first 8 bytes of a derived value, in hex.
    pub fn fingerprint(&self) -> String {
        hex(&self.derive("fingerprint")[..8])
    }
}

/// The working keys of this process.
pub struct Keyring {
    cipher: Sm4Gcm,
    index: HmacSm3,
    audit: HmacSm3,
    checkpoint: sm2::dsa::SigningKey,
    fingerprint: String,
}

/// The distinguishing identifier SM2 signatures of audit checkpoints are made with.
pub const CHECKPOINT_DISTID: &str = "xiangzhi-audit-checkpoint";

impl Keyring {
    pub fn new(key: &DataKey) -> Keyring {
        let enc = key.derive("sm4-gcm");
        let idx = key.derive("hmac-sm3-index");
        let audit = key.derive("hmac-sm3-audit-chain");
        Keyring {
            cipher: Sm4Gcm::new_from_slice(&enc[..16]).expect("SM4 takes a 16-byte key"),
            index: <HmacSm3 as KeyInit>::new_from_slice(&idx).expect("HMAC takes any key length"),
            audit: <HmacSm3 as KeyInit>::new_from_slice(&audit).expect("HMAC takes any key length"),
            checkpoint: checkpoint_key(key),
            fingerprint: key.fingerprint(),
        }
    }

    /// The keyed hash of an audit entry's serialised fields (HMAC-SM3, hex): without the data
    /// key nobody can compute it, so a rewritten chain cannot be made to verify.
    pub fn audit_mac(&self, data: &[u8]) -> String {
        let mut m = self.audit.clone();
        m.update(data);
        hex(&m.finalize().into_bytes())
    }

    /// Signs an audit checkpoint (SM2, hex of r ‖ s).
    pub fn sign_checkpoint(&self, message: &[u8]) -> String {
        use sm2::dsa::signature::Signer;
        let sig: sm2::dsa::Signature = self.checkpoint.sign(message);
        hex(&sig.to_bytes())
    }

    /// The public key that checks checkpoint signatures (SEC1 uncompressed, hex); an auditor
    /// keeps it with the checkpoints.
    pub fn checkpoint_public_key(&self) -> String {
        hex(&self.checkpoint.verifying_key().to_sec1_bytes())
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Encrypts `plain` for the column `field`.
    pub fn seal(&self, field: &str, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: plain.as_bytes(),
                    aad: field.as_bytes(),
                },
            )
            .expect("SM4-GCM encryption of a short value cannot fail");
        let mut raw = Vec::with_capacity(12 + ct.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ct);
        let mut out = String::with_capacity(PREFIX.len() + raw.len() * 4 / 3 + 4);
        out.push_str(PREFIX);
        B64.encode_string(&raw, &mut out);
        out
    }

    /// Decrypts a value sealed for `field`; a value that is not sealed, was sealed under another
    /// key or was altered is an error, never garbage.
    pub fn open(&self, field: &str, sealed: &str) -> Result<String> {
        let bad = || {
            StoreError::invalid(
                field,
                "加密数据无法解密：密钥不符或数据被改动",
                "encrypted data cannot be decrypted: wrong key or altered data",
            )
        };
        let body = sealed.strip_prefix(PREFIX).ok_or_else(bad)?;
        let raw = B64.decode(body).map_err(|_| bad())?;
        if raw.len() < 12 + 16 {
            return Err(bad());
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce =
            <&aes_gcm::Nonce<aes_gcm::aead::consts::U12>>::try_from(nonce).map_err(|_| bad())?;
        let plain = self
            .cipher
            .decrypt(
                nonce,
                Payload {
                    msg: ct,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }

    /// The keyed index of a value (HMAC-SM3, 128 bits in base64url): equal values, equal index;
    /// without the key it reveals nothing and cannot be computed by guessing ID numbers.
    pub fn index(&self, field: &str, plain: &str) -> String {
        let mut m = self.index.clone();
        m.update(field.as_bytes());
        m.update(b"\0");
        m.update(plain.as_bytes());
        B64.encode(&m.finalize().into_bytes()[..16])
    }
}

/// The SM2 key that signs audit checkpoints, derived from the data key (a scalar out of range,
/// vanishingly unlikely, is derived again with a counter).
fn checkpoint_key(key: &DataKey) -> sm2::dsa::SigningKey {
    for i in 0u32.. {
        let d = key.derive(&format!("sm2-audit-checkpoint/{i}"));
        if let Ok(sk) = sm2::SecretKey::from_slice(&d) {
            if let Ok(k) = sm2::dsa::SigningKey::new(CHECKPOINT_DISTID, &sk) {
                return k;
            }
        }
    }
    unreachable!("a valid SM2 scalar is found within a few tries")
}

/// Checks a checkpoint signature against a public key (both hex).
pub fn verify_checkpoint(public_key: &str, message: &[u8], signature: &str) -> bool {
    use sm2::dsa::signature::Verifier;
    let (Some(pk), Some(sig)) = (unhex(public_key), unhex(signature)) else {
        return false;
    };
    let Ok(vk) = sm2::dsa::VerifyingKey::from_sec1_bytes(CHECKPOINT_DISTID, &pk) else {
        return false;
    };
    let Ok(sig) = sm2::dsa::Signature::try_from(sig.as_slice()) else {
        return false;
    };
    vk.verify(message, &sig).is_ok()
}

/// Bytes as lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hexadecimal digits as bytes; `None` unless every pair is a hex byte.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

pub fn is_sealed(v: &str) -> bool {
    v.starts_with(PREFIX)
}

static KEYRING: OnceLock<Keyring> = OnceLock::new();

/// Makes `key` this process's data key. Installing the same key again is harmless; a different
/// key is refused (values sealed under the first would become unreadable).
pub fn install(key: &DataKey) -> Result<()> {
    let ring = KEYRING.get_or_init(|| Keyring::new(key));
    if ring.fingerprint != key.fingerprint() {
        return Err(StoreError::invalid(
            "data_key",
            "本进程已使用另一个数据密钥",
            "this process already uses a different data key",
        ));
    }
    Ok(())
}

/// The installed keyring.
pub fn keyring() -> Result<&'static Keyring> {
    KEYRING.get().ok_or_else(|| {
        StoreError::invalid("data_key", "未配置数据密钥", "no data key is configured")
    })
}

/// Seals with the installed key (the caller has checked one is installed: `Db::connect` does).
pub fn seal(field: &str, plain: &str) -> String {
    installed().seal(field, plain)
}

fn installed() -> &'static Keyring {
    KEYRING
        .get()
        .expect("Db::connect refuses to start without a data key")
}

pub fn seal_opt(field: &str, plain: Option<&str>) -> Option<String> {
    plain.map(|p| seal(field, p))
}

/// The keyed index with the installed key.
pub fn index(field: &str, plain: &str) -> String {
    installed().index(field, plain)
}

/// The keyed index of a phone number (residents are found by phone through it, never by opening
/// every sealed phone).
pub fn phone_index(phone: Option<&str>) -> Option<String> {
    phone.map(|p| index("phone", p.trim()))
}

/// The last four characters of an ID number (身份证后四位), as searched for.
pub fn id_tail(id_number: &str) -> String {
    let t = id_number.trim().to_ascii_uppercase();
    t.chars()
        .skip(t.chars().count().saturating_sub(4))
        .collect()
}

/// The keyed index of an ID number's last four characters: residents are found by them through
/// it (a few dozen in a county share them; only those are opened to show).
pub fn id_tail_index(id_number: &str) -> String {
    index("id_tail", &id_tail(id_number))
}

/// A column value sealed in the database, opened while a row is decoded
/// (`#[sqlx(try_from = "SealedIdNumber")]` and friends).
macro_rules! sealed_column {
    ($name:ident, $opt:ident, $field:literal) => {
        #[doc = concat!("The sealed `", $field, "` column, decoded to its plain text.")]
        pub struct $name(pub String);
        #[doc = concat!("The sealed, nullable `", $field, "` column.")]
        pub struct $opt(pub Option<String>);

        impl TryFrom<$name> for String {
            type Error = StoreError;
            fn try_from(v: $name) -> Result<String> {
                keyring()?.open($field, &v.0)
            }
        }
        impl TryFrom<$opt> for Option<String> {
            type Error = StoreError;
            fn try_from(v: $opt) -> Result<Option<String>> {
                v.0.map(|s| keyring()?.open($field, &s)).transpose()
            }
        }
        sealed_column!(@sqlx $name, String, |s| $name(s));
        sealed_column!(@sqlx $opt, Option<String>, |s| $opt(s));
    };
    (@sqlx $name:ident, $inner:ty, $wrap:expr) => {
        impl sqlx::Type<sqlx::Sqlite> for $name {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <String as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
            fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
            }
        }
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Sqlite> for $name {
            fn decode(
                v: sqlx::sqlite::SqliteValueRef<'r>,
            ) -> std::result::Result<Self, sqlx::error::BoxDynError> {
                let s = <$inner as sqlx::Decode<'r, sqlx::Sqlite>>::decode(v)?;
                Ok($wrap(s))
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(
                v: sqlx::postgres::PgValueRef<'r>,
            ) -> std::result::Result<Self, sqlx::error::BoxDynError> {
                let s = <$inner as sqlx::Decode<'r, sqlx::Postgres>>::decode(v)?;
                Ok($wrap(s))
            }
        }
    };
}

sealed_column!(SealedIdNumber, SealedIdNumberOpt, "id_number");
sealed_column!(SealedPhone, SealedPhoneOpt, "phone");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_index() {
        let k = DataKey::from_hex(&"ab".repeat(32)).expect("hex key");
        let ring = Keyring::new(&k);
        let a = ring.seal("id_number", "11010519491231002X");
        let b = ring.seal("id_number", "11010519491231002X");
        assert!(is_sealed(&a));
        assert_ne!(a, b, "random nonce: equal values do not look alike");
        assert_eq!(
            ring.open("id_number", &a).expect("opens"),
            "11010519491231002X"
        );
        assert!(
            ring.open("phone", &a).is_err(),
            "bound to its field by the associated data"
        );
        let mut t = a.clone().into_bytes();
        let last = t.len() - 3;
        t[last] = if t[last] == b'A' { b'B' } else { b'A' };
        assert!(ring
            .open("id_number", &String::from_utf8(t).expect("utf8"))
            .is_err());
        let other = Keyring::new(&DataKey::from_hex(&"cd".repeat(32)).expect("hex"));
        assert!(
            other.open("id_number", &a).is_err(),
            "another key cannot open it"
        );
        assert_eq!(
            ring.index("id_number", "11010519491231002X"),
            ring.index("id_number", "11010519491231002X")
        );
        assert_ne!(
            ring.index("id_number", "11010519491231002X"),
            other.index("id_number", "11010519491231002X")
        );
        assert_eq!(k.to_hex(), "ab".repeat(32));
        assert!(DataKey::from_hex("xyz").is_err());
    }

    /// SM3 and SM4 against the test vectors of GB/T 32905 and GB/T 32907.
    #[test]
    fn national_standard_vectors() {
        use sm3::Digest;
        let d = Sm3::digest(b"abc");
        assert_eq!(
            hex(&d),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        use sm4::cipher::{BlockCipherEncrypt, KeyInit as _};
        let key: [u8; 16] = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ];
        let c = Sm4::new(&key.into());
        let mut block = key.into();
        c.encrypt_block(&mut block);
        assert_eq!(hex(&block), "681edf34d206965e86b3e94f536e4246");
    }
}

//! The demo's "photos": small PNG pictures drawn from a seed (a sky, a hillside, a road), so the
//! case pages and the tracking page show real images. A minimal PNG writer: stored (uncompressed)
//! deflate blocks, CRC-32 and Adler-32 by hand.

/// CRC-32 (IEEE) of `parts`, as PNG chunks carry it.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for p in parts {
        for &b in *p {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
    }
    !c
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// A `w`×`h` RGB picture of a hillside road under a sky, its colours shifted by `seed`.
pub fn png(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let shift = (seed % 60) as u8;
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // no filter
        for x in 0..w {
            let hill = h / 2 + ((x * 7 + seed as u32 * 13) % (h / 4).max(1));
            let road = (x as i64 - w as i64 / 2).unsigned_abs()
                < u64::from(y.saturating_sub(h / 2) / 2 + 4);
            let (r, g, b) = if y < hill / 2 {
                (120u8, 170u8.saturating_add(shift / 3), 230u8) // sky
            } else if road && y > hill {
                (150, 145, 140) // the road
            } else if y < hill {
                (90, 130u8.saturating_add(shift), 70) // the hillside
            } else {
                (190u8.saturating_sub(shift), 160, 110) // loess
            };
            raw.extend_from_slice(&[r, g, b]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let n = block.len() as u16;
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn checksums_are_the_standard_ones() {
        assert_eq!(super::crc32(&[b"IEND"]), 0xAE42_6082);
        assert_eq!(super::adler32(b"Wikipedia"), 0x11E6_0398);
        let p = super::png(16, 8, 3);
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n") && p.ends_with(&[0xAE, 0x42, 0x60, 0x82]));
    }
}

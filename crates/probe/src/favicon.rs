//! Favicon hashes: MD5 (hex) and the Shodan-style MurmurHash3.
//!
//! Shodan's `http.favicon.hash` is `mmh3.hash(base64.encodebytes(data))` in Python: MurmurHash3
//! x86_32 with seed 0 over the standard base64 text with a newline after every 76 characters
//! and after the last line, read as a signed 32-bit integer.

use base64::Engine as _;
use md5::{Digest as _, Md5};

/// MurmurHash3 x86_32.
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k: u32 = 0;
        for (i, b) in tail.iter().enumerate() {
            k |= u32::from(*b) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// Python's `base64.encodebytes`: 76-character lines, each ending in `\n`.
pub fn base64_mime(data: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(b64.len() + b64.len() / 76 + 1);
    for line in b64.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Shodan `http.favicon.hash` of the icon bytes.
pub fn favicon_mmh3(data: &[u8]) -> i32 {
    murmur3_32(base64_mime(data).as_bytes(), 0) as i32
}

/// Lower-case hex MD5 of the icon bytes.
pub fn favicon_md5(data: &[u8]) -> String {
    let d = Md5::digest(data);
    crate::util::hex(&d, 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_vectors() {
        // Published MurmurHash3_x86_32 vectors and python mmh3 results.
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"Hello, world!", 1234), 0xfaf6_cdb3);
        assert_eq!(
            murmur3_32(b"The quick brown fox jumps over the lazy dog", 0x9747_b28c),
            0x2fa8_26cd
        );
        assert_eq!(murmur3_32(b"foo", 0) as i32, -156_908_512); // mmh3.hash("foo")
        assert_eq!(murmur3_32(b"hello", 0) as i32, 613_153_351); // mmh3.hash(b"hello")
    }

    #[test]
    fn favicon_vectors() {
        // Cross-checked with python: mmh3.hash(base64.encodebytes(data)).
        let data: Vec<u8> = (0..=255u8).cycle().take(768).collect();
        assert_eq!(favicon_mmh3(&data), 1_836_528_006);
        assert_eq!(
            favicon_mmh3(b"\x00\x00\x01\x00\x01\x00\x10\x10"),
            1_661_453_573
        );
        let mime = base64_mime(&data);
        assert!(mime.lines().all(|l| l.len() <= 76));
        assert!(mime.ends_with('\n'));
        assert_eq!(favicon_md5(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}

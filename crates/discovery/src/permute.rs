//! A keyed pseudo-random permutation of `0..n`, for walking targets in a random order in O(1)
//! memory.
//!
//! A balanced Feistel network over the smallest even number of bits that holds `n` is a
//! bijection on `0..2^bits`; "cycle walking" (re-applying it while the result is `>= n`) turns
//! it into a bijection on `0..n`. Because `2^bits < 4n`, the expected number of walks is below
//! four. This is the construction of format-preserving encryption (Black & Rogaway 2002);
//! cryptographic strength is not needed here, only a good spread of consecutive indexes
//! across subnets, so the round function is a SplitMix64 finaliser.

/// A permutation of `0..n`.
#[derive(Clone, Debug)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    keys: [u64; 4],
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Permutation {
    /// A permutation of `0..n` chosen by `seed`.
    pub fn new(n: u64, seed: u64) -> Self {
        let bits = if n <= 1 {
            2
        } else {
            64 - (n - 1).leading_zeros()
        };
        let bits = (bits + (bits & 1)).max(2);
        let mut s = seed;
        let mut keys = [0u64; 4];
        for k in &mut keys {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            *k = mix(s);
        }
        Permutation {
            n,
            half_bits: bits / 2,
            keys,
        }
    }

    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn feistel(&self, x: u64) -> u64 {
        let hb = self.half_bits;
        let mask = if hb == 64 { u64::MAX } else { (1u64 << hb) - 1 };
        let (mut l, mut r) = ((x >> hb) & mask, x & mask);
        for k in self.keys {
            let f = mix(r ^ k) & mask;
            (l, r) = (r, l ^ f);
        }
        (l << hb) | r
    }

    /// The image of `i` (`i < n`).
    pub fn apply(&self, i: u64) -> u64 {
        debug_assert!(i < self.n);
        let mut x = i;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_for_many_sizes() {
        for n in [
            1u64, 2, 3, 4, 5, 7, 16, 100, 255, 256, 257, 1000, 4096, 65_536,
        ] {
            let p = Permutation::new(n, 42);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.apply(i);
                assert!(j < n);
                assert!(!seen[j as usize], "n={n}: {j} twice");
                seen[j as usize] = true;
            }
        }
    }

    #[test]
    fn spreads_consecutive_indexes() {
        // The first 256 picks of a /16 should not sit in one /24.
        let p = Permutation::new(65_536, 7);
        let mut subnets = std::collections::HashSet::new();
        for i in 0..256 {
            subnets.insert(p.apply(i) >> 8);
        }
        assert!(subnets.len() > 100, "only {} distinct /24s", subnets.len());
    }

    #[test]
    fn different_seeds_give_different_orders() {
        let a: Vec<u64> = (0..32)
            .map(|i| Permutation::new(1000, 1).apply(i))
            .collect();
        let b: Vec<u64> = (0..32)
            .map(|i| Permutation::new(1000, 2).apply(i))
            .collect();
        assert_ne!(a, b);
    }
}

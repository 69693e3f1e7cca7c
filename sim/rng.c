// rng.c: Philox4x32-10 counter-based generator and the streams built on it.
#include "rng.h"

#include <math.h>

// multiplier and key-schedule constants of Philox4x32 (Salmon et al. 2011)
#define SF_PHILOX_M0 0xD2511F53u
#define SF_PHILOX_M1 0xCD9E8D57u
#define SF_PHILOX_W0 0x9E3779B9u
#define SF_PHILOX_W1 0xBB67AE85u

void sf_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];

  // ten rounds of multiply, swap and xor with the bumped key
  for (int round = 0; round < 10; round++) {
    uint64_t p0 = (uint64_t)SF_PHILOX_M0 * c0;
    uint64_t p1 = (uint64_t)SF_PHILOX_M1 * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c0 = n0;
    c1 = (uint32_t)p1;
    c2 = n2;
    c3 = (uint32_t)p0;
    k0 += SF_PHILOX_W0;
    k1 += SF_PHILOX_W1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void sf_rng_init(sfRng* r, uint64_t seed, uint32_t robot, uint32_t round, sftStream purpose) {
  r->key[0] = (uint32_t)seed;
  r->key[1] = (uint32_t)(seed >> 32);
  r->ctr[0] = robot;
  r->ctr[1] = round;
  r->ctr[2] = (uint32_t)purpose;
  r->ctr[3] = 0;
  r->used = 4;
}

uint32_t sf_rng_u32(sfRng* r) {
  // refill from the next block when the current one is spent
  if (r->used == 4) {
    sf_philox4x32(r->ctr, r->key, r->out);
    r->ctr[3]++;
    r->used = 0;
  }
  return r->out[r->used++];
}

double sf_rng_uniform(sfRng* r) {
  uint64_t hi = sf_rng_u32(r) >> 5;  // 27 bits
  uint64_t lo = sf_rng_u32(r) >> 6;  // 26 bits
  return (double)(hi * 67108864u + lo) * (1.0 / 9007199254740992.0);
}

double sf_rng_range(sfRng* r, double lo, double hi) {
  return lo + (hi - lo) * sf_rng_uniform(r);
}

double sf_rng_normal(sfRng* r) {
  // 1 - u keeps the logarithm's argument in (0, 1]
  double u1 = 1.0 - sf_rng_uniform(r);
  double u2 = sf_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t sf_fnv1a(uint64_t h, const void* data, size_t n) {
  const unsigned char* p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

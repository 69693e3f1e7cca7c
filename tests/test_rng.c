// test_rng.c: Philox4x32-10 against the Random123 known answers, stream keying, and the
// distributions built on it.
#include "sf_test.h"

#include "rng.h"

#define NDRAW 100000

// one Random123 known-answer vector: out = philox4x32_10(ctr, key)
typedef struct kat_ {
  uint32_t ctr[4];
  uint32_t key[2];
  uint32_t out[4];
} kat;

// Random123 kat_vectors, philox4x32 with 10 rounds
static void test_philox_known_answers(void** state) {
  static const kat v[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    uint32_t out[4];
    sf_philox4x32(v[i].ctr, v[i].key, out);
    for (int k = 0; k < 4; k++) assert_int_equal(out[k], v[i].out[k]);
  }
}

// a stream is philox over counter (robot, round, purpose, block) with key (seed lo, seed hi),
// four words a block, blocks in order
static void test_stream_layout(void** state) {
  uint64_t seed = 0x0000000500000007ull;
  sfRng r;
  sf_rng_init(&r, seed, 3, 11, SF_STREAM_SKILL);
  uint32_t key[2] = {7, 5};
  for (uint32_t block = 0; block < 3; block++) {
    uint32_t ctr[4] = {3, 11, SF_STREAM_SKILL, block}, want[4];
    sf_philox4x32(ctr, key, want);
    for (int k = 0; k < 4; k++) assert_int_equal(sf_rng_u32(&r), want[k]);
  }
}

// first n words of the stream (seed, robot, round, purpose)
static void draw(uint64_t seed, uint32_t robot, uint32_t round, sftStream purpose, int n,
                 uint32_t* w) {
  sfRng r;
  sf_rng_init(&r, seed, robot, round, purpose);
  for (int i = 0; i < n; i++) w[i] = sf_rng_u32(&r);
}

// number of positions where two 8-word sequences agree
static int agree8(const uint32_t* a, const uint32_t* b) {
  int same = 0;
  for (int i = 0; i < 8; i++) same += a[i] == b[i];
  return same;
}

static void test_stream_keying(void** state) {
  uint32_t base[8], again[8], other[8];
  draw(42, 1, 2, SF_STREAM_CONTEXT, 8, base);

  // the same key gives the same sequence, also from a copied stream state
  draw(42, 1, 2, SF_STREAM_CONTEXT, 8, again);
  assert_memory_equal(base, again, sizeof(base));
  sfRng r, copy;
  sf_rng_init(&r, 42, 1, 2, SF_STREAM_CONTEXT);
  for (int i = 0; i < 3; i++) sf_rng_u32(&r);
  copy = r;
  for (int i = 3; i < 8; i++) {
    assert_int_equal(sf_rng_u32(&copy), base[i]);
    assert_int_equal(sf_rng_u32(&r), base[i]);
  }

  // changing any one part of the key changes every word (a chance agreement is 2^-32 a word)
  draw(42, 2, 2, SF_STREAM_CONTEXT, 8, other);
  assert_int_equal(agree8(base, other), 0);
  draw(42, 1, 3, SF_STREAM_CONTEXT, 8, other);
  assert_int_equal(agree8(base, other), 0);
  draw(42, 1, 2, SF_STREAM_SKILL, 8, other);
  assert_int_equal(agree8(base, other), 0);
  draw(43, 1, 2, SF_STREAM_CONTEXT, 8, other);
  assert_int_equal(agree8(base, other), 0);
  draw(42 + (1ull << 32), 1, 2, SF_STREAM_CONTEXT, 8, other);  // the seed's high word counts
  assert_int_equal(agree8(base, other), 0);

  // robot and round are not interchangeable
  draw(42, 2, 1, SF_STREAM_CONTEXT, 8, other);
  assert_int_equal(agree8(base, other), 0);
}

// uniform: 53 bits from two words, in [0, 1); mean 1/2 and flat over ten bins
static void test_uniform(void** state) {
  sfRng r, w;
  sf_rng_init(&r, 1, 0, 0, SF_STREAM_BENCH);
  w = r;

  // the first value from the words by hand: (w0 >> 5) * 2^26 + (w1 >> 6), over 2^53
  uint32_t w0 = sf_rng_u32(&w), w1 = sf_rng_u32(&w);
  double first = ((double)(w0 >> 5) * 67108864.0 + (double)(w1 >> 6)) / 9007199254740992.0;
  assert_true(sf_rng_uniform(&r) == first);

  // mean: sd of one draw 1/sqrt(12) = 0.2887, of the mean of 1e5 draws 0.000913; 5 sd = 0.0046
  double sum = 0, lo = 1, hi = 0;
  long bins[10] = {0};
  int odd = 0;
  sf_rng_init(&r, 1, 0, 0, SF_STREAM_BENCH);
  for (int i = 0; i < NDRAW; i++) {
    double u = sf_rng_uniform(&r);
    assert_true(u >= 0 && u < 1);
    sum += u;
    lo = fmin(lo, u);
    hi = fmax(hi, u);
    bins[(int)(10 * u)]++;
    odd += fmod(u * 9007199254740992.0, 2) == 1;  // the 53rd bit is used
  }
  assert_near(sum / NDRAW, 0.5, 0.005);

  // extremes: P(min > 1e-4) = (1 - 1e-4)^1e5 = e^-10
  assert_true(lo < 1e-4);
  assert_true(hi > 1 - 1e-4);
  assert_near((double)odd / NDRAW, 0.5, 0.01);

  // chi-square over 10 bins, 9 degrees of freedom: P(chi2 > 33.7) = 1e-4
  double chi2 = 0;
  for (int b = 0; b < 10; b++) chi2 += (bins[b] - 10000.0) * (bins[b] - 10000.0) / 10000.0;
  print_message("uniform: mean %.5f, chi2 %.2f (9 dof)\n", sum / NDRAW, chi2);
  assert_true(chi2 < 33.7);
}

// range: lo + (hi - lo) u, so in [lo, hi) with mean (lo + hi) / 2
static void test_range(void** state) {
  sfRng r;
  sf_rng_init(&r, 9, 4, 0, SF_STREAM_CONTEXT);
  double sum = 0;
  for (int i = 0; i < NDRAW; i++) {
    double x = sf_rng_range(&r, -3, 5);
    assert_true(x >= -3 && x < 5);
    sum += x;
  }
  // sd of the mean: 8 / sqrt(12) / sqrt(1e5) = 0.0073; 5 sd = 0.037
  assert_near(sum / NDRAW, 1.0, 0.04);
}

// normal: mean 0, variance 1, 68.27 % within one sd; consumes exactly 4 words
static void test_normal(void** state) {
  sfRng r, w;
  sf_rng_init(&r, 3, 0, 0, SF_STREAM_BENCH);
  w = r;
  sf_rng_normal(&r);
  for (int i = 0; i < 4; i++) sf_rng_u32(&w);
  assert_int_equal(sf_rng_u32(&r), sf_rng_u32(&w));

  double sum = 0, sum2 = 0;
  long within1 = 0;
  sf_rng_init(&r, 3, 0, 0, SF_STREAM_BENCH);
  for (int i = 0; i < NDRAW; i++) {
    double x = sf_rng_normal(&r);
    assert_true(isfinite(x));
    sum += x;
    sum2 += x * x;
    within1 += fabs(x) < 1;
  }
  double mean = sum / NDRAW, var = sum2 / NDRAW - mean * mean;
  print_message("normal: mean %.5f, variance %.5f, within 1 sd %.4f\n", mean, var,
                (double)within1 / NDRAW);

  // sd of the mean 1/sqrt(1e5) = 0.0032, of the variance sqrt(2/1e5) = 0.0045, of the
  // fraction within one sd sqrt(0.6827 * 0.3173 / 1e5) = 0.0015; 5 sd each
  assert_near(mean, 0, 0.016);
  assert_near(var, 1, 0.023);
  assert_near((double)within1 / NDRAW, 0.6827, 0.0074);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_philox_known_answers),
      cmocka_unit_test(test_stream_layout),
      cmocka_unit_test(test_stream_keying),
      cmocka_unit_test(test_uniform),
      cmocka_unit_test(test_range),
      cmocka_unit_test(test_normal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

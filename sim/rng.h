// rng.h: counter-based random streams (Philox4x32-10, Salmon et al., SC'11) and FNV-1a hashing.
//
// Every random number in suturefleet comes from a stream keyed by (seed, robot, round,
// purpose). A stream's values depend on nothing else, so results are identical for any thread
// count, schedule or process layout.
#ifndef SUTUREFLEET_SIM_RNG_H_
#define SUTUREFLEET_SIM_RNG_H_

#include <stddef.h>
#include <stdint.h>

// what a stream is used for (part of its key; never renumber, stores depend on it)
typedef enum sftStream_ {
  SF_STREAM_CONTEXT = 1,  // per-episode context (targets, grasp, tissue)
  SF_STREAM_ROBOT = 2,    // per-robot properties drawn when the robot is made
  SF_STREAM_SKILL = 3,    // skill sampling by a robot's policy
  SF_STREAM_BENCH = 4     // benchmark workloads
} sftStream;

// one stream; plain value, copy freely
typedef struct sfRng_ {
  uint32_t key[2];  // from the seed
  uint32_t ctr[4];  // robot, round, purpose, block index
  uint32_t out[4];  // current block of output
  int used;         // words of out already consumed (4 = empty)
} sfRng;

// Philox4x32-10 block function: out = philox(ctr, key)
void sf_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

// start the stream (seed, robot, round, purpose) at its first value
void sf_rng_init(sfRng* r, uint64_t seed, uint32_t robot, uint32_t round, sftStream purpose);

// next 32 random bits
uint32_t sf_rng_u32(sfRng* r);

// uniform double in [0, 1) with 53 random bits
double sf_rng_uniform(sfRng* r);

// uniform double in [lo, hi)
double sf_rng_range(sfRng* r, double lo, double hi);

// standard normal (Box-Muller; consumes 4 words)
double sf_rng_normal(sfRng* r);

// FNV-1a 64 hash of a byte buffer, continuing from h (start with SF_FNV_SEED)
#define SF_FNV_SEED 0xcbf29ce484222325ull
uint64_t sf_fnv1a(uint64_t h, const void* data, size_t n);

#endif  // SUTUREFLEET_SIM_RNG_H_

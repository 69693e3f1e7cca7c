// bench.h: raw mj_step throughput vs the full run pipeline on the same scene.
#ifndef SUTUREFLEET_SIM_BENCH_H_
#define SUTUREFLEET_SIM_BENCH_H_

#include "scene.h"
#include "status.h"

// one thread count's measurements
typedef struct sfBenchRow_ {
  int threads;         // OpenMP threads
  double raw_sps;      // raw mj_step steps per second, all threads together
  double pipe_sps;     // run pipeline (control, measurements, store) physics steps per second
  double ratio;        // pipe_sps / raw_sps
  double store_share;  // share of the pipeline's wall time spent in the store
  long pipe_steps;     // physics steps the pipeline measurement took
} sfBenchRow;

// measure thread counts 1 .. max_threads with about steps physics steps per thread each, the
// best of three interleaved repetitions after a warm-up; the pipeline runs the default
// fleet (16 robots a round) for as many rounds as those steps need;
// rows must hold max_threads entries; SF_ERR_RUN if the temporary store cannot be written
sftStatus sf_bench_run(const sfScene* s, int max_threads, long steps, sfBenchRow* rows, sfError* e);

#endif  // SUTUREFLEET_SIM_BENCH_H_

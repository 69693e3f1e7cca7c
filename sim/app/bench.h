// bench.h: raw mj_step throughput vs the full run pipeline on the same scene.
#ifndef SUTUREFLEET_SIM_BENCH_H_
#define SUTUREFLEET_SIM_BENCH_H_

#include "episode.h"
#include "scene.h"
#include "status.h"

// one thread count's measurements
typedef struct sfBenchRow_ {
  int threads;          // OpenMP threads
  double raw_sps;       // raw mj_step steps per second, all threads together
  double pipe_sps;      // run pipeline (control, measurements, store) physics steps per second
  double ratio;         // pipe_sps / raw_sps
  double store_share;   // share of the pipeline's wall time spent in the store
  long pipe_steps;      // physics steps the pipeline measurement took
  double sim_per_wall;  // pipeline: simulated seconds per wall second, all threads together
  double episodes_ps;   // pipeline: episodes per wall second
  // a separate profiled pipeline run: shares of its wall time (the episode phase's share
  // split over the parts in proportion to their thread time)
  double part_share[SF_PROF_N];  // physics, controller, tissue, scoring, trajectory recording
  double setup_share;            // episodes' set-up, and threads waiting for the round's last
  double profile_store_share;    // the store
  double learn_share;            // learning, knowledge and everything else between rounds
} sfBenchRow;

// the names of the profile's parts, for tables and JSON ("physics", "controller", ...)
extern const char* const kSfProfPartNames[SF_PROF_N];

// measure thread counts 1 .. max_threads with about steps physics steps per thread each, the
// best of three interleaved repetitions after a warm-up, then one profiled pipeline run. Raw
// stepping replays the controls and needle poses of one reference episode (sampled at
// SF_TRAJ_HZ and held), so the arm moves as in an episode; the pipeline runs the default
// fleet (16 robots a round) for as many rounds as those steps need;
// rows must hold max_threads entries; SF_ERR_RUN if the temporary store cannot be written
sftStatus sf_bench_run(const sfScene* s, int max_threads, long steps, sfBenchRow* rows, sfError* e);

#define SF_BENCH_LEARN_ROBOTS 4096  // the learner measurement's fleet
#define SF_BENCH_LEARN_ROUNDS 24    //   and its rounds

// what one learner's update costs a fleet of SF_BENCH_LEARN_ROBOTS
typedef struct sfBenchLearner_ {
  const char* name;      // the built-in learner
  double update_ms;      // mean wall time of one round's update (ms)
  double max_update_ms;  // the slowest round's
  double state_bytes;    // heap its pool holds after the last round (bytes)
} sfBenchLearner;

// time every built-in learner's updates (into out, sf_learner_builtin_count() entries) on one
// fleet pool of the scripted-arc skill: SF_BENCH_LEARN_ROUNDS rounds of SF_BENCH_LEARN_ROBOTS
// synthetic episodes each (skills sampled from the pool, scored by their distance from the
// reference skill in prior SDs, success within one), no physics
void sf_bench_learners(sfBenchLearner* out);

#define SF_BENCH_REF_EPISODES 4  // reference episodes timed per task

// what a reference episode of the scene costs: scripted-arc's reference skill on calibrated
// robots 0 .. SF_BENCH_REF_EPISODES-1 of the bench seed, on one thread
typedef struct sfBenchEpisode_ {
  int stitches;      // throws per episode
  double cpu_s;      // mean thread CPU time per episode (s)
  double sim_s;      // mean simulated time per episode (s)
  double handovers;  // mean handovers per episode
  double success;    // share of them that succeeded
} sfBenchEpisode;

// time n reference episodes of a task of `stitches` throws with controller ctrl (its reference
// skill, on calibrated robots 0 .. n-1 of the bench seed, on this thread) into b; SF_ERR_RUN
// with e set when the worker cannot be made (the controller's create failed, no memory)
sftStatus sf_bench_reference(const sfScene* s, const sfController* ctrl, int stitches, int n,
                             sfBenchEpisode* b, sfError* e);

// time reference episodes of one stitch and, when the scene has 4 pairs, of four (into out);
// returns how many tasks were timed (1 or 2)
int sf_bench_episodes(const sfScene* s, sfBenchEpisode out[2]);

#endif  // SUTUREFLEET_SIM_BENCH_H_

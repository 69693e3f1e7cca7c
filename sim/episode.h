// episode.h: one robot's practice episode in MuJoCo: context, scripted motion, measurements.
//
// This is the foundation's task: the arm carries the grasped needle from its home pose to a
// point above a target on the wound, then lowers the needle tip onto the target. Later issues
// replace the motion with the suturing controller and the measurements with suturing metrics.
#ifndef SUTUREFLEET_SIM_EPISODE_H_
#define SUTUREFLEET_SIM_EPISODE_H_

#include <stdint.h>
#include <mujoco/mujoco.h>

#include "scene.h"
#include "status.h"

// context of one episode, drawn from the stream (seed, robot, round, SF_STREAM_CONTEXT)
typedef struct sfContext_ {
  int pair;                   // entry/exit pair targeted (0 .. npair-1)
  double target_offset_m[2];  // target offset from the entry site, world x (along the wound)
                              //   and y (across it), each uniform in +-1 mm
  double grasp_angle_rad;     // grasp point on the needle arc, from the tail, 20..40 deg
  double grasp_tilt_rad;      // needle tilt about the wire in the jaws, +-5 deg
} sfContext;

// what to run
typedef struct sfEpisodeSpec_ {
  uint64_t seed;       // experiment seed
  int32_t robot;       // robot id
  int32_t round;       // practice round
  int64_t episode_id;  // row id in the store
  double duration_s;   // simulated duration (s)
} sfEpisodeSpec;

// what one episode produced; every field comes from the simulation
typedef struct sfEpisodeResult_ {
  int64_t episode_id;         // from the spec
  int32_t round;              // from the spec
  int32_t robot;              // from the spec
  int32_t steps;              // physics steps taken
  double sim_time_s;          // simulated time at the end (s)
  sfContext ctx;              // the episode's context
  double tip_target_mm;       // final needle-tip distance to the target point (mm)
  double tip_entry_mm;        // final needle-tip distance to the entry site (mm)
  double track_err_max_mm;    // worst needle-tip tracking error while moving (mm)
  double rcm_err_max_mm;      // worst distance of the shaft axis from the port point (mm)
  uint8_t diverged;           // MuJoCo warned of bad state (NaN/Inf qpos, qvel or qacc)
} sfEpisodeResult;

// per-thread simulation state, made once and reused for every episode the thread runs
typedef struct sfWorker_ {
  mjData* d;  // the thread's data; never shared
} sfWorker;

// make a worker for scene s; SF_ERR_RUN if MuJoCo cannot allocate
sftStatus sf_worker_make(sfWorker* w, const sfScene* s, sfError* e);

// release a worker; accepts NULL and freed workers
void sf_worker_free(sfWorker* w);

// draw the context of (seed, robot, round)
void sf_context_draw(const sfScene* s, uint64_t seed, int32_t robot, int32_t round, sfContext* c);

// run one episode on the worker's data; a result is always written (diverged flags failure)
void sf_episode_run(const sfScene* s, sfWorker* w, const sfEpisodeSpec* spec,
                    sfEpisodeResult* out);

// pose (pos 3, quat 4) of the needle frame in the tcp frame for a grasp at arc angle
// grasp_angle (rad, from the tail) with tilt about the wire; radius_m is the needle radius
void sf_grasp_pose(double radius_m, double grasp_angle, double tilt, mjtNum pos[3],
                   mjtNum quat[4]);

#endif  // SUTUREFLEET_SIM_EPISODE_H_

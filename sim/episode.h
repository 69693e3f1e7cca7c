// episode.h: one robot's suturing episode in MuJoCo: context, the step loop, the scores.
//
// Each step: kinematics; the needle follows the jaws while grasped (or stays where the tissue
// holds it); the tissue model computes the needle-tissue wrench, which acts on the tool; the
// jaws grasp or release the needle according to their measured opening; the SRC scorer
// follows the needle tip; the controller sees its observation and writes the controls; physics.
#ifndef SUTUREFLEET_SIM_EPISODE_H_
#define SUTUREFLEET_SIM_EPISODE_H_

#include <stdint.h>
#include <mujoco/mujoco.h>

#include "controller.h"
#include "scene.h"
#include "score.h"
#include "skill.h"
#include "status.h"
#include "suture.h"
#include "tissue.h"

#define SF_MAX_STITCHES 4      // most throws in one episode
#define SF_SUCCESS_TOL_MM 2.5  // SRC: the 5 mm squares around entry and exit holes
#define SF_TRAUMA_MAX_MM2 2.0  // most torn tissue area a successful episode may cause
#define SF_THROW_TIME_S 14.0   // time allowed per throw
// an episode ends once its torn area passes this: success has been out of reach since
// SF_TRAUMA_MAX_MM2, but how far past the limit an episode tears is what the learner ranks
// failures by; stopping at the limit itself delayed the fleet's learning (README "Performance")
#define SF_TRAUMA_STOP_MM2 (4 * SF_TRAUMA_MAX_MM2)
#define SF_CLOSURE_MIN 0.8  // least wound closure over the sutured span of a successful episode

// a robot's calibration error: the rigid transform between where its cameras put the holes and
// where they are. It is the sum of a systematic part shared by every robot of the experiment
// (drawn from (seed, 0xFFFFFFFF, 0, SF_STREAM_ROBOT): the robot model's kinematic and camera
// mount errors; position SD 1.2 mm per axis clipped to +-2.5 mm, rotation SD 0.3 deg) and the
// robot's own (from (seed, robot, 0, SF_STREAM_ROBOT): SD 0.4 mm clipped to +-1.2 mm, 0.2 deg)
typedef struct sfCalib_ {
  double bias_m[3];   // position bias (m)
  double rot_rad[3];  // orientation bias (rotation vector about the pad centre, rad)
} sfCalib;

#define SF_TRAJ_HZ 50  // trajectory samples per simulated second (robomimic demos in the store)

// a recorded trajectory, downsampled to SF_TRAJ_HZ; arrays are row-major (samples x width)
typedef struct sfTraj_ {
  int cap;                 // samples it can hold
  int n;                   // samples recorded
  int nstate;              // width of a state: nq + nv + 7 * nmocap
  double* actions;         // controls sent (cap x nu)
  double* joint_pos;       // arm axes: 6 joints (rad, m) and the jaw opening (cap x SF_NAXIS)
  double* tcp_pos;         // tool centre point (cap x 3, m)
  double* tcp_quat;        // tool orientation (cap x 4)
  double* needle_pos;      // needle frame origin = arc centre (cap x 3, m)
  double* needle_quat;     // needle orientation (cap x 4)
  double* needle_tip;      // needle tip (cap x 3, m)
  double* thread_tension;  // thread tension at the needle (cap, N); NULL in a schema-3 demo
  double* thread_path;     // the thread's path (cap x 3 SF_THREAD_PTS, m; padded with its last
                           //   point, NaN before it enters the tissue); NULL likewise
  double* wound_gap;  // the wound's gap along its line (cap x SF_WOUND_GAP_N, mm); NULL likewise
  int8_t* holder;     // the arm holding the needle (cap: 0 psm1, 1 psm2, -1 none); NULL in a
                      //   demo of schema 4 or older (read as psm1's while grasped)
  double* states;     // MuJoCo state: qpos, qvel, mocap_pos, mocap_quat (cap x nstate)
} sfTraj;

// context of one episode, drawn from (seed, robot, round, SF_STREAM_CONTEXT)
typedef struct sfContext_ {
  double line_offset_m;    // the holes' shift along the wound, uniform +-2 mm
  int first_pair;          // first entry/exit pair stitched
  double grasp_angle_rad;  // initial grasp point on the needle, from the tail, 15..35 deg
  double grasp_tilt_rad;   // needle tilt about the wire in the jaws, +-5 deg
  double puncture_N;       // tissue: surface puncture force, 0.6..1.4 N
  double indent_k_N_m;     // tissue: surface stiffness before puncture, 800..1500 N/m
  double friction_Ns_m2;   // tissue: friction along the needle, 1000..3000 N s/m^2
  double cut_N;            // tissue: cutting force at the tip, 0.1..0.3 N
  double lateral_k_N_m2;   // tissue: sideways stiffness, 1e5..3e5 N/m^2
  double tear_mm;          // tissue: elastic limit of sideways displacement, 0.10..0.20 mm
  double gap_mm;           // wound: initial gap between the edges, 2..4 mm
  double edge_k_N_mm2;     // wound: foundation modulus of each edge, 0.035..0.055 N/mm per mm
  double strength_N;       // wound: holding strength of the tissue at a hole, 3..5 N
  double slack_mm;         // thread: slack to draw through before a stitch tightens, 6..12 mm
  double thread_mu;        // thread: thread-tissue friction coefficient, 0.15..0.35
  sfCalib calib;           // the robot's calibration error (zero for a calibrated robot)
} sfContext;

// what to run
typedef struct sfEpisodeSpec_ {
  uint64_t seed;          // experiment seed
  int32_t robot;          // robot id
  int32_t round;          // practice round
  int64_t episode_id;     // row id in the store
  int stitches;           // throws (1 .. min(SF_MAX_STITCHES, scene pairs))
  int calibrated;         // 1: zero calibration error; 0: the robot's drawn error
  const double* theta;    // skill vector (controller's skill->n values)
  int32_t context_robot;  // the robot whose contexts and calibration the episode uses: its
                          //   own id, or a solo robot's fleet twin (/robots context_robot)
  int32_t cohort;         // the robot's cohort (0 fleet, 1 solo), copied into the result
  int32_t join_round;     // the robot's first round, copied into the result
  sfTraj* traj;           // where to record the trajectory (NULL: not recorded)
} sfEpisodeSpec;

// outcome of one episode; every number comes from the simulation
// how an episode ended (stored as end_reason; never renumber). The first two ran their course;
// every other ends the episode as soon as its outcome is settled (ended_early): the metrics
// are those of the part that ran
typedef enum sftEnd_ {
  SF_END_DONE = 0,        // every throw finished and was pulled through
  SF_END_TIME = 1,        // the time limit (SF_THROW_TIME_S per throw)
  SF_END_DROPPED = 2,     // the needle was released outside the tissue
  SF_END_GAVE_UP = 3,     // the controller gave up (SFC_GIVE_UP)
  SF_END_TRAUMA = 4,      // the torn area passed SF_TRAUMA_STOP_MM2 (success was out of reach)
  SF_END_FAULT = 5,       // a controller fault that ends the episode
  SF_END_DIVERGED = 6,    // MuJoCo reported a bad state
  SF_END_NOT_PULLED = 7,  // the controller finished a throw that was not pulled through
  SF_END_CLASH = 8,       // two arms' instruments met (sf_arm_clearance below zero)
  SF_END_COUNT
} sftEnd;

typedef struct sfEpisodeResult_ {
  int64_t episode_id;                         // from the spec
  int32_t round;                              // from the spec
  int32_t robot;                              // from the spec
  int32_t steps;                              // physics steps taken
  double sim_time_s;                          // simulated time at the end
  sfContext ctx;                              // the context
  int ntheta;                                 // skill values used
  double theta[SF_MAX_THETA];                 // the skill
  int stitches;                               // throws attempted
  sfThrowScore throw_score[SF_MAX_STITCHES];  // SRC score of each throw
  double throw_time_s[SF_MAX_STITCHES];       // completion time of each throw (NaN if not done)
  int throws_ok;                              // throws meeting SRC's criteria and pulled through
  int throws_done;                            // throws pulled through (the episode went past them)
  double entry_err_mm;     // mean entry lateral error over inserted throws (NaN none)
  double exit_err_mm;      // mean exit lateral error over exited throws (NaN none)
  double tip_out_mm;       // mean tip stand-out beyond the exit over exited throws
  double spacing_mean_mm;  // STAR: mean distance between consecutive entry points
  double spacing_sd_mm;    // STAR: its standard deviation (NaN below 2 spacings)
  double bite_mm;          // STAR: mean distance of entry and exit points from the wound
  int insertions;          // downward tip crossings over the episode
  int regrasp_failures;    // jaw closures that missed the needle (not counting handovers')
  int handovers;           // the needle passed from one arm's jaws to the other's
  int handovers_failed;    // handovers that failed: the receiver closing on nothing while the
                           //   other arm held the needle, or the needle dropped by a two-arm
                           //   scene's arms
  double handover_s;       // mean time both arms held the needle in a handover (NaN: none)
  double trauma_mm2;       // torn tissue area (tunnel tearing + jaws in tissue + cut-through)
  double peak_force_N;     // largest needle-tissue force
  double closure;          // wound closure over the sutured span (share of the gap closed; 0: no
                           //   stitch passed)
  double closure_min;      //   and at its worst point
  double tension_max_N;    // largest thread tension at the needle
  int cut_through;         // stitches torn through the edge
  double thread_used_mm;   // thread from the knot through the passed stitches
  double stitch_tension_N[SF_MAX_STITCHES];  // each stitch's tension at the end (NaN: not passed)
  double time_s;                             // completion time (time limit when not completed)
  uint8_t completed;                         // every throw was pulled through
  uint8_t dropped;                           // the needle was released outside the tissue
  uint8_t diverged;                          // MuJoCo reported a bad state (NaN/Inf)
  uint8_t fault;           // the controller gave a non-finite control or a step result outside
                           //   SFC_RUN/THROW_DONE/GIVE_UP (the episode ended there), or an
                           //   out-of-range control (clamped to the actuator range)
  uint8_t success;         // the episode's success (README: "Success")
  uint8_t end_reason;      // how it ended (sftEnd)
  int has_offsets;         // some throw went in and came out: offsets below valid
  double entry_off_mm[3];  // mean SRC insertion point minus entry hole, in the wound
  double exit_off_mm[3];   //   frame (along, across towards the exit, normal); exit
  double score;            // learning score: set by the learner (sf_policy_result_score)
  int32_t cohort;          // from the spec: 0 fleet, 1 solo
  int32_t join_round;      // from the spec: the robot's first round
} sfEpisodeResult;

// the parts of an episode's step loop that a profile times
typedef enum sftProfPart_ {
  SF_PROF_PHYSICS = 0,  // mj_step1 and mj_step2
  SF_PROF_CONTROLLER,   // the controller's view, step and control checks
  SF_PROF_TISSUE,       // needle pose, tissue and thread models, their wrench on the tool (and
                        //   skin)
  SF_PROF_SCORING,      // tool pose, jaws, the tip's path through the holes, jaw trauma
  SF_PROF_RECORD,       // trajectory samples
  SF_PROF_N
} sftProfPart;

// where a worker's episodes spent their time (thread seconds per part); timing every part
// costs a clock read each (tens of ns), so only bench turns it on
typedef struct sfProfile_ {
  double part_s[SF_PROF_N];  // time per part (s)
} sfProfile;

// per-thread simulation state, made once and reused for every episode the thread runs
typedef struct sfWorker_ {
  mjData* d;                 // the thread's data; never shared
  const sfController* ctrl;  // controller run by this worker
  sfHost* host;              // the services it is given (malloc'd: its address stays fixed)
  void* state;               // its state
  mjtNum* ctrl_buf;          // controls written by the controller (nu)
  int profiling;             // 1: time the parts of every episode into prof
  sfProfile prof;            // the time of this worker's episodes, per part
} sfWorker;

// make a worker for scene s running controller c; SF_ERR_RUN if allocation fails or the
// controller's create returns NULL (nothing left allocated)
sftStatus sf_worker_make(sfWorker* w, const sfScene* s, const sfController* c, sfError* e);

// release a worker; accepts NULL and freed workers
void sf_worker_free(sfWorker* w);

// allocate a trajectory buffer for model m and episodes of up to `stitches` throws (a failed
// allocation aborts, as SF_CALLOC)
void sf_traj_make(sfTraj* t, const mjModel* m, int stitches);

// release a trajectory buffer; accepts a zeroed or freed one
void sf_traj_free(sfTraj* t);

// draw the robot's calibration error
void sf_calib_draw(uint64_t seed, int32_t robot, sfCalib* c);

// the calibration error in the store's units: position bias (mm) and rotation vector (deg)
void sf_calib_units(const sfCalib* c, double bias_mm[3], double rot_deg[3]);

// draw the context of (seed, robot, round) for an episode of the given stitches
void sf_context_draw(const sfScene* s, uint64_t seed, int32_t robot, int32_t round, int stitches,
                     int calibrated, sfContext* c);

// the true hole frames of an episode with context c (the scene's holes shifted along the wound)
void sf_context_holes(const sfScene* s, const sfContext* c, sfHoles* h);

// run one episode; a result is always written (flags record failures)
void sf_episode_run(const sfScene* s, sfWorker* w, const sfEpisodeSpec* spec, sfEpisodeResult* out);

#endif  // SUTUREFLEET_SIM_EPISODE_H_

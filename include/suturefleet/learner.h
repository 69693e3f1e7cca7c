// suturefleet/learner.h: the learner plug-in ABI of suturefleet (version 1).
//
// A learner turns a cohort's episodes into the skill its robots practise next. A learner
// plug-in is a shared object exporting one C function, named by SFL_ENTRY:
//
//   const sflLearner* suturefleet_learner_entry(void);
//
// It returns a table (sflLearner) that starts with the ABI version and the table's own size,
// then names the learner and points to its functions. suturefleet loads the file with
// dlopen(RTLD_NOW | RTLD_LOCAL), checks the table before any episode runs or any store is
// touched, and refuses, with exit code 2, a table it cannot trust. The built-in learners (cem,
// cmaes) are tables of this same type.
//
// What a learner learns: the controller's shared skill values (its skill vector without the aim
// values, which the host learns per robot from the robot's own episodes: a robot's calibration
// error cannot be copied). A learner state belongs to one cohort's pool: the fleet's, or one
// solo robot's own.
//
// Calls, in order, on one thread: create once per pool; then every round, sample once per
// robot of the pool (before the round) and, after it, update once with the episodes that reach
// the pool that round (its robots' episodes of the round; with --share delay:D those of D rounds
// before; none, and no call, before any have arrived); describe after every update for the
// store's knowledge rows. With --share knowledge a state is also created for each robot every
// round, from the shared knowledge, and updated with that robot's episode alone; the shared
// pool is created again from the robots' averaged knowledge. A resumed run creates the states
// again and replays the same calls over the stored rounds, so a learner MUST be a pure,
// deterministic function of the calls it has seen (no clock, no global random state, no
// dependence on the thread or process): the same calls give the same samples, bit for bit.
// suturefleet checks this on --resume by comparing describe with the knowledge the store holds.
//
// Compatibility: fields are only ever appended. A table of an older version is accepted as long
// as the version is known; size tells which appended fields exist.
//
// This header is the only one a plug-in needs; examples/ has one.
#ifndef SUTUREFLEET_LEARNER_H_
#define SUTUREFLEET_LEARNER_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SFL_ABI_VERSION 1                      // the version this header describes
#define SFL_ENTRY "suturefleet_learner_entry"  // the entry symbol's name
#define SFL_MAX_VALUES 16                      // most values a learner is given
#define SFL_NAME_MAX 31                        // longest learner name (characters)

// marks the entry function of a plug-in: SFL_EXPORT const sflLearner* ... (void)
#define SFL_EXPORT __attribute__((visibility("default")))

// what a pool learns: n values with their bounds and where learning starts (all finite)
typedef struct sflSkill_ {
  int n;                    // values learned, 1 .. SFL_MAX_VALUES
  const char* const* name;  // their names (n), e.g. "bite_angle_deg"
  const double* lo;         // lower bounds (n)
  const double* hi;         // upper bounds (n), lo < hi
  const double* mean;       // the starting mean (n): the prior, or knowledge imported with --from
  const double* sd;         // the starting SD (n, > 0)
  const double* prior_sd;   // the prior's SD (n, > 0): the scale of each value
  int robots;               // robots pooling their episodes at the start
  int solo;                 // 1: the pool is one solo robot's own episodes; 0: a fleet's
} sflSkill;

// what a learner sees of one episode (the store's /episodes row, in store order)
typedef struct sflEpisode_ {
  const double* x;      // the learned values the episode used (n), within the bounds
  double score;         // its learning score (higher is better; the store's 'score')
  int success;          // 1: the episode succeeded (every throw SRC-correct, no drop, no fault)
  int robot;            // the robot that ran it
  int round;            // the round it was run in
  double trauma_mm2;    // tissue trauma (mm^2)
  double time_s;        // completion time (s)
  double entry_err_mm;  // SRC entry lateral error (mm; NaN: the needle never went in)
  double exit_err_mm;   // SRC exit lateral error (mm; NaN: it never came out)
} sflEpisode;

// a learner: version, size, name, functions
typedef struct sflLearner_ {
  uint32_t abi_version;     // required: SFL_ABI_VERSION
  uint32_t size;            // required: sizeof(sflLearner)
  const char* name;         // required: 1 .. SFL_NAME_MAX of letters, digits, '-', '_'
  const char* description;  // optional: one line

  // required: a pool's state, starting from skill (its arrays are valid during the call only);
  // NULL on failure (the run stops, exit 1)
  void* (*create)(const sflSkill* skill);

  // required: the values (skill->n) a robot of the pool practises with: z holds n independent
  // standard normal draws from the robot's own stream (seed, robot, round), so a learner needs
  // no random state; the host clips x to the bounds
  void (*sample)(const void* state, const double* z, double* x);

  // required: learn from the round's n >= 1 episodes of the pool, in store order; pooled is the
  // number of episodes the pool has had so far, these included
  void (*update)(void* state, const sflEpisode* episodes, int n, long pooled);

  // required: the state's mean and SD per value (n each), as the store's knowledge rows hold
  // them and --from imports them
  void (*describe)(const void* state, double* mean, double* sd);

  // optional: release the state (NULL: nothing to release)
  void (*destroy)(void* state);
} sflLearner;

// the entry point every plug-in defines (and suturefleet looks up by the name SFL_ENTRY)
typedef const sflLearner* (*sflEntryFn)(void);
SFL_EXPORT const sflLearner* suturefleet_learner_entry(void);

#ifdef __cplusplus
}
#endif

#endif  // SUTUREFLEET_LEARNER_H_

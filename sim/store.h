// store.h: the HDF5 experience store (writer side).
//
// One thread of one process owns an sfStore (the caller holds the store's writer lock, lock.h).
// A new store is written whole under a temporary name and put in place atomically (never over
// an existing file unless forced) with its metadata and robots. Each round opens it through the
// rollback journal (journal.h), writes its trajectories, switches to SWMR mode for the table
// appends, and closes it; deleting the journal commits the round. A round that fails (a full
// disk) is rolled back before the call returns; one whose writer was killed is rolled back by
// the next sf_store_reopen. Readers (sf_store_read, sf_store_demo_read) see the store as of
// its last committed round at any instant, without locks. HDF5's own file locks are off (a
// reader's lock would fail the writer's next open). The schema is documented in
// datasets/README.md.
#ifndef SUTUREFLEET_SIM_STORE_H_
#define SUTUREFLEET_SIM_STORE_H_

#include <stdint.h>
#include <hdf5.h>

#include "episode.h"
#include "status.h"

#define SF_STORE_FORMAT "suturefleet"  // root attribute 'format'
#define SF_STORE_SCHEMA 5              // root attribute 'schema_version' of what this writes
// the oldest schema info, curves and replay still read; a store is resumed or extended only at
// SF_STORE_SCHEMA (sf_store_extendable)
#define SF_STORE_SCHEMA_OLDEST 3
// the first schema with the wound and the thread: an older store's rows read those columns as
// NaN (cut_through as -1), and its demos have no thread or wound observations
#define SF_STORE_SCHEMA_SUTURE 4
// the first schema with the arms' handovers: an older store's rows read none (0 handovers,
// handover_time_s NaN) and its demos have no obs/needle_holder
#define SF_STORE_SCHEMA_HANDOVER 5

#define SF_STORE_NAME_LEN 32  // controller name and hash field size

// one /episodes row (units in the field names; datasets/README.md documents each)
typedef struct sfEpisodeRow_ {
  int64_t episode_id;
  int32_t round;
  int32_t robot;
  int32_t cohort;  // 0 fleet, 1 solo
  int32_t join_round;
  char controller[SF_STORE_NAME_LEN];
  char controller_hash[SF_STORE_NAME_LEN];
  int32_t steps;
  double sim_time_s;
  int32_t stitches;
  int32_t first_pair;
  double line_offset_mm;
  double grasp_angle_deg;
  double grasp_tilt_deg;
  double puncture_N;
  double indent_k_N_m;
  double friction_Ns_m2;
  double cut_N;
  double lateral_k_N_m2;
  double tear_mm;
  double calib_bias_mm[3];
  double calib_rot_deg[3];
  int32_t n_theta;
  double theta[SF_MAX_THETA];
  double entry_err_mm;
  double exit_err_mm;
  double tip_out_mm;
  double time_s;
  int32_t throws_ok;
  double spacing_mean_mm;
  double spacing_sd_mm;
  double bite_mm;
  int32_t insertions;
  int32_t regrasp_failures;
  double trauma_mm2;
  double peak_force_N;
  uint8_t completed;
  uint8_t dropped;
  uint8_t diverged;
  uint8_t fault;
  uint8_t success;
  uint8_t has_offsets;
  uint8_t end_reason;   // how the episode ended (sftEnd)
  uint8_t ended_early;  // it ended as soon as its outcome was settled (not done, not timed out)
  double entry_off_mm[3];
  double exit_off_mm[3];
  double score;
  // schema 4: the wound and the thread (context, then outcome)
  double wound_gap_mm;
  double edge_k_N_mm2;
  double hole_strength_N;
  double thread_slack_mm;
  double thread_mu;
  double wound_closure;
  double wound_closure_min;
  double thread_tension_max_N;
  int32_t cut_through;
  double thread_used_mm;
  double stitch_tension_N[SF_MAX_STITCHES];
  // schema 5: the needle handed between two arms
  int32_t handovers;         // completed handovers
  int32_t handovers_failed;  // failed ones (missed by the receiver, or the needle dropped)
  double handover_time_s;    // mean time both arms held the needle in one (NaN: none)
} sfEpisodeRow;

// one /robots row
typedef struct sfRobotRow_ {
  int32_t robot;            // robot id
  int32_t cohort;           // 0 fleet, 1 solo
  int32_t join_round;       // first round it practises
  int32_t context_robot;    // robot whose contexts and calibration it shares (itself, or the
                            //   fleet twin of a solo robot)
  double calib_bias_mm[3];  // its calibration error
  double calib_rot_deg[3];
} sfRobotRow;

// one /knowledge row
typedef struct sfKnowledgeRow_ {
  int32_t round;     // knowledge after this round (-1: at the start of the run)
  int32_t cohort;    // 0 fleet, 1 solo
  int32_t robot;     // -1: the fleet's pooled knowledge; else a solo robot's own
  int64_t episodes;  // episodes it was pooled from
  int32_t n_theta;
  double mean[SF_MAX_THETA];
  double sd[SF_MAX_THETA];
} sfKnowledgeRow;

// what the store records about the run that writes it
typedef struct sfStoreMeta_ {
  const char* config_text;      // every result-determining setting, "key = value" lines
  uint64_t seed;                // experiment seed
  uint64_t model_hash;          // hash of the compiled model
  const char* model_path;       // MJCF file the run used
  double timestep_s;            // physics timestep (for /data env_args)
  const char* controller;       // controller name
  const char* controller_hash;  // its plug-in file's hash, or "built-in"
  const char* skill_names;      // its skill values' names, comma-separated
  const char* learner;          // learner name (NULL: not recorded, read back as "cem")
  const char* learner_hash;     // its plug-in file's hash, or "built-in" (NULL likewise)
} sfStoreMeta;

// the store's tables
typedef enum sftTable_ {
  SF_TABLE_EPISODES = 0,
  SF_TABLE_ROBOTS,
  SF_TABLE_KNOWLEDGE,
  SF_NTABLE
} sftTable;

// an open store being written
typedef struct sfStore_ {
  hid_t file;                // the file, SWMR write mode after creation
  hid_t ds[SF_NTABLE];       // the table datasets
  hid_t type[SF_NTABLE];     // their in-memory row types
  hsize_t nrows[SF_NTABLE];  // rows written so far
  int swmr;                  // the open file is in SWMR write mode
  int err;                   // errno of the last failed write (0: none; ENOSPC: a full disk)
  int rollback_failed;       // a failed round could not be rolled back yet (journal kept)
  double io_s;               // wall time spent in store calls (s)
  char path[4096];           // file path
} sfStore;

// everything read back from a store
typedef struct sfStoreData_ {
  char format[64];           // root attribute 'format'
  int schema_version;        // root attribute 'schema_version'
  uint64_t seed;             // root attribute 'seed'
  char model_hash[32];       // root attribute 'model_hash'
  char mujoco_version[32];   // root attribute 'mujoco_version'
  char controller[64];       // root attribute 'controller'
  char controller_hash[32];  // root attribute 'controller_hash'
  char skill_names[2048];    // root attribute 'skill_names'
  char learner[64];          // root attribute 'learner' ("cem" when absent: a store written
  char learner_hash[32];     //   before learners were recorded), 'learner_hash' ("built-in")
  char* configuration;       // root attribute 'configuration' (malloc'd)
  sfEpisodeRow* episodes;    // /episodes rows (malloc'd)
  long nepisodes;
  sfRobotRow* robots;  // /robots rows (malloc'd)
  long nrobots;
  sfKnowledgeRow* knowledge;  // /knowledge rows (malloc'd)
  long nknowledge;
} sfStoreData;

// check that a store can be created at path without touching anything: SF_ERR_INPUT when the
// file exists and force is 0, or when its directory does not exist
sftStatus sf_store_check_path(const char* path, int force, sfError* e);

// create the store at path, write its metadata and the robots (robots[0 .. nrobots-1]);
// SF_ERR_INPUT when the file exists (and force is 0) or its directory is missing, SF_ERR_RUN on an
// HDF5 failure; on failure nothing was created, st is closed, and an existing file is untouched
// unless force was given
sftStatus sf_store_create(sfStore* st, const char* path, int force, const sfStoreMeta* meta,
                          const sfRobotRow* robots, int nrobots, sfError* e);

// write the recorded trajectories of n episodes (trajs[i] NULL: not recorded) as
// /data/demo_<episode_id> groups in the robomimic layout and add their samples to /data's
// total; call before the round's table appends (groups cannot be created once the file is in
// SWMR mode); SF_ERR_RUN on failure
sftStatus sf_store_demos(sfStore* st, const sfEpisodeResult* res, sfTraj* const* trajs, int n,
                         const mjModel* m, sfError* e);

// the /episodes row of an episode result run by the named controller
void sf_store_episode_row(const sfEpisodeResult* r, const char* controller, const char* hash,
                          sfEpisodeRow* row);

// append n rows (of the table's row type) to a table, opening the file as SWMR writer if it is
// closed; with flush, close it afterwards and commit the round; SF_ERR_RUN on failure, naming
// the system error (a full disk says so): the round is then rolled back, the store holds its
// completed rounds exactly
sftStatus sf_store_append(sfStore* st, sftTable table, const void* rows, int n, int flush,
                          sfError* e);

// open an existing store to continue writing it (--resume): rolls back the round a killed writer
// left half-written (its journal), clears status flags an older version's writer left, cuts
// every table to keep[table] rows; SF_ERR_INPUT when it is not a suturefleet store of this
// schema, SF_ERR_RUN on a system or HDF5 failure
sftStatus sf_store_reopen(sfStore* st, const char* path, const long keep[SF_NTABLE], sfError* e);

// a store of this schema can be resumed or extended (SF_STORE_SCHEMA); else SF_ERR_INPUT naming
// the store at path, its schema and the one expected (nothing changed)
sftStatus sf_store_extendable(const char* path, long long schema, sfError* e);

// read a whole store as of its last complete round (while a run writes it too: a read that raced
// a commit is done again), as it is: its rows are not validated. Readers use sf_store_read
// (store_check.h), which validates what this returns. SF_ERR_INPUT naming the file when it is
// missing, not a regular file, not HDF5, not a suturefleet store, or of another schema version;
// on failure out is empty (safe to free)
sftStatus sf_store_read_raw(const char* path, sfStoreData* out, sfError* e);

// read the recorded trajectory of an episode (/data/demo_<episode_id>) for model m into t
// (states, needle_tip, joint_pos; n = cap = its samples; free with sf_traj_free); *found = 0 and
// SF_OK when it was not recorded; SF_ERR_INPUT when it does not fit the model
sftStatus sf_store_demo_read(const char* path, long episode_id, const mjModel* m, sfTraj* t,
                             int* found, sfError* e);

// release what sf_store_read allocated; accepts an empty or freed structure
void sf_store_data_free(sfStoreData* d);

// close every id; SF_ERR_RUN if the final close fails; accepts a closed store
sftStatus sf_store_close(sfStore* st, sfError* e);

#endif  // SUTUREFLEET_SIM_STORE_H_

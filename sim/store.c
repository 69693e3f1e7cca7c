// store.c: the HDF5 store: exclusive create, root attributes, chunked tables written in SWMR
// mode, reading back, reopening to resume.
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <libgen.h>
#include <limits.h>
#include <omp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mujoco/mujoco.h>

#include "journal.h"

#define SF_CHUNK_ROWS 512

// a fixed-size array member type (n doubles); < 0 on failure
static hid_t sf_store_array(hsize_t n) {
  return H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n);
}

// member types shared by the row types
typedef struct sfStoreTypes_ {
  hid_t name;  // fixed string of SF_STORE_NAME_LEN
  hid_t a3;    // double[3]
  hid_t ath;   // double[SF_MAX_THETA]
  hid_t as;    // double[SF_MAX_STITCHES]
} sfStoreTypes;

#define SF_FIELD(T, field, type) \
  if (rc >= 0) rc = H5Tinsert(t, #field, HOFFSET(T, field), type)

// the compound type of an /episodes row in memory
static hid_t sf_store_episode_type(const sfStoreTypes* x) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(sfEpisodeRow));
  herr_t rc = t < 0 ? -1 : 0;
  SF_FIELD(sfEpisodeRow, episode_id, H5T_NATIVE_INT64);
  SF_FIELD(sfEpisodeRow, round, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, robot, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, cohort, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, join_round, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, controller, x->name);
  SF_FIELD(sfEpisodeRow, controller_hash, x->name);
  SF_FIELD(sfEpisodeRow, steps, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, sim_time_s, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, stitches, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, first_pair, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, line_offset_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, grasp_angle_deg, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, grasp_tilt_deg, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, puncture_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, indent_k_N_m, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, friction_Ns_m2, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, cut_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, lateral_k_N_m2, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, tear_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, calib_bias_mm, x->a3);
  SF_FIELD(sfEpisodeRow, calib_rot_deg, x->a3);
  SF_FIELD(sfEpisodeRow, n_theta, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, theta, x->ath);
  SF_FIELD(sfEpisodeRow, entry_err_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, exit_err_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, tip_out_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, time_s, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, throws_ok, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, spacing_mean_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, spacing_sd_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, bite_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, insertions, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, regrasp_failures, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, trauma_mm2, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, peak_force_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, completed, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, dropped, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, diverged, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, fault, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, success, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, has_offsets, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, end_reason, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, ended_early, H5T_NATIVE_UINT8);
  SF_FIELD(sfEpisodeRow, entry_off_mm, x->a3);
  SF_FIELD(sfEpisodeRow, exit_off_mm, x->a3);
  SF_FIELD(sfEpisodeRow, score, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, wound_gap_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, edge_k_N_mm2, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, hole_strength_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, thread_slack_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, thread_mu, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, wound_closure, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, wound_closure_min, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, thread_tension_max_N, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, cut_through, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, thread_used_mm, H5T_NATIVE_DOUBLE);
  SF_FIELD(sfEpisodeRow, stitch_tension_N, x->as);
  SF_FIELD(sfEpisodeRow, handovers, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, handovers_failed, H5T_NATIVE_INT32);
  SF_FIELD(sfEpisodeRow, handover_time_s, H5T_NATIVE_DOUBLE);
  if (rc < 0 && t >= 0) H5Tclose(t);
  return rc < 0 ? -1 : t;
}

// the compound type of a /robots row in memory
static hid_t sf_store_robot_type(const sfStoreTypes* x) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(sfRobotRow));
  herr_t rc = t < 0 ? -1 : 0;
  SF_FIELD(sfRobotRow, robot, H5T_NATIVE_INT32);
  SF_FIELD(sfRobotRow, cohort, H5T_NATIVE_INT32);
  SF_FIELD(sfRobotRow, join_round, H5T_NATIVE_INT32);
  SF_FIELD(sfRobotRow, context_robot, H5T_NATIVE_INT32);
  SF_FIELD(sfRobotRow, calib_bias_mm, x->a3);
  SF_FIELD(sfRobotRow, calib_rot_deg, x->a3);
  if (rc < 0 && t >= 0) H5Tclose(t);
  return rc < 0 ? -1 : t;
}

// the compound type of a /knowledge row in memory
static hid_t sf_store_knowledge_type(const sfStoreTypes* x) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(sfKnowledgeRow));
  herr_t rc = t < 0 ? -1 : 0;
  SF_FIELD(sfKnowledgeRow, round, H5T_NATIVE_INT32);
  SF_FIELD(sfKnowledgeRow, cohort, H5T_NATIVE_INT32);
  SF_FIELD(sfKnowledgeRow, robot, H5T_NATIVE_INT32);
  SF_FIELD(sfKnowledgeRow, episodes, H5T_NATIVE_INT64);
  SF_FIELD(sfKnowledgeRow, n_theta, H5T_NATIVE_INT32);
  SF_FIELD(sfKnowledgeRow, mean, x->ath);
  SF_FIELD(sfKnowledgeRow, sd, x->ath);
  if (rc < 0 && t >= 0) H5Tclose(t);
  return rc < 0 ? -1 : t;
}
#undef SF_FIELD

// the row types of every table into types[]; < 0 on failure (nothing left open)
static herr_t sf_store_types(hid_t types[SF_NTABLE]) {
  sfStoreTypes x = {H5Tcopy(H5T_C_S1), sf_store_array(3), sf_store_array(SF_MAX_THETA),
                    sf_store_array(SF_MAX_STITCHES)};
  herr_t rc = (x.name < 0 || x.a3 < 0 || x.ath < 0 || x.as < 0 ||
               H5Tset_size(x.name, SF_STORE_NAME_LEN) < 0)
                  ? -1
                  : 0;
  for (int i = 0; i < SF_NTABLE; i++) types[i] = -1;
  if (rc >= 0) {
    types[SF_TABLE_EPISODES] = sf_store_episode_type(&x);
    types[SF_TABLE_ROBOTS] = sf_store_robot_type(&x);
    types[SF_TABLE_KNOWLEDGE] = sf_store_knowledge_type(&x);
  }
  for (int i = 0; i < SF_NTABLE; i++) {
    if (types[i] < 0) rc = -1;
  }
  if (x.name >= 0) H5Tclose(x.name);
  if (x.a3 >= 0) H5Tclose(x.a3);
  if (x.ath >= 0) H5Tclose(x.ath);
  if (x.as >= 0) H5Tclose(x.as);
  for (int i = 0; rc < 0 && i < SF_NTABLE; i++) {
    if (types[i] >= 0) H5Tclose(types[i]);
    types[i] = -1;
  }
  return rc;
}

static const char* kTableName[SF_NTABLE] = {"episodes", "robots", "knowledge"};
static const size_t kRowSize[SF_NTABLE] = {sizeof(sfEpisodeRow), sizeof(sfRobotRow),
                                           sizeof(sfKnowledgeRow)};

void sf_store_episode_row(const sfEpisodeResult* r, const char* controller, const char* hash,
                          sfEpisodeRow* row) {
  const sfContext* c = &r->ctx;
  memset(row, 0, sizeof(*row));
  row->episode_id = r->episode_id;
  row->round = r->round;
  row->robot = r->robot;
  row->cohort = r->cohort;
  row->join_round = r->join_round;
  snprintf(row->controller, sizeof(row->controller), "%s", controller);
  snprintf(row->controller_hash, sizeof(row->controller_hash), "%s", hash);
  row->steps = r->steps;
  row->sim_time_s = r->sim_time_s;
  row->stitches = r->stitches;
  row->first_pair = c->first_pair;
  row->line_offset_mm = 1000 * c->line_offset_m;
  row->grasp_angle_deg = SF_RAD2DEG * c->grasp_angle_rad;
  row->grasp_tilt_deg = SF_RAD2DEG * c->grasp_tilt_rad;
  row->puncture_N = c->puncture_N;
  row->indent_k_N_m = c->indent_k_N_m;
  row->friction_Ns_m2 = c->friction_Ns_m2;
  row->cut_N = c->cut_N;
  row->lateral_k_N_m2 = c->lateral_k_N_m2;
  row->tear_mm = c->tear_mm;
  sf_calib_units(&c->calib, row->calib_bias_mm, row->calib_rot_deg);
  for (int i = 0; i < 3; i++) {
    row->entry_off_mm[i] = r->entry_off_mm[i];
    row->exit_off_mm[i] = r->exit_off_mm[i];
  }
  row->n_theta = r->ntheta;
  for (int i = 0; i < SF_MAX_THETA; i++) row->theta[i] = i < r->ntheta ? r->theta[i] : NAN;
  row->entry_err_mm = r->entry_err_mm;
  row->exit_err_mm = r->exit_err_mm;
  row->tip_out_mm = r->tip_out_mm;
  row->time_s = r->time_s;
  row->throws_ok = r->throws_ok;
  row->spacing_mean_mm = r->spacing_mean_mm;
  row->spacing_sd_mm = r->spacing_sd_mm;
  row->bite_mm = r->bite_mm;
  row->insertions = r->insertions;
  row->regrasp_failures = r->regrasp_failures;
  row->trauma_mm2 = r->trauma_mm2;
  row->peak_force_N = r->peak_force_N;
  row->completed = r->completed;
  row->dropped = r->dropped;
  row->diverged = r->diverged;
  row->fault = r->fault;
  row->success = r->success;
  row->has_offsets = (uint8_t)r->has_offsets;
  row->end_reason = r->end_reason;
  row->ended_early = r->end_reason != SF_END_DONE && r->end_reason != SF_END_TIME;
  row->score = r->score;
  row->wound_gap_mm = c->gap_mm;
  row->edge_k_N_mm2 = c->edge_k_N_mm2;
  row->hole_strength_N = c->strength_N;
  row->thread_slack_mm = c->slack_mm;
  row->thread_mu = c->thread_mu;
  row->wound_closure = r->closure;
  row->wound_closure_min = r->closure_min;
  row->thread_tension_max_N = r->tension_max_N;
  row->cut_through = r->cut_through;
  row->thread_used_mm = r->thread_used_mm;
  for (int i = 0; i < SF_MAX_STITCHES; i++) row->stitch_tension_N[i] = r->stitch_tension_N[i];
  row->handovers = r->handovers;
  row->handovers_failed = r->handovers_failed;
  row->handover_time_s = r->handover_s;
}

// write a string attribute on the root; < 0 on failure
static herr_t sf_attr_string(hid_t file, const char* name, const char* value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  if (type < 0) return -1;
  herr_t rc = H5Tset_size(type, strlen(value) + 1);
  if (rc >= 0) rc = H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = rc >= 0 ? H5Screate(H5S_SCALAR) : -1;
  hid_t attr = space >= 0 ? H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
  rc = attr >= 0 ? H5Awrite(attr, type, value) : -1;
  if (attr >= 0 && H5Aclose(attr) < 0) rc = -1;
  if (space >= 0) H5Sclose(space);
  H5Tclose(type);
  return rc;
}

// a scalar attribute of type (memory type mtype) on loc, created or overwritten; < 0 on failure
static herr_t sf_store_attr(hid_t loc, const char* name, hid_t ftype, hid_t mtype,
                            const void* value) {
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = space >= 0 ? H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
  herr_t rc = attr >= 0 ? H5Awrite(attr, mtype, value) : -1;
  if (attr >= 0 && H5Aclose(attr) < 0) rc = -1;
  if (space >= 0) H5Sclose(space);
  return rc;
}

// root attributes; < 0 on failure
static herr_t sf_store_write_meta(hid_t file, const sfStoreMeta* meta) {
  char hash[32], mjver[32];
  snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)meta->model_hash);
  snprintf(mjver, sizeof(mjver), "%s", mj_versionString());
  if (sf_attr_string(file, "format", SF_STORE_FORMAT) < 0) return -1;
  int32_t schema = SF_STORE_SCHEMA;
  if (sf_store_attr(file, "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &schema) < 0) {
    return -1;
  }
  if (sf_attr_string(file, "suturefleet_version", SF_VERSION) < 0) return -1;
  if (sf_attr_string(file, "mujoco_version", mjver) < 0) return -1;
  if (sf_attr_string(file, "model_hash", hash) < 0) return -1;
  if (sf_attr_string(file, "model_path", meta->model_path) < 0) return -1;
  if (sf_attr_string(file, "configuration", meta->config_text) < 0) return -1;
  const char* ctrl[5][2] = {{"controller", meta->controller},
                            {"controller_hash", meta->controller_hash},
                            {"skill_names", meta->skill_names},
                            {"learner", meta->learner},
                            {"learner_hash", meta->learner_hash}};
  for (int i = 0; i < 5; i++) {
    if (i >= 3 && !ctrl[i][1]) continue;  // no learner named: read back as the legacy one
    if (sf_attr_string(file, ctrl[i][0], ctrl[i][1] ? ctrl[i][1] : "") < 0) return -1;
  }
  if (sf_store_attr(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &meta->seed) < 0) return -1;
  return 0;
}

// a chunked, compressed, unlimited table dataset of row type row_type; < 0 on failure
static hid_t sf_store_make_table(hid_t file, const char* name, hid_t row_type) {
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {SF_CHUNK_ROWS};
  hid_t space = H5Screate_simple(1, dims, maxdims);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t ftype = H5Tcopy(row_type);
  hid_t ds = -1;
  if (space >= 0 && dcpl >= 0 && ftype >= 0 && H5Tpack(ftype) >= 0 &&
      H5Pset_chunk(dcpl, 1, chunk) >= 0 && H5Pset_deflate(dcpl, 4) >= 0 &&
      H5Pset_obj_track_times(dcpl, 0) >= 0) {
    ds = H5Dcreate2(file, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  }
  if (ftype >= 0) H5Tclose(ftype);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return ds;
}

// close the file and its datasets (a closed file is complete on disk), then commit the round
// (delete its journal); keeps the row types; < 0 if closing or committing failed (the round
// is then still undone by a rollback)
static herr_t sf_store_shut(sfStore* st) {
  herr_t rc = 0;
  int open = st->file >= 0;
  for (int i = 0; i < SF_NTABLE; i++) {
    if (st->ds[i] >= 0 && H5Dclose(st->ds[i]) < 0) rc = -1;
    st->ds[i] = -1;
  }
  if (rc < 0 || (open && H5Fclose(st->file) < 0)) return -1;  // still open: abort releases it
  st->file = -1;
  if (open && (st->err = sf_journal_closed_errno()) != 0) return -1;  // the round is undone
  if (open && sf_journal_commit(st->path) < 0) st->err = errno, rc = -1;
  return rc;
}

// after a failed write: drop the rest of the round's writes, release the file and roll the
// store back to its last complete round; the system error of the failure is kept in st->err
static void sf_store_abort(sfStore* st) {
  if (st->file >= 0) {
    int err = sf_journal_errno(st->file);
    if (err && err != ECANCELED) st->err = err;
    sf_journal_discard(st->file);
    for (int i = 0; i < SF_NTABLE; i++) {
      if (st->ds[i] >= 0) H5Dclose(st->ds[i]);
      st->ds[i] = -1;
    }
    H5Fclose(st->file);  // succeeds: the driver keeps what is left in memory
    int closed = sf_journal_closed_errno();
    if (closed && closed != ECANCELED && !st->err) st->err = closed;
    st->file = -1;
  }
  sfError why;
  if (sf_journal_rollback(st->path, NULL, &why) != SF_OK) st->rollback_failed = 1;
}

// the failure message of a round's write: what failed, the system's reason when it gave one
// (a full disk says so), and what the store still holds; SF_ERR_RUN
static sftStatus sf_store_failed(sfStore* st, const char* what, sfError* e) {
  char why[256] = "";
  if (st->err) snprintf(why, sizeof(why), ": %s", strerror(st->err));
  return sf_fail(e, SF_ERR_RUN, "store '%s': %s%s; %s", st->path, what, why,
                 st->rollback_failed
                     ? "the round could not be rolled back yet: the next --resume does it"
                     : "the store was rolled back to its last complete round (--resume "
                       "continues from there)");
}

// open the file for writing (as the single SWMR writer when swmr is set) and its datasets;
// < 0 on failure (left shut)
static herr_t sf_store_open(sfStore* st, int swmr) {
  hid_t fapl = sf_journal_fapl(SF_JOURNAL_WRITE);
  if (fapl < 0) return -1;
  unsigned flags = H5F_ACC_RDWR | (swmr ? H5F_ACC_SWMR_WRITE : 0);
  errno = 0;
  st->file = H5Fopen(st->path, flags, fapl);
  st->swmr = swmr;
  H5Pclose(fapl);
  if (st->file < 0) {
    st->err = errno;
    sf_store_abort(st);
    return -1;
  }
  herr_t rc = 0;
  for (int i = 0; i < SF_NTABLE; i++) {
    st->ds[i] = H5Dopen2(st->file, kTableName[i], H5P_DEFAULT);
    if (st->ds[i] < 0) rc = -1;
  }
  if (rc < 0) sf_store_abort(st);
  return rc;
}

// open the new, empty file of a store being created, through the journal; < 0 on failure
static herr_t sf_store_open_new(sfStore* st) {
  hid_t fapl = sf_journal_fapl(SF_JOURNAL_WRITE);
  if (fapl < 0) return -1;
  errno = 0;
  st->file = H5Fopen(st->path, H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  if (st->file < 0) st->err = errno;
  return st->file < 0 ? -1 : 0;
}

// switch an open file to SWMR write mode (closing and reopening the datasets around it)
static herr_t sf_store_start_swmr(sfStore* st) {
  herr_t rc = 0;
  for (int i = 0; i < SF_NTABLE; i++) {
    if (st->ds[i] >= 0 && H5Dclose(st->ds[i]) < 0) rc = -1;
    st->ds[i] = -1;
  }
  if (rc >= 0) rc = H5Fstart_swmr_write(st->file);
  for (int i = 0; rc >= 0 && i < SF_NTABLE; i++) {
    st->ds[i] = H5Dopen2(st->file, kTableName[i], H5P_DEFAULT);
    if (st->ds[i] < 0) rc = -1;
  }
  st->swmr = rc >= 0;
  return rc;
}

// write a (rows x cols) double or int64 array as a chunked, compressed dataset under loc;
// cols 0 means a 1-D dataset; < 0 on failure
static herr_t sf_store_array2(hid_t loc, const char* name, hid_t type, const void* data,
                              hsize_t rows, hsize_t cols) {
  hsize_t dims[2] = {rows, cols}, chunk[2] = {rows < 256 ? rows : 256, cols};
  int rank = cols ? 2 : 1;
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  herr_t rc = space >= 0 && dcpl >= 0 ? 0 : -1;
  if (rc >= 0 && rows > 0) rc = H5Pset_chunk(dcpl, rank, chunk);
  if (rc >= 0 && rows > 0) rc = H5Pset_deflate(dcpl, 4);
  if (rc >= 0) rc = H5Pset_obj_track_times(dcpl, 0);
  hid_t ds = rc >= 0 ? H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
  if (ds < 0) rc = -1;
  if (rc >= 0 && rows > 0) rc = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  if (ds >= 0 && H5Dclose(ds) < 0) rc = -1;
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return rc;
}

// a new group under loc that records no times (stores are byte-reproducible); < 0 on failure
static hid_t sf_store_group(hid_t loc, const char* name) {
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  hid_t g = -1;
  if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0) {
    g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
  }
  if (gcpl >= 0) H5Pclose(gcpl);
  return g;
}

// one episode's demo group; < 0 on failure
static herr_t sf_store_demo(hid_t data, const sfEpisodeResult* r, const sfTraj* t,
                            const mjModel* m) {
  char name[64];
  snprintf(name, sizeof(name), "demo_%lld", (long long)r->episode_id);
  if (H5Lexists(data, name, H5P_DEFAULT) > 0 && H5Ldelete(data, name, H5P_DEFAULT) < 0) return -1;
  hid_t g = sf_store_group(data, name);
  hid_t obs = g >= 0 ? sf_store_group(g, "obs") : -1;
  hsize_t n = (hsize_t)t->n;
  double* rewards = SF_CALLOC(n + 1, sizeof(double));
  int64_t* dones = SF_CALLOC(n + 1, sizeof(int64_t));
  herr_t rc = g >= 0 && obs >= 0 ? 0 : -1;

  // sparse reward and done at the last sample
  if (rc >= 0 && n > 0) {
    rewards[n - 1] = r->success;
    dones[n - 1] = 1;
  }
  const hid_t D = H5T_NATIVE_DOUBLE;
  if (rc >= 0) rc = sf_store_array2(g, "actions", D, t->actions, n, (hsize_t)m->nu);
  if (rc >= 0) rc = sf_store_array2(g, "rewards", D, rewards, n, 0);
  if (rc >= 0) rc = sf_store_array2(g, "dones", H5T_NATIVE_INT64, dones, n, 0);
  if (rc >= 0) rc = sf_store_array2(g, "states", D, t->states, n, (hsize_t)t->nstate);
  if (rc >= 0) rc = sf_store_array2(obs, "joint_pos", D, t->joint_pos, n, SF_NAXIS);
  if (rc >= 0) rc = sf_store_array2(obs, "tcp_pos", D, t->tcp_pos, n, 3);
  if (rc >= 0) rc = sf_store_array2(obs, "tcp_quat", D, t->tcp_quat, n, 4);
  if (rc >= 0) rc = sf_store_array2(obs, "needle_pos", D, t->needle_pos, n, 3);
  if (rc >= 0) rc = sf_store_array2(obs, "needle_quat", D, t->needle_quat, n, 4);
  if (rc >= 0) rc = sf_store_array2(obs, "needle_tip", D, t->needle_tip, n, 3);
  if (rc >= 0) rc = sf_store_array2(obs, "thread_tension", D, t->thread_tension, n, 1);
  if (rc >= 0) rc = sf_store_array2(obs, "thread_path", D, t->thread_path, n, 3 * SF_THREAD_PTS);
  if (rc >= 0) rc = sf_store_array2(obs, "wound_gap", D, t->wound_gap, n, SF_WOUND_GAP_N);
  if (rc >= 0) rc = sf_store_array2(obs, "needle_holder", H5T_NATIVE_INT8, t->holder, n, 1);

  // attributes
  int64_t num = (int64_t)n, id = r->episode_id, robot = r->robot, round = r->round;
  int64_t success = r->success;
  const hid_t I = H5T_STD_I64LE, NI = H5T_NATIVE_INT64;
  if (rc >= 0) rc = sf_store_attr(g, "num_samples", I, NI, &num);
  if (rc >= 0) rc = sf_store_attr(g, "episode_id", I, NI, &id);
  if (rc >= 0) rc = sf_store_attr(g, "robot", I, NI, &robot);
  if (rc >= 0) rc = sf_store_attr(g, "round", I, NI, &round);
  if (rc >= 0) rc = sf_store_attr(g, "success", I, NI, &success);
  free(rewards);
  free(dones);
  if (obs >= 0 && H5Gclose(obs) < 0) rc = -1;
  if (g >= 0 && H5Gclose(g) < 0) rc = -1;
  return rc;
}

sftStatus sf_store_demos(sfStore* st, const sfEpisodeResult* res, sfTraj* const* trajs, int n,
                         const mjModel* m, sfError* e) {
  int any = 0;
  for (int i = 0; i < n; i++) any |= trajs[i] != NULL;
  if (!any) return SF_OK;
  double t0 = omp_get_wtime();
  SF_ASSERT(st->file < 0 || !st->swmr);
  herr_t rc = st->file >= 0 ? 0 : sf_store_open(st, 0);
  hid_t data = rc >= 0 ? H5Gopen2(st->file, "data", H5P_DEFAULT) : -1;
  int64_t total = 0;
  if (data < 0) rc = -1;
  if (rc >= 0) {
    hid_t attr = H5Aopen(data, "total", H5P_DEFAULT);
    if (attr < 0 || H5Aread(attr, H5T_NATIVE_INT64, &total) < 0) rc = -1;
    if (attr >= 0) H5Aclose(attr);
  }
  for (int i = 0; rc >= 0 && i < n; i++) {
    if (!trajs[i]) continue;
    rc = sf_store_demo(data, &res[i], trajs[i], m);
    total += trajs[i]->n;
  }
  if (rc >= 0) rc = sf_store_attr(data, "total", H5T_STD_I64LE, H5T_NATIVE_INT64, &total);
  if (data >= 0 && H5Gclose(data) < 0) rc = -1;
  st->io_s += omp_get_wtime() - t0;
  if (rc < 0) {
    sf_store_abort(st);
    return sf_store_failed(st, "HDF5 failed to write the round's trajectories", e);
  }
  return SF_OK;
}

// the /data group of a new store: total 0 and env_args (JSON); < 0 on failure
static herr_t sf_store_make_data(hid_t file, const sfStoreMeta* meta) {
  hid_t data = sf_store_group(file, "data");
  if (data < 0) return -1;
  int64_t total = 0;
  char env[4096 + 512];
  snprintf(env, sizeof(env),
           "{\"env_name\": \"suturefleet-suture\", \"type\": 0, \"env_kwargs\": {\"model\": "
           "\"%s\", \"timestep_s\": %g, \"sample_hz\": %d, \"actions\": \"servo setpoints: "
           "yaw, pitch, insertion, roll, wrist pitch, wrist yaw, jaw opening\", \"state\": "
           "\"qpos, qvel, mocap_pos, mocap_quat\"}}",
           meta->model_path, meta->timestep_s, SF_TRAJ_HZ);
  herr_t rc = sf_store_attr(data, "total", H5T_STD_I64LE, H5T_NATIVE_INT64, &total);
  if (rc >= 0) rc = sf_attr_string(data, "env_args", env);
  if (H5Gclose(data) < 0) rc = -1;
  return rc;
}

sftStatus sf_store_check_path(const char* path, int force, sfError* e) {
  struct stat sb;
  if (stat(path, &sb) == 0) {
    if (!force) {
      return sf_fail(e, SF_ERR_INPUT,
                     "store '%s' already exists; expected a new file (pass --force to replace it)",
                     path);
    }
    if (!S_ISREG(sb.st_mode)) {
      return sf_fail(e, SF_ERR_INPUT, "store '%s' exists and is not a regular file", path);
    }
    return SF_OK;
  }
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s", path);
  const char* dir = dirname(tmp);
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return sf_fail(e, SF_ERR_INPUT, "store '%s': directory '%s' does not exist", path, dir);
  }
  return SF_OK;
}

// remove the temporary files (PATH.tmp-PID) that runs killed while creating path left
static void sf_store_remove_temporaries(const char* path) {
  char a[4096], b[4096], prefix[4200];
  snprintf(a, sizeof(a), "%s", path);
  snprintf(b, sizeof(b), "%s", path);
  const char* dir = dirname(a);
  int n = snprintf(prefix, sizeof(prefix), "%s.tmp-", basename(b));
  DIR* d = opendir(dir);
  for (struct dirent* x = d ? readdir(d) : NULL; x; x = readdir(d)) {
    const char* pid = x->d_name + n;
    if (strncmp(x->d_name, prefix, (size_t)n) || !*pid || strspn(pid, "0123456789") != strlen(pid))
      continue;
    char full[8400], journal[8500];
    snprintf(full, sizeof(full), "%s/%s", dir, x->d_name);
    unlink(full);
    if (sf_journal_path(full, journal, sizeof(journal)) == 0) unlink(journal);
  }
  if (d) closedir(d);
}

// put the finished new store at tmp in place at path: atomically replacing an old store when
// forced, else only if path is free. A journal at path goes first: it belongs to a store that
// is being replaced or is gone, and must never be applied to the new one (the caller holds the
// writer lock, so no writer is using it). SF_ERR_INPUT when path exists and force is 0,
// SF_ERR_RUN on a system error; tmp is removed on failure
static sftStatus sf_store_publish(const char* tmp, const char* path, int force, sfError* e) {
  int rc = 0;
  errno = 0;
  if (!force && access(path, F_OK) == 0) rc = -1, errno = EEXIST;
  if (rc == 0) rc = sf_journal_commit(path);
  if (rc == 0 && force) rc = rename(tmp, path);
  if (rc == 0 && !force) {
    rc = link(tmp, path);
    if (rc < 0 && errno != EEXIST) rc = rename(tmp, path);  // a file system without links
    if (rc == 0) unlink(tmp);
  }
  if (rc == 0) return SF_OK;
  int err = errno;
  unlink(tmp);
  if (err == EEXIST) {
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s' already exists; expected a new file (pass --force to replace it)",
                   path);
  }
  return sf_fail(e, SF_ERR_RUN, "store '%s': cannot put the new store in place (%s)", path,
                 strerror(err));
}

sftStatus sf_store_create(sfStore* st, const char* path, int force, const sfStoreMeta* meta,
                          const sfRobotRow* robots, int nrobots, sfError* e) {
  memset(st, 0, sizeof(*st));
  st->file = -1;
  for (int i = 0; i < SF_NTABLE; i++) st->ds[i] = st->type[i] = -1;
  sftStatus status = sf_store_check_path(path, force, e);
  if (status != SF_OK) return status;
  double t0 = omp_get_wtime();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

  // written whole under a temporary name beside it (latest file format, needed for SWMR), so
  // a run killed while creating it leaves no store, and an old one (--force) stays intact;
  // what such a killed run left is removed (the caller holds the lock: no one else creates it)
  sf_store_remove_temporaries(path);
  char tmp[sizeof(st->path)];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
    return sf_fail(e, SF_ERR_INPUT, "store '%s': path too long", path);
  }
  snprintf(st->path, sizeof(st->path), "%s", tmp);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
      H5Pset_file_locking(fapl, 0, 1) < 0) {
    if (fapl >= 0) H5Pclose(fapl);
    return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 could not set up file access", path);
  }
  // the root group records no times either: the same run writes the same bytes
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  errno = 0;
  hid_t file = fcpl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0
                   ? H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl)
                   : -1;
  if (fcpl >= 0) H5Pclose(fcpl);
  H5Pclose(fapl);
  if (file < 0 || H5Fclose(file) < 0) {
    int err = errno;
    unlink(tmp);
    return sf_fail(e, SF_ERR_RUN, "store '%s': cannot create '%s' (%s)", path, tmp,
                   err ? strerror(err) : "HDF5 create failed");
  }

  // metadata, tables and the robots, written through the journal like every round
  herr_t rc = sf_store_types(st->type);
  if (rc >= 0) rc = sf_store_open_new(st);
  if (rc >= 0) rc = sf_store_write_meta(st->file, meta);
  if (rc >= 0) rc = sf_store_make_data(st->file, meta);
  for (int i = 0; rc >= 0 && i < SF_NTABLE; i++) {
    st->ds[i] = sf_store_make_table(st->file, kTableName[i], st->type[i]);
    if (st->ds[i] < 0) rc = -1;
  }
  if (rc >= 0 && sf_store_append(st, SF_TABLE_ROBOTS, robots, nrobots, 0, NULL) != SF_OK) rc = -1;
  if (rc >= 0 && sf_store_shut(st) < 0) rc = -1;
  if (rc < 0) {
    sf_store_abort(st);
    int err = st->err;
    sf_store_close(st, NULL);
    unlink(tmp);
    return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 failed while writing the metadata (%s)", path,
                   err ? strerror(err) : "unknown error");
  }

  // then in place
  snprintf(st->path, sizeof(st->path), "%s", path);
  status = sf_store_publish(tmp, path, force, e);
  if (status != SF_OK) sf_store_close(st, NULL);
  st->io_s += omp_get_wtime() - t0;
  return status;
}

sftStatus sf_store_append(sfStore* st, sftTable table, const void* rows, int n, int flush,
                          sfError* e) {
  if (n <= 0 && !flush) return SF_OK;
  double t0 = omp_get_wtime();
  hsize_t start[1] = {st->nrows[table]}, count[1] = {(hsize_t)n};
  hsize_t total[1] = {st->nrows[table] + (hsize_t)n};
  herr_t rc = st->file >= 0 ? 0 : sf_store_open(st, 1);
  if (rc >= 0 && !st->swmr) rc = sf_store_start_swmr(st);

  // grow, select the new rows, write
  if (rc >= 0 && n > 0) {
    rc = H5Dset_extent(st->ds[table], total);
    hid_t fspace = rc >= 0 ? H5Dget_space(st->ds[table]) : -1;
    hid_t mspace = fspace >= 0 ? H5Screate_simple(1, count, NULL) : -1;
    rc = mspace >= 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) : -1;
    if (rc >= 0) rc = H5Dwrite(st->ds[table], st->type[table], mspace, fspace, H5P_DEFAULT, rows);
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
  }

  // flush: close the file and commit the round, so it is complete on disk
  if (flush && rc >= 0) rc = sf_store_shut(st);
  if (rc < 0) sf_store_abort(st);
  st->io_s += omp_get_wtime() - t0;
  if (rc < 0) {
    char what[128];
    snprintf(what, sizeof(what), "HDF5 failed to append %d rows to /%s", n, kTableName[table]);
    if (st->err) snprintf(what, sizeof(what), "the round could not be written");
    return sf_store_failed(st, what, e);
  }
  st->nrows[table] += (hsize_t)n;
  return SF_OK;
}

// why reading a root attribute failed (sf_attr_read_string, sf_attr_read_u64)
#define SF_ATTR_MISSING -1  // no such attribute
#define SF_ATTR_TYPE -2     // not one value of the expected class (a string, an integer >= 0)
#define SF_ATTR_VLEN -3     // a variable-length string
#define SF_ATTR_LONG -4     // longer than the buffer holds
#define SF_ATTR_FAIL -5     // HDF5 failed to read it

// read a root attribute that is one fixed-length string into buf (n bytes, always terminated);
// 0, or one of the SF_ATTR_ failures above (buf then empty)
static herr_t sf_attr_read_string(hid_t file, const char* name, char* buf, size_t n) {
  buf[0] = 0;
  if (H5Aexists(file, name) <= 0) return SF_ATTR_MISSING;
  hid_t attr = H5Aopen(file, name, H5P_DEFAULT);
  hid_t ftype = attr >= 0 ? H5Aget_type(attr) : -1;
  hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
  herr_t rc = ftype < 0 || space < 0 ? SF_ATTR_FAIL : 0;

  // one fixed-length string, short enough for buf
  if (rc == 0 && (H5Tget_class(ftype) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1)) {
    rc = SF_ATTR_TYPE;
  }
  if (rc == 0 && H5Tis_variable_str(ftype) != 0) rc = SF_ATTR_VLEN;
  size_t size = rc == 0 ? H5Tget_size(ftype) : 0;
  if (rc == 0 && (size == 0 || size > n)) rc = size ? SF_ATTR_LONG : SF_ATTR_FAIL;

  // read, then taken only whole and terminated
  char* tmp = rc == 0 ? SF_CALLOC(size + 1, 1) : NULL;  // size <= n, the caller's buffer
  if (rc == 0) rc = H5Aread(attr, ftype, tmp) >= 0 ? 0 : SF_ATTR_FAIL;
  if (rc == 0 && strlen(tmp) >= n) rc = SF_ATTR_LONG;
  if (rc == 0) memcpy(buf, tmp, strlen(tmp) + 1);
  free(tmp);
  if (space >= 0) H5Sclose(space);
  if (ftype >= 0) H5Tclose(ftype);
  if (attr >= 0) H5Aclose(attr);
  return rc;
}

// read a root attribute that is one integer >= 0 (of at most 64 bits); 0, or one of the
// SF_ATTR_ failures above (*value then 0)
static herr_t sf_attr_read_u64(hid_t file, const char* name, uint64_t* value) {
  *value = 0;
  if (H5Aexists(file, name) <= 0) return SF_ATTR_MISSING;
  hid_t attr = H5Aopen(file, name, H5P_DEFAULT);
  hid_t ftype = attr >= 0 ? H5Aget_type(attr) : -1;
  hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
  herr_t rc = ftype < 0 || space < 0 ? SF_ATTR_FAIL : 0;
  if (rc == 0 && (H5Tget_class(ftype) != H5T_INTEGER || H5Tget_size(ftype) > 8 ||
                  H5Sget_simple_extent_npoints(space) != 1)) {
    rc = SF_ATTR_TYPE;
  }

  // a signed value is read as such, so that a negative one is refused rather than wrapped
  int64_t v = 0;
  if (rc == 0 && H5Tget_sign(ftype) == H5T_SGN_2) {
    rc = H5Aread(attr, H5T_NATIVE_INT64, &v) < 0 ? SF_ATTR_FAIL : v < 0 ? SF_ATTR_TYPE : 0;
    if (rc == 0) *value = (uint64_t)v;
  } else if (rc == 0) {
    rc = H5Aread(attr, H5T_NATIVE_UINT64, value) < 0 ? SF_ATTR_FAIL : 0;
  }
  if (rc != 0) *value = 0;
  if (space >= 0) H5Sclose(space);
  if (ftype >= 0) H5Tclose(ftype);
  if (attr >= 0) H5Aclose(attr);
  return rc;
}

// the root attributes readers rely on, into out (the configuration into cfg bytes); SF_ERR_INPUT
// naming the store and the attribute when one is missing, of another type or size, or empty
static sftStatus sf_store_read_attrs(hid_t file, const char* path, sfStoreData* out, size_t cfg,
                                     sfError* e) {
  const struct {
    const char* name;
    char* buf;
    size_t n;
    const char* expect;
  } text[] = {
      {"configuration", out->configuration, cfg, "the run's settings"},
      {"model_hash", out->model_hash, sizeof(out->model_hash), "the model's hash"},
      {"mujoco_version", out->mujoco_version, sizeof(out->mujoco_version), "MuJoCo's version"},
      {"controller", out->controller, sizeof(out->controller), "the controller's name"},
      {"controller_hash", out->controller_hash, sizeof(out->controller_hash),
       "its plug-in's hash or 'built-in'"},
      {"skill_names", out->skill_names, sizeof(out->skill_names), "its skill values' names"},
  };

  // the strings: each one fixed-length, non-empty string that fits
  for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
    herr_t rc = sf_attr_read_string(file, text[i].name, text[i].buf, text[i].n);
    if (rc == 0 && text[i].buf[0]) continue;
    const char* why = rc == SF_ATTR_MISSING ? "is missing"
                      : rc == SF_ATTR_TYPE  ? "is not one string"
                      : rc == SF_ATTR_VLEN  ? "is a variable-length string"
                      : rc == SF_ATTR_LONG  ? "is too long"
                      : rc == 0             ? "is empty"
                                            : "cannot be read";
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s': root attribute '%s' %s, expected %s as a fixed-length string of "
                   "1 to %zu characters",
                   path, text[i].name, why, text[i].expect, text[i].n - 1);
  }

  // the learner: absent in stores written before learners were recorded (the CEM, built in)
  const struct {
    const char* name;
    char* buf;
    size_t n;
    const char* legacy;
  } opt[] = {{"learner", out->learner, sizeof(out->learner), "cem"},
             {"learner_hash", out->learner_hash, sizeof(out->learner_hash), "built-in"}};
  for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
    herr_t rc = sf_attr_read_string(file, opt[i].name, opt[i].buf, opt[i].n);
    if (rc == SF_ATTR_MISSING) snprintf(opt[i].buf, opt[i].n, "%s", opt[i].legacy);
    if (rc == SF_ATTR_MISSING || (rc == 0 && opt[i].buf[0])) continue;
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s': root attribute '%s' is not a fixed-length string of 1 to %zu "
                   "characters",
                   path, opt[i].name, opt[i].n - 1);
  }

  // the seed: one integer >= 0
  herr_t rc = sf_attr_read_u64(file, "seed", &out->seed);
  if (rc == 0) return SF_OK;
  return sf_fail(e, SF_ERR_INPUT,
                 "store '%s': root attribute 'seed' %s, expected the experiment seed as an "
                 "integer >= 0",
                 path, rc == SF_ATTR_MISSING ? "is missing" : "is not one integer >= 0");
}

sftStatus sf_store_extendable(const char* path, long long schema, sfError* e) {
  if (schema == SF_STORE_SCHEMA) return SF_OK;
  return sf_fail(e, SF_ERR_INPUT,
                 "store '%s' has schema version %lld; expected %d (a store of an older schema is "
                 "read, never extended: start a new store)",
                 path, schema, SF_STORE_SCHEMA);
}

// check the root attributes say this is a store of a schema from oldest to SF_STORE_SCHEMA
static sftStatus sf_store_check_format(hid_t file, const char* path, int oldest, sfStoreData* out,
                                       sfError* e) {
  uint64_t schema = 0;
  if (sf_attr_read_string(file, "format", out->format, sizeof(out->format)) < 0 ||
      strcmp(out->format, SF_STORE_FORMAT)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "'%s' is not a suturefleet store (expected root attribute format = '%s')", path,
                   SF_STORE_FORMAT);
  }
  if (sf_attr_read_u64(file, "schema_version", &schema) < 0 || schema < (uint64_t)oldest ||
      schema > SF_STORE_SCHEMA) {
    if (oldest == SF_STORE_SCHEMA) return sf_store_extendable(path, (long long)schema, e);
    return sf_fail(e, SF_ERR_INPUT, "store '%s' has schema version %llu; expected %d to %d", path,
                   (unsigned long long)schema, oldest, SF_STORE_SCHEMA);
  }
  out->schema_version = (int)schema;
  return SF_OK;
}

// read every row of a table into a malloc'd array; < 0 on failure
static herr_t sf_store_read_table(hid_t file, sftTable table, hid_t type, void** rows, long* n) {
  hid_t ds = H5Dopen2(file, kTableName[table], H5P_DEFAULT);
  if (ds < 0) return -1;
  herr_t rc = H5Drefresh(ds);
  hid_t space = rc >= 0 ? H5Dget_space(ds) : -1;
  hsize_t dims[1] = {0};  // rank checked first: a crafted 2-D table must not overflow it
  if (space < 0 || H5Sget_simple_extent_ndims(space) != 1 ||
      H5Sget_simple_extent_dims(space, dims, NULL) != 1)
    rc = -1;
  // the row count comes from the file: an allocation it makes impossible is bad input, reported
  // (not SF_CALLOC's abort)
  *rows = rc >= 0 ? calloc(dims[0] + 1, kRowSize[table]) : NULL;
  if (rc >= 0 && !*rows) rc = -1;
  if (rc >= 0 && dims[0] > 0) rc = H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *rows);
  *n = rc >= 0 ? (long)dims[0] : 0;
  if (space >= 0) H5Sclose(space);
  H5Dclose(ds);
  return rc;
}

// open a store for reading, through the journal driver: the store as of its last complete
// round, whether a writer is at work on it, was killed in the middle of a round, or is gone;
// < 0 with e set (SF_ERR_INPUT: missing, not a regular file or not HDF5; SF_ERR_RUN: HDF5
// cannot open it)
static hid_t sf_store_open_read(const char* path, sftStatus* status, sfError* e) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  struct stat sb;
  if (stat(path, &sb) != 0 || access(path, R_OK) != 0) {
    *status = sf_fail(e, SF_ERR_INPUT, "store '%s': cannot open (%s)", path, strerror(errno));
    return -1;
  }
  if (!S_ISREG(sb.st_mode)) {
    *status =
        sf_fail(e, SF_ERR_INPUT, "store '%s': not a regular file (expected an HDF5 store)", path);
    return -1;
  }
  if (H5Fis_hdf5(path) <= 0) {
    *status =
        sf_fail(e, SF_ERR_INPUT, "'%s' is not an HDF5 file (expected a suturefleet store)", path);
    return -1;
  }

  // plainly; as a SWMR reader if an older writer left the file marked as being written
  hid_t fapl = sf_journal_fapl(SF_JOURNAL_READ);
  hid_t file = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : -1;
  if (file < 0 && fapl >= 0) file = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl);
  if (fapl >= 0) H5Pclose(fapl);
  if (file < 0) {
    *status = sf_fail(e, SF_ERR_RUN,
                      "store '%s': HDF5 cannot open it (a writer of an older suturefleet "
                      "version killed while writing leaves flags that 'h5clear -s' clears)",
                      path);
  }
  return file;
}

// read dataset name of loc (n x width doubles, n from the file and possibly 0, width checked)
// into a new buffer; NULL on any mismatch
static double* sf_store_read_matrix(hid_t loc, const char* name, int width, int* n) {
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
  hsize_t dims[2] = {0, 0};
  int rank = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 2
                 ? H5Sget_simple_extent_dims(sp, dims, NULL)
                 : -1;
  double* buf = NULL;
  // the shape comes from the file: compared whole (no truncation), the row count bounded so the
  // size cannot wrap, and a failed allocation reported (not SF_CALLOC's abort)
  if (rank == 2 && dims[1] == (hsize_t)width && dims[0] <= INT_MAX) {
    buf = malloc(((size_t)dims[0] * (size_t)width + 1) * sizeof(double));
    if (buf && dims[0] > 0 &&
        H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
      free(buf);
      buf = NULL;
    }
    *n = (int)dims[0];
  }
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  return buf;
}

static sftStatus sf_store_demo_read_once(const char* path, long episode_id, const mjModel* m,
                                         sfTraj* t, int* found, sfError* e) {
  memset(t, 0, sizeof(*t));
  *found = 0;
  sftStatus status = SF_OK;
  hid_t file = sf_store_open_read(path, &status, e);
  if (file < 0) return status;
  char name[64];
  snprintf(name, sizeof(name), "/data/demo_%ld", episode_id);
  if (H5Lexists(file, "/data", H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    H5Fclose(file);
    return SF_OK;
  }

  // the states, the tip and the arm axes, of matching widths
  hid_t g = H5Gopen2(file, name, H5P_DEFAULT);
  int n[3] = {0, 0, 0};
  t->nstate = m->nq + m->nv + 7 * m->nmocap;
  t->states = g >= 0 ? sf_store_read_matrix(g, "states", t->nstate, &n[0]) : NULL;
  t->needle_tip = g >= 0 ? sf_store_read_matrix(g, "obs/needle_tip", 3, &n[1]) : NULL;
  t->joint_pos = g >= 0 ? sf_store_read_matrix(g, "obs/joint_pos", SF_NAXIS, &n[2]) : NULL;

  // the thread and the wound (schema 4; a schema-3 demo has none: NULL, drawn without them)
  static const char* kThread[3] = {"obs/thread_tension", "obs/thread_path", "obs/wound_gap"};
  double** dst[3] = {&t->thread_tension, &t->thread_path, &t->wound_gap};
  const int width[3] = {1, 3 * SF_THREAD_PTS, SF_WOUND_GAP_N};
  int bad_thread = 0;
  for (int k = 0; g >= 0 && k < 3; k++) {
    if (H5Lexists(g, kThread[k], H5P_DEFAULT) <= 0) continue;
    int rows = -1;
    *dst[k] = sf_store_read_matrix(g, kThread[k], width[k], &rows);
    if (!*dst[k] || rows != n[0]) bad_thread = 1;
  }

  // who holds the needle: -1, 0 or 1, in every demo of schema 5 and later and in none before
  // (NULL)
  uint64_t schema = 0;
  int want_holder =
      sf_attr_read_u64(file, "schema_version", &schema) >= 0 && schema >= SF_STORE_SCHEMA_HANDOVER;
  int has_holder = g >= 0 && H5Lexists(g, "obs/needle_holder", H5P_DEFAULT) > 0;
  if (g >= 0 && has_holder != want_holder) bad_thread = 1;
  if (has_holder) {
    int rows = -1;
    double* h = sf_store_read_matrix(g, "obs/needle_holder", 1, &rows);
    t->holder = h && rows == n[0] ? SF_CALLOC((size_t)(rows > 0 ? rows : 1), sizeof(int8_t)) : NULL;
    for (int k = 0; t->holder && k < rows; k++) {
      if (!(h[k] == -1 || h[k] == 0 || h[k] == 1)) bad_thread = 1;
      t->holder[k] = (int8_t)(h[k] == 1 ? 1 : h[k] == 0 ? 0 : -1);
    }
    if (!t->holder) bad_thread = 1;
    free(h);
  }
  if (g >= 0) H5Gclose(g);
  H5Fclose(file);
  if (!t->states || !t->needle_tip || !t->joint_pos || n[0] != n[1] || n[0] != n[2] || bad_thread) {
    sf_traj_free(t);
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s': %s is not a trajectory of this model (expected "
                   "states of %d values and matching obs)",
                   path, name, m->nq + m->nv + 7 * m->nmocap);
  }
  t->n = t->cap = n[0];
  *found = 1;
  return SF_OK;
}

// a schema-3 store has no wound or thread columns: they read as unknown (NaN; cut_through -1)
static void sf_store_schema3(sfStoreData* d) {
  for (long i = 0; i < d->nepisodes; i++) {
    sfEpisodeRow* r = &d->episodes[i];
    double* v[] = {
        &r->wound_gap_mm,  &r->edge_k_N_mm2,  &r->hole_strength_N,   &r->thread_slack_mm,
        &r->thread_mu,     &r->wound_closure, &r->wound_closure_min, &r->thread_tension_max_N,
        &r->thread_used_mm};
    for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) *v[k] = NAN;
    for (int k = 0; k < SF_MAX_STITCHES; k++) r->stitch_tension_N[k] = NAN;
    r->cut_through = -1;
  }
}

// a store of schema 4 or older has no handover columns: its arms handed nothing over (one-arm
// scenes: 0 handovers, no handover time)
static void sf_store_schema4(sfStoreData* d) {
  for (long i = 0; i < d->nepisodes; i++) {
    sfEpisodeRow* r = &d->episodes[i];
    r->handovers = r->handovers_failed = 0;
    r->handover_time_s = NAN;
  }
}

static sftStatus sf_store_read_once(const char* path, sfStoreData* out, sfError* e) {
  memset(out, 0, sizeof(*out));
  sftStatus status = SF_OK;
  hid_t file = sf_store_open_read(path, &status, e);
  if (file < 0) return status;

  // attributes, then the tables
  status = sf_store_check_format(file, path, SF_STORE_SCHEMA_OLDEST, out, e);
  hid_t types[SF_NTABLE];
  size_t cfg = 1 << 16;
  out->configuration = SF_CALLOC(cfg, 1);
  if (status == SF_OK) status = sf_store_read_attrs(file, path, out, cfg, e);
  if (status == SF_OK && sf_store_types(types) < 0) {
    status = sf_fail(e, SF_ERR_RUN, "HDF5 type setup failed");
  }
  if (status == SF_OK) {
    void* rows[SF_NTABLE] = {NULL, NULL, NULL};
    long* counts[SF_NTABLE] = {&out->nepisodes, &out->nrobots, &out->nknowledge};
    for (int i = 0; i < SF_NTABLE; i++) {
      if (status == SF_OK &&
          sf_store_read_table(file, (sftTable)i, types[i], &rows[i], counts[i]) < 0) {
        status = sf_fail(e, SF_ERR_INPUT, "store '%s': cannot read /%s", path, kTableName[i]);
      }
      H5Tclose(types[i]);
    }
    out->episodes = rows[0];
    out->robots = rows[1];
    out->knowledge = rows[2];
    if (status == SF_OK && out->schema_version < SF_STORE_SCHEMA_SUTURE) sf_store_schema3(out);
    if (status == SF_OK && out->schema_version < SF_STORE_SCHEMA_HANDOVER) sf_store_schema4(out);
  }
  H5Fclose(file);
  if (status != SF_OK) sf_store_data_free(out);
  return status;
}

// a reader reads again when a writer changed the store while it read (at most this often)
#define SF_READ_TRIES 50

sftStatus sf_store_read_raw(const char* path, sfStoreData* out, sfError* e) {
  for (int t = 1;; t++) {
    sfJournalStamp before, after;
    sf_journal_stamp(path, &before);
    sftStatus status = sf_store_read_once(path, out, e);
    sf_journal_stamp(path, &after);
    if (sf_journal_stamp_same(&before, &after) || t == SF_READ_TRIES) return status;
    sf_store_data_free(out);
    usleep(10000 * (useconds_t)t);
  }
}

sftStatus sf_store_demo_read(const char* path, long episode_id, const mjModel* m, sfTraj* t,
                             int* found, sfError* e) {
  for (int k = 1;; k++) {
    sfJournalStamp before, after;
    sf_journal_stamp(path, &before);
    sftStatus status = sf_store_demo_read_once(path, episode_id, m, t, found, e);
    sf_journal_stamp(path, &after);
    if (sf_journal_stamp_same(&before, &after) || k == SF_READ_TRIES) return status;
    sf_traj_free(t);
    usleep(10000 * (useconds_t)k);
  }
}

void sf_store_data_free(sfStoreData* d) {
  if (!d) return;
  free(d->configuration);
  free(d->episodes);
  free(d->robots);
  free(d->knowledge);
  memset(d, 0, sizeof(*d));
}

// collect the names of /data's demo groups whose episode id is at least keep
typedef struct sfTrim_ {
  long keep;
  char (*names)[64];
  int n, cap;
} sfTrim;

static herr_t sf_store_trim_visit(hid_t g, const char* name, const H5L_info_t* info, void* op) {
  sfTrim* t = op;
  long long id = -1;
  if (sscanf(name, "demo_%lld", &id) != 1 || id < t->keep) return 0;
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 64;
    t->names = SF_REALLOC(t->names, t->cap, sizeof(*t->names));
  }
  snprintf(t->names[t->n++], 64, "%s", name);
  return 0;
}

// delete the demos of episodes that are not kept and recount /data's total; < 0 on failure
static herr_t sf_store_trim_demos(hid_t file, long keep) {
  hid_t data = H5Gopen2(file, "data", H5P_DEFAULT);
  if (data < 0) return -1;
  sfTrim t = {keep, NULL, 0, 0};
  herr_t rc = H5Literate(data, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, sf_store_trim_visit, &t);
  for (int i = 0; rc >= 0 && i < t.n; i++) rc = H5Ldelete(data, t.names[i], H5P_DEFAULT);
  free(t.names);

  // the total over the demos that remain
  int64_t total = 0;
  hsize_t nobj = 0;
  if (rc >= 0) rc = H5Gget_num_objs(data, &nobj) < 0 ? -1 : 0;
  for (hsize_t i = 0; rc >= 0 && i < nobj; i++) {
    char name[64];
    if (H5Lget_name_by_idx(data, ".", H5_INDEX_NAME, H5_ITER_NATIVE, i, name, sizeof(name),
                           H5P_DEFAULT) < 0) {
      rc = -1;
      break;
    }
    int64_t num = 0;
    hid_t attr = H5Aopen_by_name(data, name, "num_samples", H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Aread(attr, H5T_NATIVE_INT64, &num) < 0) rc = -1;
    if (attr >= 0) H5Aclose(attr);
    total += num;
  }
  if (rc >= 0) rc = sf_store_attr(data, "total", H5T_STD_I64LE, H5T_NATIVE_INT64, &total);
  if (H5Gclose(data) < 0) rc = -1;
  return rc;
}

sftStatus sf_store_reopen(sfStore* st, const char* path, const long keep[SF_NTABLE], sfError* e) {
  memset(st, 0, sizeof(*st));
  st->file = -1;
  for (int i = 0; i < SF_NTABLE; i++) st->ds[i] = st->type[i] = -1;
  snprintf(st->path, sizeof(st->path), "%s", path);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  double t0 = omp_get_wtime();

  // the round a killed writer left half-written, undone; then open for writing (through the
  // journal), clearing the status flags a store of an older version may carry (as h5clear -s)
  sftStatus status = sf_journal_rollback(path, NULL, e);
  if (status != SF_OK) return status;
  hid_t fapl = sf_journal_fapl(SF_JOURNAL_WRITE);
  hbool_t clear = 1;
  if (fapl < 0 || H5Pset(fapl, "clear_status_flags", &clear) < 0) {
    if (fapl >= 0) H5Pclose(fapl);
    return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 could not set up file access", path);
  }
  errno = 0;
  st->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  if (st->file < 0) {
    st->err = errno;
    sf_store_abort(st);
    return sf_store_failed(st, "HDF5 cannot open it for writing", e);
  }

  // the tables, cut to the rows to keep; then SWMR write mode
  sfStoreData check;
  status = sf_store_check_format(st->file, path, SF_STORE_SCHEMA, &check, e);
  herr_t rc = status == SF_OK ? sf_store_types(st->type) : -1;
  for (int i = 0; rc >= 0 && i < SF_NTABLE; i++) {
    hsize_t n[1] = {(hsize_t)keep[i]};
    st->ds[i] = H5Dopen2(st->file, kTableName[i], H5P_DEFAULT);
    if (st->ds[i] < 0 || H5Dset_extent(st->ds[i], n) < 0) rc = -1;
    st->nrows[i] = n[0];
  }
  if (rc >= 0) rc = sf_store_trim_demos(st->file, keep[SF_TABLE_EPISODES]);
  if (rc >= 0) rc = sf_store_shut(st);
  st->io_s += omp_get_wtime() - t0;
  if (status != SF_OK || rc < 0) {
    sf_store_abort(st);
    sf_store_close(st, NULL);
    return status != SF_OK ? status : sf_store_failed(st, "HDF5 failed to reopen it", e);
  }
  return SF_OK;
}

sftStatus sf_store_close(sfStore* st, sfError* e) {
  herr_t rc = sf_store_shut(st);
  if (rc < 0) sf_store_abort(st);
  for (int i = 0; i < SF_NTABLE; i++) {
    if (st->type[i] >= 0 && H5Tclose(st->type[i]) < 0) rc = -1;
    st->type[i] = -1;
  }
  if (rc < 0) return sf_fail(e, SF_ERR_RUN, "store '%s': HDF5 failed to close the file", st->path);
  return SF_OK;
}
